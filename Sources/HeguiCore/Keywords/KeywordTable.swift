/// The compiled form of a keyword matcher: every table in one flat array of 32-bit words, so the
/// scanner reaches all of them through one pointer and the whole can be written out and read
/// back as it is.
///
/// Sections (offsets in words):
/// - character table: 0x1100 page numbers, then 256-entry pages. An entry holds a code
///   (bits 0–19, 0 = a character no term uses), a word-character flag (bit 20), a space flag for
///   noise (bit 21) and a kind (bits 22–23: single code, expansion, noise, ignorable);
/// - expansions: a count, then one code (bit 31 = word character) per folded character;
/// - transitions: four words per slot (state, code, target, unused), open addressing, and a
///   filter of one bit per hashed edge that rules out most lookups of absent transitions;
/// - root targets by code; states (``stateWords`` words each); outputs; patterns (four words each:
///   entry, length in codes, flags, first exact scalar); exact scalars.
struct KeywordTable: Sendable {
    static let codeMask: UInt32 = 0xF_FFFF
    static let wordBit: UInt32 = 1 << 20
    static let spaceBit: UInt32 = 1 << 21
    static let kindShift: UInt32 = 22
    static let kindSingle: UInt32 = 0
    static let kindExpansion: UInt32 = 1
    static let kindNoise: UInt32 = 2
    static let kindIgnorable: UInt32 = 3

    static let patternLeftBoundary: UInt32 = 1 << 0
    static let patternRightBoundary: UInt32 = 1 << 1
    static let patternExact: UInt32 = 1 << 2
    static let patternAllowed: UInt32 = 1 << 3

    static let pageIndexCount = 0x1100
    /// Words per state record: failure state, depth | output count << 16, report state, first
    /// output.
    static let stateWords = 4
    /// Set in a stored state id when the state has something to report.
    static let reportFlag: UInt32 = 1 << 31
    static let stateMask: UInt32 = ~reportFlag

    var words: [UInt32]
    var pagesBase: Int
    var expansionsBase: Int
    var slotsBase: Int
    var slotBits: Int
    var filterBase: Int
    var filterBits: Int
    var rootBase: Int
    var alphabetSize: Int
    var statesBase: Int
    var stateCount: Int
    /// States `1...depthOneCount` are one character deep: their failure state is the root.
    var depthOneCount: Int
    var outputsBase: Int
    var patternsBase: Int
    var patternCount: Int
    var exactBase: Int
    /// The longest pattern in codes (the scanner's ring size bound).
    var maximumPatternLength: Int

    /// The bit of an edge in the edge filter (a hash independent of ``hash(state:code:shift:)``).
    @inline(__always)
    static func filterHash(state: UInt32, code: UInt32, shift: UInt64) -> UInt64 {
        ((UInt64(code) << 32 | UInt64(state)) &* 0xC2B2_AE3D_27D4_EB4F) >> shift
    }

    @inline(__always)
    static func hash(state: UInt32, code: UInt32, shift: UInt64) -> UInt64 {
        ((UInt64(state) << 32 | UInt64(code)) &* 0x9E37_79B9_7F4A_7C15) >> shift
    }
}

/// Builds the character table (section one of ``KeywordTable``).
struct CharacterTableBuilder {
    private(set) var pageIndex = [UInt32](repeating: 0, count: KeywordTable.pageIndexCount)
    private(set) var pages = [UInt32](repeating: 0, count: 256)
    private(set) var expansions: [UInt32] = []

    mutating func set(_ scalar: UInt32, _ entry: UInt32) {
        guard scalar < 0x110000 else { return }
        var page = self.pageIndex[Int(scalar >> 8)]
        if page == 0 {
            page = UInt32(self.pages.count / 256)
            self.pageIndex[Int(scalar >> 8)] = page
            self.pages.append(contentsOf: repeatElement(0, count: 256))
        }
        self.pages[Int(page) * 256 + Int(scalar & 0xFF)] = entry
    }

    /// Adds an expansion and returns its index in the expansions section.
    mutating func addExpansion(_ codes: [UInt32]) -> UInt32 {
        let index = UInt32(self.expansions.count)
        self.expansions.append(UInt32(codes.count))
        self.expansions.append(contentsOf: codes)
        return index
    }
}
