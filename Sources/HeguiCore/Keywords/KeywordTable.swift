/// The compiled form of a keyword matcher: every table in one flat array of 32-bit words, so the
/// scanner reaches all of them through one pointer and the whole can be written out and read
/// back as it is.
///
/// Sections (offsets in words):
/// - character table: 0x1100 page numbers, then 256-entry pages. An entry holds a code
///   (bits 0–19, 0 = a character no term uses), a word-character flag (bit 20), a space flag for
///   noise (bit 21) and a kind (bits 22–23: single code, expansion, noise, ignorable);
/// - expansions: a count, then one code (bit 31 = word character) per folded character;
/// - cells of the double array (two words each: base | failure-is-root, check | report, see
///   ``KeywordAutomatonBuilder``); cell info (two words each: failure cell, depth); reports
///   (three words per cell: report cell, first output, output count); root targets by code;
///   outputs; patterns (four words each: entry, length in codes, flags, first exact
///   scalar); exact scalars.
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
    /// Bit 31 of a cell's base: the failure state is the root. Of its check, of a root target:
    /// the state has something to report.
    static let flag: UInt32 = 1 << 31
    static let valueMask: UInt32 = ~flag

    var words: [UInt32]
    var pagesBase: Int
    var expansionsBase: Int
    var cellsBase: Int
    var cellCount: Int
    var infoBase: Int
    var reportsBase: Int
    var rootBase: Int
    var outputsBase: Int
    var patternsBase: Int
    var patternCount: Int
    var exactBase: Int
    /// The code of U+0020 when a term has a space between two words, else 0.
    var spaceCode: UInt32
    /// The longest pattern in codes (the scanner's ring size bound).
    var maximumPatternLength: Int

    /// Whether every character is a single code or none: no noise to skip, nothing ignored,
    /// nothing expanded (folding off, or only one-to-one foldings). The scanner then takes a
    /// shorter loop.
    var isOneToOne: Bool {
        guard self.spaceCode == 0 else { return false }
        for entry in self.words[self.pagesBase..<self.expansionsBase]
        where entry >> Self.kindShift != Self.kindSingle {
            return false
        }
        return true
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
