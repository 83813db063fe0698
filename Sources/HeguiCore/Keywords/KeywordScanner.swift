/// Finds a matcher's terms in text that arrives in chunks, such as a streamed answer.
///
/// The scanner keeps the automaton's state, the positions of the characters of a term begun in
/// an earlier chunk, and matches that a later character could still veto (an allowed term that
/// may yet cover them, a word boundary not yet seen). ``holdBack`` tells a streaming proxy from
/// where it must hold text back: everything before it is final.
///
/// ```swift
/// var scanner = matcher.makeScanner()
/// for chunk in chunks {
///     let found = scanner.feed(chunk)      // matches now certain
///     release(upTo: scanner.holdBack)      // text before this can go out
/// }
/// let rest = scanner.finish()
/// ```
package struct KeywordScanner: Sendable {
    /// A position in the whole text fed so far.
    package struct Offset: Sendable, Hashable, Comparable {
        /// UTF-8 bytes from the start of the first chunk.
        package var bytes: Int
        /// Unicode scalars from the start of the first chunk.
        package var characters: Int

        package static func < (lhs: Offset, rhs: Offset) -> Bool { lhs.bytes < rhs.bytes }
    }

    struct RingEntry {
        var startByte: Int
        var startCharacter: Int
        var scalar: UInt32
        /// Bit 0: the character before was a word character; bit 1: characters were skipped
        /// (noise or repeats) between the previous matched character and this one.
        var flags: UInt32
    }

    struct Candidate {
        var pattern: Int
        var entry: Int
        var span: TextSpan
        var isAllowed: Bool
        var awaitsBoundary: Bool
    }

    package let matcher: KeywordMatcher
    private var state: UInt32 = 0
    private var lastCode: UInt32 = 0
    private var gap = 0
    private var skipped = false
    /// Bit 0: the last character (noise included) was a word character; bit 1: the one before.
    private var wordHistory: UInt32 = 0
    private var spaceAfterWord = false
    private var spacedSingle = false
    private var fed = 0
    private var ring: [RingEntry]
    private let ringMask: Int
    private var byteOffset = 0
    private var characterOffset = 0
    private var pending: [Candidate] = []
    private var awaitingBoundary = 0

    init(matcher: KeywordMatcher) {
        self.matcher = matcher
        var size = 1
        while size < matcher.table.maximumPatternLength { size <<= 1 }
        self.ring = Array(repeating: RingEntry(startByte: 0, startCharacter: 0, scalar: 0, flags: 0), count: size)
        self.ringMask = size - 1
    }

    /// Where the text fed so far ends.
    package var end: Offset { Offset(bytes: self.byteOffset, characters: self.characterOffset) }

    /// The earliest position that a match not yet reported could cover: the start of the term
    /// in progress or of a match still awaiting a veto. Text before it is final; a streaming
    /// proxy may release it.
    package var holdBack: Offset {
        var earliest = self.end
        let table = self.matcher.table
        let depth = Int(table.words[table.infoBase + Int(self.state) * 2 + 1])
        if depth > 0, depth <= self.fed {
            let entry = self.ring[(self.fed - depth) & self.ringMask]
            earliest = Offset(bytes: entry.startByte, characters: entry.startCharacter)
        }
        for candidate in self.pending where candidate.span.bytes.lowerBound < earliest.bytes {
            earliest = Offset(bytes: candidate.span.bytes.lowerBound, characters: candidate.span.characters.lowerBound)
        }
        return earliest
    }

    /// Scans the next chunk.
    /// - Returns: the matches that became certain, in the order they did.
    package mutating func feed(_ chunk: String) -> [KeywordMatch] {
        var chunk = chunk
        var found: [KeywordMatch] = []
        chunk.withUTF8 { bytes in
            self.scan(bytes, into: &found)
        }
        return found
    }

    /// Ends the text: the matches still awaiting a veto become certain.
    package mutating func finish() -> [KeywordMatch] {
        var found: [KeywordMatch] = []
        if self.awaitingBoundary > 0 {
            self.resolveBoundaries(isWord: false)
        }
        self.settle(liveStart: .max, into: &found)
        self.state = 0
        self.lastCode = 0
        return found
    }

    /// The hot loop. The scanner's state lives in locals while it runs and the ring is moved out
    /// of `self` so that its buffer can be written through a pointer; the rare paths (a match,
    /// pending vetoes) go through methods.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, into found: inout [KeywordMatch]) {
        guard let input = bytes.baseAddress, bytes.count > 0 else { return }
        let table = self.matcher.table
        let maximumGap = self.matcher.folding.maximumNoiseGap
        let collapsesRepeats = self.matcher.folding.repeats
        let ringMask = self.ringMask
        var ring = self.ring
        self.ring = []
        defer { self.ring = ring }
        ring.withUnsafeMutableBufferPointer { ringBuffer in
            // The ring always has at least one entry.
            let ringBase = ringBuffer.baseAddress!
            table.words.withUnsafeBufferPointer { words in
                // The table is never empty: it starts with the page index.
                let pageIndex = words.baseAddress!
                let pages = pageIndex + table.pagesBase
                let expansions = pageIndex + table.expansionsBase
                let cells = pageIndex + table.cellsBase
                let info = pageIndex + table.infoBase
                let root = pageIndex + table.rootBase
                let mask = KeywordTable.valueMask
                let flag = KeywordTable.flag
                var state = self.state
                var lastCode = self.lastCode
                var gap = self.gap
                var skipped = self.skipped
                var wordHistory = self.wordHistory
                var spaceAfterWord = self.spaceAfterWord
                var spacedSingle = self.spacedSingle
                let spaceCode = table.spaceCode
                var fed = self.fed
                var byteOffset = self.byteOffset
                var characterOffset = self.characterOffset

                /// The child of the state in `cell` on `code`, or 0.
                @inline(__always)
                func child(_ cell: UInt32, _ code: UInt32) -> UInt32 {
                    let target = (cells[Int(cell) &* 2] & mask) &+ code
                    return cells[Int(target) &* 2 &+ 1] & mask == cell ? target : 0
                }

                /// Feeds one code; returns whether a match was reported (the caller settles).
                @inline(__always)
                func feed(_ code: UInt32, isWord: Bool, scalar: UInt32, start: Int, character: Int, end: Int) {
                    if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: isWord) }
                    if spaceAfterWord {
                        // A space between words: skipped between single letters ("f u c k"),
                        // matched where a term has one ("kill yourself"), else the end of a term.
                        spaceAfterWord = false
                        if isWord, !spacedSingle, state != 0 {
                            let spaced = spaceCode != 0 ? child(state, spaceCode) : 0
                            if spaced != 0 {
                                state = spaced
                                ringBase[fed & ringMask] = RingEntry(
                                    startByte: start,
                                    startCharacter: character,
                                    scalar: 0x20,
                                    flags: 2
                                )
                                fed &+= 1
                                lastCode = spaceCode
                            } else {
                                state = 0
                                lastCode = 0
                            }
                        }
                    }
                    guard code != 0 else {
                        // No term uses this character: every term in progress ends here and no
                        // later match can reach back past it, so it needs no place in the ring.
                        state = 0
                        lastCode = 0
                        gap = 0
                        skipped = false
                        wordHistory = wordHistory << 1 | (isWord ? 1 : 0)
                        return
                    }
                    if collapsesRepeats, code == lastCode, state != 0, child(state, code) == 0 {
                        skipped = true
                        wordHistory = wordHistory << 1 | (isWord ? 1 : 0)
                        return
                    }
                    var current = state
                    var next: UInt32 = 0
                    var hasReport = false
                    while current != 0 {
                        let base = cells[Int(current) &* 2]
                        let target = (base & mask) &+ code
                        let check = cells[Int(target) &* 2 &+ 1]
                        if check & mask == current {
                            next = target
                            hasReport = check & flag != 0
                            break
                        }
                        current = base & flag != 0 ? 0 : info[Int(current) &* 2]
                    }
                    if current == 0 {
                        let target = root[Int(code)]
                        next = target & mask
                        hasReport = target & flag != 0
                    }
                    state = next
                    ringBase[fed & ringMask] = RingEntry(
                        startByte: start,
                        startCharacter: character,
                        scalar: scalar,
                        flags: (wordHistory & 1) | (skipped ? 2 : 0)
                    )
                    fed &+= 1
                    gap = 0
                    skipped = false
                    lastCode = code
                    wordHistory = wordHistory << 1 | (isWord ? 1 : 0)
                    if hasReport {
                        self.collect(
                            from: next,
                            fed: fed,
                            ring: ringBase,
                            end: end,
                            endCharacter: character &+ 1,
                            info: info
                        )
                    }
                }

                let count = bytes.count
                var index = 0
                while index < count {
                    let lead = UInt32(input[index])
                    var scalar: UInt32
                    var length: Int
                    if lead < 0x80 {
                        scalar = lead
                        length = 1
                    } else if lead < 0xE0 {
                        scalar = (lead & 0x1F) << 6 | UInt32(input[index &+ 1] & 0x3F)
                        length = 2
                    } else if lead < 0xF0 {
                        scalar =
                            (lead & 0x0F) << 12 | UInt32(input[index &+ 1] & 0x3F) << 6
                            | UInt32(input[index &+ 2] & 0x3F)
                        length = 3
                    } else {
                        scalar =
                            (lead & 0x07) << 18 | UInt32(input[index &+ 1] & 0x3F) << 12
                            | UInt32(input[index &+ 2] & 0x3F) << 6 | UInt32(input[index &+ 3] & 0x3F)
                        length = 4
                    }
                    let scalarStart = byteOffset
                    let scalarCharacter = characterOffset
                    index &+= length
                    byteOffset &+= length
                    characterOffset &+= 1

                    let entry = pages[Int(pageIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
                    switch entry >> KeywordTable.kindShift {
                    case KeywordTable.kindSingle:
                        feed(
                            entry & KeywordTable.codeMask,
                            isWord: entry & KeywordTable.wordBit != 0,
                            scalar: scalar,
                            start: scalarStart,
                            character: scalarCharacter,
                            end: byteOffset
                        )
                    case KeywordTable.kindNoise:
                        if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: false) }
                        if entry & KeywordTable.spaceBit != 0, wordHistory & 1 != 0 {
                            spaceAfterWord = true
                            spacedSingle = wordHistory & 3 == 1
                        }
                        wordHistory <<= 1
                        if state != 0 {
                            gap &+= 1
                            skipped = true
                            if gap > maximumGap {
                                state = 0
                                lastCode = 0
                            }
                        }
                    case KeywordTable.kindExpansion:
                        let expansion = expansions + Int(entry & KeywordTable.codeMask)
                        for position in 0..<Int(expansion[0]) {
                            let code = expansion[1 &+ position]
                            feed(
                                code & KeywordTable.codeMask,
                                isWord: code & (1 << 31) != 0,
                                scalar: scalar,
                                start: scalarStart,
                                character: scalarCharacter,
                                end: byteOffset
                            )
                        }
                    default:
                        continue  // ignorable
                    }
                    if !self.pending.isEmpty, self.pending.count > self.awaitingBoundary {
                        var liveStart = Int.max
                        let depth = Int(info[Int(state) &* 2 &+ 1])
                        if depth > 0, depth <= fed {
                            liveStart = ringBase[(fed &- depth) & ringMask].startByte
                        }
                        self.settle(liveStart: liveStart, into: &found)
                    }
                }
                self.state = state
                self.lastCode = lastCode
                self.gap = gap
                self.skipped = skipped
                self.wordHistory = wordHistory
                self.spaceAfterWord = spaceAfterWord
                self.spacedSingle = spacedSingle
                self.fed = fed
                self.byteOffset = byteOffset
                self.characterOffset = characterOffset
            }
        }
    }

    /// Records the matches ending at the state in `cell`: its outputs and those of the states
    /// on its report chain.
    private mutating func collect(
        from cell: UInt32,
        fed: Int,
        ring: UnsafeMutablePointer<RingEntry>,
        end: Int,
        endCharacter: Int,
        info: UnsafePointer<UInt32>
    ) {
        let table = self.matcher.table
        var report = table.words[table.reportsBase + Int(cell) * 3]
        while report != 0 {
            let outputStart = Int(table.words[table.reportsBase + Int(report) * 3 + 1])
            let outputCount = Int(table.words[table.reportsBase + Int(report) * 3 + 2])
            for output in 0..<outputCount {
                let pattern = Int(table.words[table.outputsBase + outputStart + output])
                let info = table.patternsBase + pattern * 4
                let entry = Int(table.words[info])
                let length = Int(table.words[info + 1])
                let flags = table.words[info + 2]
                guard length <= fed, length <= self.ringMask + 1 else { continue }
                let first = ring[(fed - length) & self.ringMask]
                if flags & KeywordTable.patternLeftBoundary != 0, first.flags & 1 != 0 {
                    continue
                }
                if flags & KeywordTable.patternExact != 0,
                    !Self.isExact(
                        ring: ring,
                        mask: self.ringMask,
                        fed: fed,
                        length: length,
                        expected: table.words[(table.exactBase + Int(table.words[info + 3]))...].prefix(
                            Int(flags >> 16)
                        )
                    )
                {
                    continue
                }
                let awaits = flags & KeywordTable.patternRightBoundary != 0
                self.pending.append(
                    Candidate(
                        pattern: pattern,
                        entry: entry,
                        span: TextSpan(bytes: first.startByte..<end, characters: first.startCharacter..<endCharacter),
                        isAllowed: flags & KeywordTable.patternAllowed != 0,
                        awaitsBoundary: awaits
                    )
                )
                if awaits { self.awaitingBoundary += 1 }
            }
            let fail = Int(info[Int(report) * 2])
            report = table.words[table.reportsBase + fail * 3]
        }
    }

    /// Whether the last `length` matched characters are the term exactly as written: the same
    /// original characters, none skipped between them.
    private static func isExact(
        ring: UnsafeMutablePointer<RingEntry>,
        mask: Int,
        fed: Int,
        length: Int,
        expected: ArraySlice<UInt32>
    ) -> Bool {
        var originals: [UInt32] = []
        var previousStart = -1
        for position in (fed - length)..<fed {
            let entry = ring[position & mask]
            if position > fed - length, entry.flags & 2 != 0 { return false }
            if entry.startByte != previousStart {
                originals.append(entry.scalar)
                previousStart = entry.startByte
            }
        }
        return originals.elementsEqual(expected)
    }

    private mutating func resolveBoundaries(isWord: Bool) {
        if isWord {
            self.pending.removeAll { $0.awaitsBoundary }
        } else {
            for index in self.pending.indices where self.pending[index].awaitsBoundary {
                self.pending[index].awaitsBoundary = false
            }
        }
        self.awaitingBoundary = 0
    }

    /// Applies allowed terms to the matches they cover and reports those that nothing can veto
    /// any more: they start before every term still in progress.
    private mutating func settle(liveStart: Int, into found: inout [KeywordMatch]) {
        var hasAllowed = false
        for candidate in self.pending where candidate.isAllowed {
            hasAllowed = true
            break
        }
        if hasAllowed {
            let allowed = self.pending.filter { $0.isAllowed && !$0.awaitsBoundary }
            if !allowed.isEmpty {
                let entries = self.matcher.entries
                self.pending.removeAll { candidate in
                    if candidate.isAllowed { return !candidate.awaitsBoundary }
                    return allowed.contains { allow in
                        candidate.span.isCovered(by: allow.span)
                            && Self.allow(entries[allow.entry].risk, covers: entries[candidate.entry].risk)
                    }
                }
                hasAllowed = self.pending.contains { $0.isAllowed }
            }
        }
        var kept = 0
        for index in self.pending.indices {
            let candidate = self.pending[index]
            let keep =
                candidate.isAllowed || candidate.awaitsBoundary || candidate.span.bytes.lowerBound >= liveStart
                || (hasAllowed
                    && self.pending.contains { other in
                        other.isAllowed && candidate.span.isCovered(by: other.span)
                    })
            if keep {
                self.pending[kept] = candidate
                kept += 1
            } else {
                found.append(KeywordMatch(entry: candidate.entry, span: candidate.span))
            }
        }
        self.pending.removeLast(self.pending.count - kept)
    }

    /// Whether an allowed term for `scope` (nil: all risks) suppresses a hit of `risk`.
    private static func allow(_ scope: RiskCode?, covers risk: RiskCode?) -> Bool {
        guard let scope else { return true }
        guard let risk else { return false }
        if scope == risk { return true }
        return scope.isClass && risk.riskClass?.rawValue == scope.rawValue
    }
}
