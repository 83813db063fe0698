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
    private var previousWord = false
    private var spaceAfterWord = false
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
        let depth = Int(self.matcher.table.words[self.matcher.table.statesBase + Int(self.state) * 4 + 3] & 0xFFFF)
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

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, into found: inout [KeywordMatch]) {
        let table = self.matcher.table
        let maximumGap = self.matcher.folding.maximumNoiseGap
        let collapsesRepeats = self.matcher.folding.repeats
        table.words.withUnsafeBufferPointer { words in
            let pageIndex = words.baseAddress!  // The table is never empty: it starts with the page index.
            let pages = pageIndex + table.pagesBase
            let expansions = pageIndex + table.expansionsBase
            let slots = pageIndex + table.slotsBase
            let slotMask = (1 << table.slotBits) - 1
            let slotShift = UInt64(64 - table.slotBits)
            let root = pageIndex + table.rootBase
            let states = pageIndex + table.statesBase

            @inline(__always)
            func child(_ state: UInt32, _ code: UInt32) -> UInt32 {
                var slot = Int(KeywordTable.hash(state: state, code: code, shift: slotShift))
                while true {
                    let base = slots + slot * 4
                    let owner = base[0]
                    if owner == state && base[1] == code { return base[2] }
                    if owner == .max { return 0 }
                    slot = (slot + 1) & slotMask
                }
            }

            @inline(__always)
            func step(_ state: UInt32, _ code: UInt32) -> UInt32 {
                guard code != 0 else { return 0 }
                var current = state
                while current != 0 {
                    let next = child(current, code)
                    if next != 0 { return next }
                    current = states[Int(current) * 4]
                }
                return root[Int(code)]
            }

            guard let input = bytes.baseAddress else { return }
            let count = bytes.count
            var index = 0
            var byteOffset = self.byteOffset
            var characterOffset = self.characterOffset
            while index < count {
                let lead = UInt32(input[index])
                var scalar: UInt32
                var length: Int
                if lead < 0x80 {
                    scalar = lead
                    length = 1
                } else if lead < 0xE0 {
                    scalar = (lead & 0x1F) << 6 | UInt32(input[index + 1] & 0x3F)
                    length = 2
                } else if lead < 0xF0 {
                    scalar = (lead & 0x0F) << 12 | UInt32(input[index + 1] & 0x3F) << 6 | UInt32(input[index + 2] & 0x3F)
                    length = 3
                } else {
                    scalar =
                        (lead & 0x07) << 18 | UInt32(input[index + 1] & 0x3F) << 12
                        | UInt32(input[index + 2] & 0x3F) << 6 | UInt32(input[index + 3] & 0x3F)
                    length = 4
                }
                let scalarStart = byteOffset
                let scalarCharacter = characterOffset
                index += length
                byteOffset += length
                characterOffset += 1

                let entry = pages[Int(pageIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
                let kind = entry >> KeywordTable.kindShift
                if kind == KeywordTable.kindSingle {
                    self.feedCode(
                        entry & KeywordTable.codeMask,
                        isWord: entry & KeywordTable.wordBit != 0,
                        scalar: scalar,
                        start: scalarStart,
                        startCharacter: scalarCharacter,
                        end: byteOffset,
                        collapsesRepeats: collapsesRepeats,
                        states: states,
                        step: step,
                        child: child,
                        into: &found
                    )
                } else if kind == KeywordTable.kindNoise {
                    if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: false) }
                    if entry & KeywordTable.spaceBit != 0, self.previousWord {
                        self.spaceAfterWord = true
                    }
                    self.previousWord = false
                    if self.state != 0 {
                        self.gap += 1
                        self.skipped = true
                        if self.gap > maximumGap {
                            self.state = 0
                            self.lastCode = 0
                        }
                    }
                } else if kind == KeywordTable.kindExpansion {
                    let expansion = expansions + Int(entry & KeywordTable.codeMask)
                    for position in 0..<Int(expansion[0]) {
                        let code = expansion[1 + position]
                        self.feedCode(
                            code & KeywordTable.codeMask,
                            isWord: code & (1 << 31) != 0,
                            scalar: scalar,
                            start: scalarStart,
                            startCharacter: scalarCharacter,
                            end: byteOffset,
                            collapsesRepeats: collapsesRepeats,
                            states: states,
                            step: step,
                            child: child,
                            into: &found
                        )
                    }
                }
                if !self.pending.isEmpty, self.awaitingBoundary == 0 || self.pending.count > self.awaitingBoundary {
                    self.byteOffset = byteOffset
                    self.characterOffset = characterOffset
                    self.settle(liveStart: self.liveStart(states: states), into: &found)
                }
            }
            self.byteOffset = byteOffset
            self.characterOffset = characterOffset
        }
    }

    @inline(__always)
    private mutating func feedCode(
        _ code: UInt32,
        isWord: Bool,
        scalar: UInt32,
        start: Int,
        startCharacter: Int,
        end: Int,
        collapsesRepeats: Bool,
        states: UnsafePointer<UInt32>,
        step: (UInt32, UInt32) -> UInt32,
        child: (UInt32, UInt32) -> UInt32,
        into found: inout [KeywordMatch]
    ) {
        if self.awaitingBoundary > 0 { self.resolveBoundaries(isWord: isWord) }
        if self.spaceAfterWord {
            self.spaceAfterWord = false
            if isWord {
                self.state = 0
                self.lastCode = 0
            }
        }
        if collapsesRepeats, code == self.lastCode, code != 0, self.state != 0, child(self.state, code) == 0 {
            self.skipped = true
            self.previousWord = isWord
            return
        }
        let next = step(self.state, code)
        self.state = next
        self.ring[self.fed & self.ringMask] = RingEntry(
            startByte: start,
            startCharacter: startCharacter,
            scalar: scalar,
            flags: (self.previousWord ? 1 : 0) | (self.skipped ? 2 : 0)
        )
        self.fed += 1
        self.gap = 0
        self.skipped = false
        self.lastCode = code
        self.previousWord = isWord
        let report = states[Int(next) * 4 + 1]
        if report != 0 {
            self.collect(from: report, end: end, endCharacter: startCharacter + 1, states: states)
        }
    }

    private mutating func collect(from report: UInt32, end: Int, endCharacter: Int, states: UnsafePointer<UInt32>) {
        let table = self.matcher.table
        var report = report
        while report != 0 {
            let outputStart = Int(states[Int(report) * 4 + 2])
            let outputCount = Int(states[Int(report) * 4 + 3] >> 16)
            for output in 0..<outputCount {
                let pattern = Int(table.words[table.outputsBase + outputStart + output])
                let info = table.patternsBase + pattern * 4
                let entry = Int(table.words[info])
                let length = Int(table.words[info + 1])
                let flags = table.words[info + 2]
                guard length <= self.fed, length <= self.ring.count else { continue }
                let first = self.ring[(self.fed - length) & self.ringMask]
                if flags & KeywordTable.patternLeftBoundary != 0, first.flags & 1 != 0 {
                    continue
                }
                if flags & KeywordTable.patternExact != 0,
                    !self.isExact(length: length, scalars: Int(table.words[info + 3]), count: Int(flags >> 16))
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
            report = states[Int(states[Int(report) * 4]) * 4 + 1]
        }
    }

    /// Whether the last `length` matched characters are the term exactly as written: the same
    /// original characters, none skipped between them.
    private func isExact(length: Int, scalars: Int, count: Int) -> Bool {
        let table = self.matcher.table
        var originals: [UInt32] = []
        var previousStart = -1
        for position in (self.fed - length)..<self.fed {
            let entry = self.ring[position & self.ringMask]
            if position > self.fed - length, entry.flags & 2 != 0 { return false }
            if entry.startByte != previousStart {
                originals.append(entry.scalar)
                previousStart = entry.startByte
            }
        }
        guard originals.count == count else { return false }
        for position in 0..<count where table.words[table.exactBase + scalars + position] != originals[position] {
            return false
        }
        return true
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

    private func liveStart(states: UnsafePointer<UInt32>) -> Int {
        let depth = Int(states[Int(self.state) * 4 + 3] & 0xFFFF)
        guard depth > 0, depth <= self.fed else { return .max }
        return self.ring[(self.fed - depth) & self.ringMask].startByte
    }

    /// Applies allowed terms to the matches they cover and reports those that nothing can veto
    /// any more: they start before every term still in progress.
    private mutating func settle(liveStart: Int, into found: inout [KeywordMatch]) {
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
        }
        var kept: [Candidate] = []
        for candidate in self.pending {
            if candidate.isAllowed || candidate.awaitsBoundary {
                kept.append(candidate)
                continue
            }
            let vetoable =
                candidate.span.bytes.lowerBound >= liveStart
                || self.pending.contains { other in
                    other.isAllowed && candidate.span.isCovered(by: other.span)
                }
            if vetoable {
                kept.append(candidate)
            } else {
                found.append(KeywordMatch(entry: candidate.entry, span: candidate.span))
            }
        }
        self.pending = kept
    }

    /// Whether an allowed term for `scope` (nil: all risks) suppresses a hit of `risk`.
    private static func allow(_ scope: RiskCode?, covers risk: RiskCode?) -> Bool {
        guard let scope else { return true }
        guard let risk else { return false }
        if scope == risk { return true }
        return scope.isClass && risk.riskClass?.rawValue == scope.rawValue
    }
}
