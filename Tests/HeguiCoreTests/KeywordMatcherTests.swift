import HeguiCore
import Testing

/// Requirement IDs: TC-7.7, TC-8.1 (keyword library), IM-4 (prohibited content).
@Suite struct KeywordMatcherTests {
    static let lexicon: Lexicon = {
        let text = """
            # risk: A4a action: block options: pinyin
            诈骗
            傻逼
            # risk: A1f action: block
            口交
            fuck
            ass
            # allow
            路口交通
            # risk: custom.exact action: flag options: exact
            秘密项目
            # risk: A1d action: block
            恐怖袭击
            """
        return try! LexiconParser.parse(text, file: "test.txt")
    }()

    static let matcher = KeywordMatcher(lexicon: lexicon, folding: .all)

    /// The terms found and the original text each covers.
    static func found(_ text: String, matcher: KeywordMatcher = matcher) -> [String] {
        matcher.matches(in: text).map { match in
            "\(matcher.entries[match.entry].term)=\(text.text(in: match.span))"
        }
    }

    @Test(arguments: [
        // plain
        ("这是诈骗电话", ["诈骗=诈骗"]),
        // width and case
        ("ＦＵＣＫ you", ["fuck=ＦＵＣＫ"]),
        ("FuCk", ["fuck=FuCk"]),
        // traditional
        ("這是詐騙", ["诈骗=詐騙"]),
        // styles: circled, mathematical, parenthesised
        ("🄵🅄🄲🄺", ["fuck=🄵🅄🄲🄺"]),
        ("𝐟𝐮𝐜𝐤", ["fuck=𝐟𝐮𝐜𝐤"]),
        ("ⓕⓤⓒⓚ", ["fuck=ⓕⓤⓒⓚ"]),
        // invisible characters
        ("诈\u{200B}骗", ["诈骗=诈\u{200B}骗"]),
        ("傻\u{FE0F}\u{202E}逼", ["傻逼=傻\u{FE0F}\u{202E}逼"]),
        // noise within the gap
        ("傻*逼", ["傻逼=傻*逼"]),
        ("傻 * 逼", ["傻逼=傻 * 逼"]),
        ("诈😀骗", ["诈骗=诈😀骗"]),
        ("f.u.c.k", ["fuck=f.u.c.k"]),
        // noise beyond the gap
        ("傻****逼", []),
        // sentence punctuation is a boundary, not noise
        ("出口，交易", []),
        // repeated characters
        ("傻傻傻逼", ["傻逼=傻傻傻逼"]),
        ("fuuuuck", ["fuck=fuuuuck"]),
        // confusables (Cyrillic а, с; Greek κ)
        ("fuсκ", ["fuck=fuсκ"]),
        // pinyin and initials
        ("这是zhapian吧", ["诈骗=zhapian"]),
        ("ZhaPian", ["诈骗=ZhaPian"]),
        ("你个sb", ["傻逼=sb"]),
        ("zha骗", ["诈骗=zha骗"]),
        // word boundaries for Latin terms
        ("a classic class", []),
        ("kick his ass now", ["ass=ass"]),
        ("pass", []),
        // allow-list
        ("前面路口交通拥堵", []),
        ("她说口交", ["口交=口交"]),
        // exact-only terms
        ("秘密项目", ["秘密项目=秘密项目"]),
        ("秘 密项目", []),
        ("祕密項目", []),
        // clean text
        ("今天天气很好，我们去公园散步吧。", []),
    ])
    func findsTermsThroughEveryFolding(text: String, expected: [String]) {
        #expect(Self.found(text) == expected)
    }

    @Test func spansAreInTheOriginalText() throws {
        let text = "前文ａ傻\u{200B}*逼b"
        let matches = Self.matcher.matches(in: text)
        let match = try #require(matches.first)
        #expect(match.span.characters == 3..<7)
        #expect(match.span.bytes == 9..<(9 + 3 + 3 + 1 + 3))
        #expect(text.text(in: match.span) == "傻\u{200B}*逼")
    }

    @Test(arguments: [
        ("kill yourself", ["kill yourself=kill yourself"]),
        ("KILL    yourself", []),  // more spaces than the gap of three
        ("killyourself", ["kill yourself=killyourself"]),
        ("k i l l yourself", ["kill yourself=k i l l yourself"]),
        ("the pen is mightier", []),
        ("a penis", ["penis=penis"]),
        ("p e n i s", ["penis=p e n i s"]),
    ])
    func spacesBetweenWords(text: String, expected: [String]) {
        let lexicon = Lexicon(entries: [
            LexiconEntry(
                term: "kill yourself",
                risk: RiskCode("A4a"),
                action: .block,
                source: .init(file: "t", line: 1)
            ),
            LexiconEntry(term: "penis", risk: RiskCode("A1f"), action: .flag, source: .init(file: "t", line: 2)),
        ])
        #expect(Self.found(text, matcher: KeywordMatcher(lexicon: lexicon)) == expected)
    }

