/// One term found in text: which lexicon entry, and where in the ORIGINAL text.
package struct KeywordMatch: Sendable, Hashable {
    /// The index of the entry in the matcher's ``KeywordMatcher/entries``.
    package var entry: Int
    /// Where the match lies in the original text.
    package var span: TextSpan

    package init(entry: Int, span: TextSpan) {
        self.entry = entry
        self.span = span
    }
}

/// How overlapping matches are reported.
package enum MatchSemantics: Sendable {
    /// Every match, overlapping ones included (what a verdict records).
    case all
    /// Leftmost-longest, non-overlapping (what redaction masks).
    case leftmostLongest
}

/// A compiled lexicon: finds its terms in text through every folding of ``FoldingOptions``,
/// in one pass, in whole texts or across the chunks of a stream.
///
/// ```swift
/// let matcher = KeywordMatcher(lexicon: lexicon, folding: .all)
/// for match in matcher.matches(in: "傻 B") {
///     print(matcher.entries[match.entry].term, match.span)
/// }
/// ```
///
/// Building is the expensive part (100,000 terms take about a second); build off the request
/// path and share the matcher, which is immutable and `Sendable`.
package final class KeywordMatcher: Sendable {
    /// The lexicon entries, indexed by ``KeywordMatch/entry``.
    package let entries: [LexiconEntry]
    /// The foldings this matcher applies.
    package let folding: FoldingOptions
    /// Whether Latin terms match only at word boundaries.
    package let latinWordBoundaries: Bool
    /// Entries that can never match (nothing left after folding) and were left out.
    package let unmatchableEntries: [Int]
    /// The number of patterns compiled (terms plus their pinyin and split-character forms).
    package let patternCount: Int
    /// The number of automaton states.
    package let stateCount: Int
    let table: KeywordTable
    /// See ``KeywordTable/isOneToOne``.
    let isOneToOne: Bool

    /// The longest pinyin-marked term expanded into pinyin forms, in characters.
    package static let maximumPinyinTermLength = 8
    private static let maximumPinyinVariants = 64
    /// The most split-character forms of one term.
    package static let maximumSplitVariants = 8

    /// Compiles a lexicon.
    /// - Parameters:
    ///   - lexicon: the terms; allowed terms included.
    ///   - folding: the foldings to apply to terms and text alike.
    ///   - latinWordBoundaries: whether terms that start or end with a Latin letter or digit
    ///     match only at word boundaries ("ass" not in "class") unless marked `substring`.
    package convenience init(lexicon: Lexicon, folding: FoldingOptions = .all, latinWordBoundaries: Bool = true) {
        self.init(entries: lexicon.entries, folding: folding, latinWordBoundaries: latinWordBoundaries)
    }

    package init(entries: [LexiconEntry], folding: FoldingOptions = .all, latinWordBoundaries: Bool = true) {
        self.entries = entries
        self.folding = folding
        self.latinWordBoundaries = latinWordBoundaries
        let folder = TextFolder(options: folding)

        var alphabet: [UInt32: UInt32] = [:]
        // Patterns flat (one allocation, not two per pattern: 100,000 terms make 300,000 patterns
        // with their split forms): codes back to back, where each starts, and four info words each.
        var patternCodes: [UInt32] = []
        var patternStarts: [Int] = [0]
        var patternInfo: [UInt32] = []
        var exactScalars: [UInt32] = []
        var unmatchable: [Int] = []
        patternStarts.reserveCapacity(entries.count + 1)
        patternInfo.reserveCapacity(entries.count * 4)

        func code(for scalar: UInt32) -> UInt32 {
            if let code = alphabet[scalar] { return code }
            let code = UInt32(alphabet.count + 1)
            alphabet[scalar] = code
            return code
        }

        for (index, entry) in entries.enumerated() where !entry.options.contains(.regex) {
            let base = folder.foldPattern(entry.term)
            guard !base.isEmpty, base.count <= 0xFFFF else {
                unmatchable.append(index)
                continue
            }
            var variants: [(scalars: [UInt32], isBase: Bool)] = [(base, true)]
            if base.contains(0x20) {
                // "kill yourself" also as "killyourself".
                variants.append((base.filter { $0 != 0x20 }, false))
            }
            if folding.pinyin, entry.options.contains(.pinyin) {
                variants += Self.pinyinVariants(of: base).map { ($0, false) }
            }
            if folding.splitCharacters, !entry.options.contains(.exact) {
                variants += Self.splitVariants(of: base, folder: folder).map { ($0, false) }
            }
            for (scalars, isBase) in variants {
                var flags: UInt32 = entry.isAllowed ? KeywordTable.patternAllowed : 0
                if entry.options.contains(.word) {
                    flags |= KeywordTable.patternLeftBoundary | KeywordTable.patternRightBoundary
                } else if latinWordBoundaries, !entry.options.contains(.substring) {
                    if let first = scalars.first, TextFolder.isWordCharacter(first) {
                        flags |= KeywordTable.patternLeftBoundary
                    }
                    if let last = scalars.last, TextFolder.isWordCharacter(last) {
                        flags |= KeywordTable.patternRightBoundary
                    }
                }
                var exactStart: UInt32 = 0
                if isBase, entry.options.contains(.exact) {
                    let original = entry.term.unicodeScalars.map(\.value)
                    flags |= KeywordTable.patternExact | UInt32(min(original.count, 0xFFFF)) << 16
                    exactStart = UInt32(exactScalars.count)
                    exactScalars.append(contentsOf: original)
                }
                for scalar in scalars { patternCodes.append(code(for: scalar)) }
                patternStarts.append(patternCodes.count)
                patternInfo += [UInt32(index), UInt32(scalars.count), flags, exactStart]
            }
        }

        let patternCount = patternStarts.count - 1
        var maximumLength = 1
        var automaton: KeywordAutomatonBuilder.Built
        let stateCount: Int
        do {
            var builder = KeywordAutomatonBuilder(alphabetSize: alphabet.count, expectedStates: patternCodes.count + 1)
            for id in 0..<patternCount {
                let codes = patternCodes[patternStarts[id]..<patternStarts[id + 1]]
                builder.insert(codes, id: UInt32(id))
                maximumLength = max(maximumLength, codes.count)
            }
            automaton = builder.build()
            stateCount = builder.stateCount
        }
        patternCodes = []
        patternStarts = []

        var characters = CharacterTableBuilder()
        func entry(for scalar: UInt32) -> UInt32 {
            switch folder.fold(scalar) {
            case .ignorable:
                return KeywordTable.kindIgnorable << KeywordTable.kindShift
            case .noise:
                let isSpace = Unicode.Scalar(scalar)?.properties.isWhitespace ?? false
                return KeywordTable.kindNoise << KeywordTable.kindShift | (isSpace ? KeywordTable.spaceBit : 0)
            case .scalars(let folded):
                if folded.count == 1 {
                    let isWord = TextFolder.isWordCharacter(folded[0])
                    return (alphabet[folded[0]] ?? 0) | (isWord ? KeywordTable.wordBit : 0)
                }
                let codes = folded.map { part -> UInt32 in
                    (alphabet[part] ?? 0) | (TextFolder.isWordCharacter(part) ? 1 << 31 : 0)
                }
                return characters.addExpansion(codes) | KeywordTable.kindExpansion << KeywordTable.kindShift
            }
        }
        var explicit = Set<UInt32>(folder.foldedScalars)
        explicit.formUnion(alphabet.keys)
        explicit.formUnion(folding.boundaries.map(\.value))
        for range in folder.classifiedRanges {
            explicit.formUnion(range)
        }
        explicit.formUnion(0..<0x3000)
        // Full-width letters and digits stay word characters with width folding off ("Ａass" is
        // not "ass" on its own).
        explicit.formUnion(0xFF00..<0xFFF0)
        for scalar in explicit where Unicode.Scalar(scalar) != nil {
            let value = entry(for: scalar)
            if value != 0 {
                characters.set(scalar, value)
            }
        }

        // One allocation of the final size: appending part by part would grow the array by
        // doubling, holding up to three times the table at once.
        var words: [UInt32] = []
        words.reserveCapacity(
            characters.pageIndex.count + characters.pages.count + characters.expansions.count
                + automaton.cells.count + automaton.info.count + automaton.reports.count
                + automaton.rootTargets.count + automaton.outputs.count + patternInfo.count + exactScalars.count
        )
        words += characters.pageIndex
        let pagesBase = words.count
        words += characters.pages
        let expansionsBase = words.count
        words += characters.expansions
        let cellsBase = words.count
        let cellCount = automaton.cells.count / 2
        words += automaton.cells
        automaton.cells = []
        let infoBase = words.count
        words += automaton.info
        automaton.info = []
        let reportsBase = words.count
        words += automaton.reports
        automaton.reports = []
        let rootBase = words.count
        words += automaton.rootTargets
        let outputsBase = words.count
        words += automaton.outputs
        let patternsBase = words.count
        words += patternInfo
        let exactBase = words.count
        words += exactScalars

        self.table = KeywordTable(
            words: words,
            pagesBase: pagesBase,
            expansionsBase: expansionsBase,
            cellsBase: cellsBase,
            cellCount: cellCount,
            infoBase: infoBase,
            reportsBase: reportsBase,
            rootBase: rootBase,
            outputsBase: outputsBase,
            patternsBase: patternsBase,
            patternCount: patternCount,
            exactBase: exactBase,
            spaceCode: folding.noise ? alphabet[0x20] ?? 0 : 0,
            maximumPatternLength: maximumLength
        )
        self.isOneToOne = self.table.isOneToOne
        self.unmatchableEntries = unmatchable
        self.patternCount = patternCount
        self.stateCount = stateCount
    }

    /// A matcher from its parts, as read back from its serialized form.
    init(
        entries: [LexiconEntry],
        folding: FoldingOptions,
        latinWordBoundaries: Bool,
        unmatchableEntries: [Int],
        patternCount: Int,
        stateCount: Int,
        table: KeywordTable
    ) {
        self.entries = entries
        self.folding = folding
        self.latinWordBoundaries = latinWordBoundaries
        self.unmatchableEntries = unmatchableEntries
        self.patternCount = patternCount
        self.stateCount = stateCount
        self.table = table
        self.isOneToOne = table.isOneToOne
    }

    /// Every match in a whole text, in order of position.
    package func matches(in text: String, semantics: MatchSemantics = .all) -> [KeywordMatch] {
        var scanner = self.makeScanner()
        var found = scanner.feed(text)
        found += scanner.finish()
        found.sort { $0.span == $1.span ? $0.entry < $1.entry : $0.span < $1.span }
        switch semantics {
        case .all:
            return found
        case .leftmostLongest:
            return Self.leftmostLongest(found)
        }
    }

    /// A scanner for a text that arrives in chunks.
    package func makeScanner() -> KeywordScanner {
        KeywordScanner(matcher: self)
    }

    /// The bytes of the compiled tables (for the memory figures of `hegui lexicon stats`).
    package var tableByteCount: Int { self.table.words.count * 4 }

    /// Non-overlapping matches, leftmost first and longest among those starting together.
    package static func leftmostLongest(_ sorted: [KeywordMatch]) -> [KeywordMatch] {
        var chosen: [KeywordMatch] = []
        var end = Int.min
        for match in sorted where match.span.bytes.lowerBound >= end {
            chosen.append(match)
            end = match.span.bytes.upperBound
        }
        return chosen
    }

    /// Split-character forms of a term (张三 as 弓长三): every combination when up to three of
    /// its characters can be written as two components, else each of them alone and all at once.
    ///
    /// Terms of one character get none: its two components are often an everyday pair on their
    /// own (女干 in 女干部 for 奸), while in a longer term the other characters anchor the match.
    package static func splitVariants(of folded: [UInt32], folder: TextFolder) -> [[UInt32]] {
        guard folded.count >= 2 else { return [] }
        let splits = UnicodeTables.decoded.splits
        var components: [Int: [UInt32]] = [:]
        for (index, scalar) in folded.enumerated() {
            guard let parts = splits[scalar] else { continue }
            var written: [UInt32] = []
            for part in parts {
                guard case .scalars(let folded) = folder.fold(part) else { break }
                written += folded
            }
            if written.count >= 2 {
                components[index] = written
            }
        }
        guard !components.isEmpty else { return [] }
        func variant(splitting positions: Set<Int>) -> [UInt32] {
            var result: [UInt32] = []
            for (index, scalar) in folded.enumerated() {
                if positions.contains(index), let parts = components[index] {
                    result += parts
                } else {
                    result.append(scalar)
                }
            }
            return result
        }
        let positions = components.keys.sorted()
        var variants: [[UInt32]] = []
        if positions.count <= 3 {
            // By the number of characters split, then by position.
            let subsets = (1..<(1 << positions.count)).sorted { ($0.nonzeroBitCount, $0) < ($1.nonzeroBitCount, $1) }
            for mask in subsets {
                variants.append(
                    variant(splitting: Set(positions.indices.filter { mask & (1 << $0) != 0 }.map { positions[$0] }))
                )
            }
        } else {
            for position in positions.prefix(Self.maximumSplitVariants - 1) {
                variants.append(variant(splitting: [position]))
            }
            variants.append(variant(splitting: Set(positions)))
        }
        return variants
    }

    /// Pinyin forms of a term: full pinyin, initials and, for short terms, mixes of characters
    /// and pinyin ("zha骗"). Characters without a reading stay as they are.
    package static func pinyinVariants(of folded: [UInt32]) -> [[UInt32]] {
        guard folded.count <= Self.maximumPinyinTermLength else { return [] }
        let readings = UnicodeTables.pinyinReadings
        let perCharacter: [[String]] = folded.map { value in
            guard let scalar = Unicode.Scalar(value) else { return [] }
            return readings.readings(of: scalar)
        }
        guard perCharacter.contains(where: { !$0.isEmpty }) else { return [] }
        var variants: [[UInt32]] = []
        var seen = Set<[UInt32]>()
        func add(_ variant: [UInt32]) {
            guard variants.count < Self.maximumPinyinVariants, variant != folded, seen.insert(variant).inserted else {
                return
            }
            variants.append(variant)
        }
        func expand(_ choices: [[[UInt32]]]) {
            var partial: [[UInt32]] = [[]]
            for options in choices {
                var next: [[UInt32]] = []
                for prefix in partial {
                    for option in options {
                        next.append(prefix + option)
                        if next.count >= Self.maximumPinyinVariants { break }
                    }
                }
                partial = next
            }
            partial.forEach(add)
        }
        let literal: (Int) -> [UInt32] = { [folded[$0]] }
        // Full pinyin, every reading of each character.
        expand(
            perCharacter.indices.map { index in
                perCharacter[index].isEmpty
                    ? [literal(index)] : perCharacter[index].map { Array($0.unicodeScalars.map(\.value)) }
            }
        )
        // Initials.
        if folded.count >= 2 {
            expand(
                perCharacter.indices.map { index in
                    let initials = Set(perCharacter[index].compactMap { $0.unicodeScalars.first?.value })
                    return initials.isEmpty ? [literal(index)] : initials.sorted().map { [$0] }
                }
            )
        }
        // Mixed characters and first readings.
        if folded.count <= 4 {
            let first = perCharacter.map { $0.first.map { Array($0.unicodeScalars.map(\.value)) } }
            let withReading = first.indices.filter { first[$0] != nil }
            if withReading.count >= 2 {
                for mask in 1..<(1 << withReading.count) - 1 {
                    var variant: [UInt32] = []
                    for index in folded.indices {
                        if let position = withReading.firstIndex(of: index), mask & (1 << position) != 0,
                            let reading = first[index]
                        {
                            variant += reading
                        } else {
                            variant.append(folded[index])
                        }
                    }
                    add(variant)
                }
            }
        }
        return variants
    }
}
