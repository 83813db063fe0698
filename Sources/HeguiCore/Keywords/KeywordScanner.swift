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
    /// The automaton's position and what the next character needs to know of the last ones,
    /// kept together so that the scan loop holds them in machine registers.
    struct Registers {
        /// The cell of the current state (0: the root).
        var state: UInt32 = 0
        /// The code of the last matched character, for collapsing repeats.
        var lastCode: UInt32 = 0
        /// Noise characters skipped since the last matched character.
        var gap = 0
        /// Whether noise or repeats were skipped since the last matched character.
        var skipped = false
        /// Bit 0: the last character (noise included) was a word character; bit 1: the one before.
        var wordHistory: UInt32 = 0
        /// A space followed a word character.
        var spaceAfterWord = false
        /// That word was a single character ("f u c k").
        var spacedSingle = false
        /// Codes fed to the automaton so far (the ring's write position).
        var fed = 0
    }

    /// Pointers into the matcher's table and the ring, for the scan loop.
    struct Sections {
        var pageIndex: UnsafePointer<UInt32>
        var pages: UnsafePointer<UInt32>
        var expansions: UnsafePointer<UInt32>
        var cells: UnsafePointer<UInt32>
        var info: UnsafePointer<UInt32>
        var root: UnsafePointer<UInt32>
        var ring: UnsafeMutablePointer<RingEntry>
        var spaceCode: UInt32
        var maximumGap: Int
        var collapsesRepeats: Bool
    }

    private var registers = Registers()
    private var ring: [RingEntry]
    private let ringMask: Int
    /// The matcher's table reads one code per character and repeats are not collapsed.
    private let isOneToOne: Bool
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
        self.isOneToOne = matcher.isOneToOne && !matcher.folding.repeats
    }

    /// Where the text fed so far ends.
    package var end: Offset { Offset(bytes: self.byteOffset, characters: self.characterOffset) }

    /// The earliest position that a match not yet reported could cover: the start of the term
    /// in progress or of a match still awaiting a veto. Text before it is final; a streaming
    /// proxy may release it.
    package var holdBack: Offset {
        var earliest = self.end
        let table = self.matcher.table
        let depth = Int(table.words[table.infoBase + Int(self.registers.state) * 2 + 1])
        if depth > 0, depth <= self.registers.fed {
            let entry = self.ring[(self.registers.fed - depth) & self.ringMask]
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
        self.registers.state = 0
        self.registers.lastCode = 0
        return found
    }

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, into found: inout [KeywordMatch]) {
        guard let input = bytes.baseAddress, bytes.count > 0 else { return }
        let table = self.matcher.table
        var ring = self.ring
        self.ring = []
        defer { self.ring = ring }
        ring.withUnsafeMutableBufferPointer { ringBuffer in
            table.words.withUnsafeBufferPointer { words in
                // Neither is empty: the table starts with the page index, the ring has at least
                // one entry.
                let base = words.baseAddress!
                let sections = Sections(
                    pageIndex: base,
                    pages: base + table.pagesBase,
                    expansions: base + table.expansionsBase,
                    cells: base + table.cellsBase,
                    info: base + table.infoBase,
                    root: base + table.rootBase,
                    ring: ringBuffer.baseAddress!,
                    spaceCode: table.spaceCode,
                    maximumGap: self.matcher.folding.maximumNoiseGap,
                    collapsesRepeats: self.matcher.folding.repeats
                )
                if self.isOneToOne {
                    self.runOneToOne(input, count: bytes.count, sections: sections, into: &found)
                } else {
                    self.run(input, count: bytes.count, sections: sections, into: &found)
                }
            }
        }
    }

    /// The hot loop: one function body whose state is a local struct (no closure captures, which
    /// would keep it in memory), with the rare paths (a match, pending vetoes) as method calls.
    private mutating func run(
        _ input: UnsafePointer<UInt8>,
        count: Int,
        sections: Sections,
        into found: inout [KeywordMatch]
    ) {
        var registers = self.registers
        var byteOffset = self.byteOffset
        var characterOffset = self.characterOffset
        let pageIndex = sections.pageIndex
        let pages = sections.pages
        var index = 0
        while index < count {
            let (scalar, length) = Self.decode(input, at: index)
            let scalarStart = byteOffset
            let scalarCharacter = characterOffset
            index &+= length
            byteOffset &+= length
            characterOffset &+= 1

            let entry = pages[Int(pageIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
            let kind = entry >> KeywordTable.kindShift
            if kind == KeywordTable.kindSingle {
                self.advance(
                    entry & KeywordTable.codeMask,
                    isWord: entry & KeywordTable.wordBit != 0,
                    scalar: scalar,
                    start: scalarStart,
                    character: scalarCharacter,
                    end: byteOffset,
                    registers: &registers,
                    sections: sections
                )
            } else if kind == KeywordTable.kindNoise {
                if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: false) }
                if entry & KeywordTable.spaceBit != 0, registers.wordHistory & 1 != 0 {
                    registers.spaceAfterWord = true
                    registers.spacedSingle = registers.wordHistory & 3 == 1
                }
                registers.wordHistory <<= 1
                if registers.state != 0 {
                    registers.gap &+= 1
                    registers.skipped = true
                    if registers.gap > sections.maximumGap {
                        registers.state = 0
                        registers.lastCode = 0
                    }
                }
            } else if kind == KeywordTable.kindExpansion {
                let expansion = sections.expansions + Int(entry & KeywordTable.codeMask)
                for position in 0..<Int(expansion[0]) {
                    let code = expansion[1 &+ position]
                    self.advance(
                        code & KeywordTable.codeMask,
                        isWord: code & (1 << 31) != 0,
                        scalar: scalar,
                        start: scalarStart,
                        character: scalarCharacter,
                        end: byteOffset,
                        registers: &registers,
                        sections: sections
                    )
                }
            } else {
                continue  // ignorable
            }
            if !self.pending.isEmpty, self.pending.count > self.awaitingBoundary {
                var liveStart = Int.max
                let depth = Int(sections.info[Int(registers.state) &* 2 &+ 1])
                if depth > 0, depth <= registers.fed {
                    liveStart = sections.ring[(registers.fed &- depth) & self.ringMask].startByte
                }
                self.settle(liveStart: liveStart, into: &found)
            }
        }
        self.registers = registers
        self.byteOffset = byteOffset
        self.characterOffset = characterOffset
    }

    /// The hot loop for a table that reads one code per character (``KeywordTable/isOneToOne``):
    /// no noise, expansions or ignorable characters to dispatch on, no repeats or gaps to track.
    private mutating func runOneToOne(
        _ input: UnsafePointer<UInt8>,
        count: Int,
        sections: Sections,
        into found: inout [KeywordMatch]
    ) {
        var state = self.registers.state
        var fed = self.registers.fed
        var wordHistory = self.registers.wordHistory
        var byteOffset = self.byteOffset
        var characterOffset = self.characterOffset
        let pageIndex = sections.pageIndex
        let pages = sections.pages
        let ring = sections.ring
        let ringMask = self.ringMask
        var index = 0
        while index < count {
            let (scalar, length) = Self.decode(input, at: index)
            let start = byteOffset
            let character = characterOffset
            index &+= length
            byteOffset &+= length
            characterOffset &+= 1
            let entry = pages[Int(pageIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
            let code = entry & KeywordTable.codeMask
            let isWord = (entry >> 20) & 1
            if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: isWord != 0) }
            if code == 0 {
                state = 0
                wordHistory = wordHistory << 1 | isWord
            } else {
                let (next, hasReport) = Self.step(from: state, code: code, sections: sections)
                state = next
                ring[fed & ringMask] = RingEntry(
                    startByte: start,
                    startCharacter: character,
                    scalar: scalar,
                    flags: wordHistory & 1
                )
                fed &+= 1
                wordHistory = wordHistory << 1 | isWord
                if hasReport {
                    self.collect(
                        from: next,
                        fed: fed,
                        ring: ring,
                        end: byteOffset,
                        endCharacter: characterOffset,
                        info: sections.info
                    )
                }
            }
            if !self.pending.isEmpty, self.pending.count > self.awaitingBoundary {
                var liveStart = Int.max
                let depth = Int(sections.info[Int(state) &* 2 &+ 1])
                if depth > 0, depth <= fed {
                    liveStart = ring[(fed &- depth) & ringMask].startByte
                }
                self.settle(liveStart: liveStart, into: &found)
            }
        }
        self.registers.state = state
        self.registers.fed = fed
        self.registers.wordHistory = wordHistory
        self.registers.lastCode = 0
        self.byteOffset = byteOffset
        self.characterOffset = characterOffset
    }

    /// The scalar that starts at `index` of valid UTF-8, and its length in bytes.
    @inline(__always)
    private static func decode(_ input: UnsafePointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(input[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(input[index &+ 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return (
                (lead & 0x0F) << 12 | UInt32(input[index &+ 1] & 0x3F) << 6 | UInt32(input[index &+ 2] & 0x3F), 3
            )
        }
        return (
            (lead & 0x07) << 18 | UInt32(input[index &+ 1] & 0x3F) << 12 | UInt32(input[index &+ 2] & 0x3F) << 6
                | UInt32(input[index &+ 3] & 0x3F),
            4
        )
    }

    /// The automaton's move from the state in cell `state` on `code`, following failure links:
    /// the next state's cell and whether it has matches to report.
    @inline(__always)
    private static func step(from state: UInt32, code: UInt32, sections: Sections) -> (UInt32, Bool) {
        let cells = sections.cells
        let mask = KeywordTable.valueMask
        let flag = KeywordTable.flag
        var current = state
        while current != 0 {
            let base = cells[Int(current) &* 2]
            let target = (base & mask) &+ code
            let check = cells[Int(target) &* 2 &+ 1]
            if check & mask == current { return (target, check & flag != 0) }
            current = base & flag != 0 ? 0 : sections.info[Int(current) &* 2]
        }
        let target = sections.root[Int(code)]
        return (target & mask, target & flag != 0)
    }

    /// Feeds one folded character to the automaton.
    @inline(__always)
    private mutating func advance(
        _ code: UInt32,
        isWord: Bool,
        scalar: UInt32,
        start: Int,
        character: Int,
        end: Int,
        registers: inout Registers,
        sections: Sections
    ) {
        let cells = sections.cells
        let mask = KeywordTable.valueMask
        if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: isWord) }
        if registers.spaceAfterWord {
            // A space between words: skipped between single letters ("f u c k"), matched where a
            // term has one ("kill yourself"), else the end of a term.
            registers.spaceAfterWord = false
            if isWord, !registers.spacedSingle, registers.state != 0 {
                var spaced: UInt32 = 0
                if sections.spaceCode != 0 {
                    let target = (cells[Int(registers.state) &* 2] & mask) &+ sections.spaceCode
                    if cells[Int(target) &* 2 &+ 1] & mask == registers.state { spaced = target }
                }
                if spaced != 0 {
                    registers.state = spaced
                    sections.ring[registers.fed & self.ringMask] = RingEntry(
                        startByte: start,
                        startCharacter: character,
                        scalar: 0x20,
                        flags: 2
                    )
                    registers.fed &+= 1
                    registers.lastCode = sections.spaceCode
                } else {
                    registers.state = 0
                    registers.lastCode = 0
                }
            }
        }
        guard code != 0 else {
            // No term uses this character: every term in progress ends here and no later match
            // can reach back past it, so it needs no place in the ring.
            registers.state = 0
            registers.lastCode = 0
            registers.gap = 0
            registers.skipped = false
            registers.wordHistory = registers.wordHistory << 1 | (isWord ? 1 : 0)
            return
        }
        if sections.collapsesRepeats, code == registers.lastCode, registers.state != 0 {
            let target = (cells[Int(registers.state) &* 2] & mask) &+ code
            if cells[Int(target) &* 2 &+ 1] & mask != registers.state {
                registers.skipped = true
                registers.wordHistory = registers.wordHistory << 1 | (isWord ? 1 : 0)
                return
            }
        }
        let (next, hasReport) = Self.step(from: registers.state, code: code, sections: sections)
        registers.state = next
        sections.ring[registers.fed & self.ringMask] = RingEntry(
            startByte: start,
            startCharacter: character,
            scalar: scalar,
            flags: (registers.wordHistory & 1) | (registers.skipped ? 2 : 0)
        )
        registers.fed &+= 1
        registers.gap = 0
        registers.skipped = false
        registers.lastCode = code
        registers.wordHistory = registers.wordHistory << 1 | (isWord ? 1 : 0)
        if hasReport {
            self.collect(
                from: next,
                fed: registers.fed,
                ring: sections.ring,
                end: end,
                endCharacter: character &+ 1,
                info: sections.info
            )
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