    @Test func allowedTermsSuppressOnlyTheirRisk() throws {
        let lexicon = try LexiconParser.parse(
            """
            # risk: A1f action: block
            口交
            # risk: A1d action: block
            交通
            # allow risk: A1f
            路口交通
            """,
            file: "t.txt"
        )
        let matcher = KeywordMatcher(lexicon: lexicon)
        // The allowed term covers both hits but only suppresses the A1f one.
        #expect(Self.found("路口交通", matcher: matcher) == ["交通=交通"])
    }

    /// Random texts over an alphabet of the characters the foldings care about: the scanner
    /// never traps, spans always lie inside the text, and every split into chunks finds what
    /// the whole text finds.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func randomTextsAgreeAcrossSplits(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let pieces = [
            "诈", "骗", "詐", "騙", "傻", "逼", "口", "交", "路", "通", "恐", "怖", "袭", "击", "f", "u", "c", "k", "Ｆ",
            "ⓤ", "𝐜", "к", "a", "s", "z", "h", "p", "i", "n", " ", "*", ".", "，", "😀", "\u{200B}", "\u{FE0F}", "\n",
            "①", "㈤", "ﬁ", "é", "e\u{301}", "1", "x",
        ]
        for _ in 0..<40 {
            let count = Int.random(in: 0...24, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let whole = Self.matcher.matches(in: text)
            let utf8Count = text.utf8.count
            let scalarCount = text.unicodeScalars.count
            #expect(
                whole.allSatisfy {
                    $0.span.bytes.upperBound <= utf8Count && $0.span.characters.upperBound <= scalarCount
                }
            )
            let scalars = Array(text.unicodeScalars)
            let cut = Int.random(in: 0...scalars.count, using: &generator)
            var scanner = Self.matcher.makeScanner()
            var found = scanner.feed(String(String.UnicodeScalarView(scalars[..<cut])))
            found += scanner.feed(String(String.UnicodeScalarView(scalars[cut...])))
            found += scanner.finish()
            found.sort { $0.span == $1.span ? $0.entry < $1.entry : $0.span < $1.span }
            #expect(found == whole, "text \(text.debugDescription) cut at \(cut)")
        }
    }

    /// With folding off the scanner takes its shorter loop (one code per character); it must find
    /// exactly what a brute-force search finds: every occurrence of every term, overlapping, Latin
    /// terms only between word boundaries when those are on, whole or cut into chunks.
    @Test(arguments: [(UInt64(1), true), (2, true), (3, false), (4, false)])
    func withFoldingOffEveryOccurrenceIsFound(seed: UInt64, boundaries: Bool) throws {
        let lexicon = try LexiconParser.parse(
            """
            # risk: A4a action: block
            诈骗
            骗子
            诈骗犯
            骗
            口交
            ass
            class
            fuck
            a b
            😀😀
            """,
            file: "plain.txt"
        )
        let matcher = KeywordMatcher(lexicon: lexicon, folding: .none, latinWordBoundaries: boundaries)
        let terms = matcher.entries.map { Array($0.term.unicodeScalars.map(\.value)) }
        var generator = SeededGenerator(seed: seed)
        let pieces = [
            "诈", "骗", "子", "犯", "口", "交", "a", "s", "c", "l", "k", " ", "，", "😀", "Ａ", "1", "ass", "class", "fuck",
            "a b", "诈骗",
        ]
        for _ in 0..<60 {
            let count = Int.random(in: 0...30, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let scalars = Array(text.unicodeScalars)
            let values = scalars.map(\.value)
            var byteStarts = [0]
            for scalar in scalars { byteStarts.append(byteStarts.last! + String(scalar).utf8.count) }
            var expected: [KeywordMatch] = []
            for (entry, term) in terms.enumerated() where term.count <= values.count {
                for start in 0...(values.count - term.count) where Array(values[start..<start + term.count]) == term {
                    let end = start + term.count
                    if boundaries, TextFolder.isWordCharacter(term[0]), start > 0,
                        TextFolder.isWordCharacter(values[start - 1])
                    {
                        continue
                    }
                    if boundaries, TextFolder.isWordCharacter(term[term.count - 1]), end < values.count,
                        TextFolder.isWordCharacter(values[end])
                    {
                        continue
                    }
                    expected.append(
                        KeywordMatch(
                            entry: entry,
                            span: TextSpan(bytes: byteStarts[start]..<byteStarts[end], characters: start..<end)
                        )
                    )
                }
            }
            expected.sort { $0.span == $1.span ? $0.entry < $1.entry : $0.span < $1.span }
            #expect(matcher.matches(in: text) == expected, "text \(text.debugDescription)")
            let cuts = [
                Int.random(in: 0...scalars.count, using: &generator),
                Int.random(in: 0...scalars.count, using: &generator),
            ].sorted()
            var scanner = matcher.makeScanner()
            var found = scanner.feed(String(String.UnicodeScalarView(scalars[..<cuts[0]])))
            found += scanner.feed(String(String.UnicodeScalarView(scalars[cuts[0]..<cuts[1]])))
            found += scanner.feed(String(String.UnicodeScalarView(scalars[cuts[1]...])))
            found += scanner.finish()
            found.sort { $0.span == $1.span ? $0.entry < $1.entry : $0.span < $1.span }
            #expect(found == expected, "text \(text.debugDescription) cut at \(cuts)")
        }
    }

    @Test func overlappingMatchesAndLeftmostLongest() {
        let lexicon = Lexicon(entries: [
            LexiconEntry(term: "恐怖", risk: RiskCode("A1d"), action: .flag, source: .init(file: "t", line: 1)),
            LexiconEntry(term: "恐怖袭击", risk: RiskCode("A1d"), action: .block, source: .init(file: "t", line: 2)),
            LexiconEntry(term: "袭击", risk: RiskCode("A1f"), action: .flag, source: .init(file: "t", line: 3)),
        ])
        let matcher = KeywordMatcher(lexicon: lexicon)
        let all = matcher.matches(in: "发动恐怖袭击").map { matcher.entries[$0.entry].term }
        #expect(all == ["恐怖袭击", "恐怖", "袭击"])
        let longest = matcher.matches(in: "发动恐怖袭击", semantics: .leftmostLongest).map {
            matcher.entries[$0.entry].term
        }
        #expect(longest == ["恐怖袭击"])
    }

    @Test func foldingCanBeSwitchedOff() {
        let matcher = KeywordMatcher(lexicon: Self.lexicon, folding: .none)
        #expect(Self.found("這是詐騙", matcher: matcher) == [])
        #expect(Self.found("傻*逼", matcher: matcher) == [])
        #expect(Self.found("ＦＵＣＫ", matcher: matcher) == [])
        #expect(Self.found("zhapian", matcher: matcher) == [])
        #expect(Self.found("诈骗", matcher: matcher) == ["诈骗=诈骗"])
    }

    /// Every way of cutting a text into two or three chunks finds the same matches as the whole.
    @Test(arguments: [
        "前面路口交通拥堵，她说口交不好",
        "这是詐\u{200B}騙，ＦＵＣＫ 傻 * 逼 zhapian 路口交通",
        "kick his ass now, a classic class fuuuck",
    ])
    func streamingFindsTheSameMatchesAtEverySplit(text: String) {
        let whole = Self.matcher.matches(in: text)
        let scalars = Array(text.unicodeScalars)
        for first in 0...scalars.count {
            for second in first...scalars.count {
                let chunks = [
                    String(String.UnicodeScalarView(scalars[0..<first])),
                    String(String.UnicodeScalarView(scalars[first..<second])),
                    String(String.UnicodeScalarView(scalars[second...])),
                ]
                var scanner = Self.matcher.makeScanner()
                var found: [KeywordMatch] = []
                for chunk in chunks {
                    found += scanner.feed(chunk)
                    // Text before the hold-back point is final: no later match may start there.
                    let holdBack = scanner.holdBack.bytes
                    #expect(
                        whole.allSatisfy { match in
                            found.contains(match) || match.span.bytes.lowerBound >= holdBack
                        }
                    )
                }
                found += scanner.finish()
                found.sort { $0.span == $1.span ? $0.entry < $1.entry : $0.span < $1.span }
                #expect(found == whole, "split at \(first), \(second)")
            }
        }
    }

    @Test func holdBackCoversATermInProgress() {
        var scanner = Self.matcher.makeScanner()
        #expect(scanner.feed("你好，恐怖") == [])
        // "恐怖" may become "恐怖袭击": hold back from its start (character 3).
        #expect(scanner.holdBack.characters == 3)
        #expect(scanner.feed("袭").isEmpty)
        #expect(scanner.holdBack.characters == 3)
        let found = scanner.feed("击了")
        #expect(found.map { Self.matcher.entries[$0.entry].term } == ["恐怖袭击"])
        #expect(scanner.holdBack.characters == scanner.end.characters)
    }

    @Test func allowedTermCompletingInALaterChunkStillSuppresses() {
        var scanner = Self.matcher.makeScanner()
        #expect(scanner.feed("前面路口交").isEmpty)
        #expect(scanner.holdBack.characters == 2)
        #expect(scanner.feed("通拥堵").isEmpty)
        #expect(scanner.finish().isEmpty)
    }
}

/// A small deterministic random number generator (SplitMix64) for reproducible test inputs.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var value = self.state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
