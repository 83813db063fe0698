import HeguiCore
import Testing

/// Look-alike characters and characters written as their components (TC-7.7: the keyword check
/// must survive the disguises evaders use).
@Suite struct ChineseEvasionFoldingTests {
    static let lexicon: Lexicon = {
        let text = """
            # risk: A1f action: block
            口交
            强奸
            奸
            # risk: A1d action: block
            汽车炸弹
            枪支
            # risk: A1h action: block
            偷税漏税
            # risk: custom.exact action: flag options: exact
            张三丰
            """
        return try! LexiconParser.parse(text, file: "evasion.txt")
    }()

    static let matcher = KeywordMatcher(lexicon: lexicon, folding: .all)

    /// The terms found and the original text each covers.
    static func found(_ text: String, matcher: KeywordMatcher = matcher) -> [String] {
        matcher.matches(in: text).map { match in
            "\(matcher.entries[match.entry].term)=\(text.text(in: match.span))"
        }
    }

    @Test(arguments: [
        // kana drawn like ideographs
        ("她说ロ交", ["口交=ロ交"]),
        // a CJK radical for the ideograph it equals
        ("汽⻋炸弹", ["汽车炸弹=汽⻋炸弹"]),
        // variant forms (kZVariant) and traditional forms together
        ("偷稅漏稅", ["偷税漏税=偷稅漏稅"]),
        // one character split into its components
        ("强女干", ["强奸=强女干"]),
        ("弓虽奸", ["强奸=弓虽奸", "奸=奸"]),
        // every splittable character split
        ("弓虽女干", ["强奸=弓虽女干"]),
        ("木仓支", ["枪支=木仓支"]),
        // components in traditional form, with noise between them
        ("木倉支", ["枪支=木倉支"]),
        ("弓 虽 女*干", ["强奸=弓 虽 女*干"]),
        // split and look-alike together
        ("汽车火乍弓单", ["汽车炸弹=汽车火乍弓单"]),
        // a single-character term is not matched through its components
        ("女干部开会", []),
        ("奸商", ["奸=奸"]),
        // exact-only terms get no split forms
        ("弓长三丰", []),
        ("张三丰", ["张三丰=张三丰"]),
    ])
    func findsDisguisedTerms(text: String, expected: [String]) {
        #expect(Self.found(text) == expected)
    }

    @Test(arguments: [
        ("她说ロ交", FoldingOptions(homoglyphs: false)),
        ("汽⻋炸弹", FoldingOptions(homoglyphs: false)),
        ("弓虽女干", FoldingOptions(splitCharacters: false)),
        ("木仓支", FoldingOptions.none),
    ])
    func eachFoldingCanBeTurnedOff(text: String, folding: FoldingOptions) {
        #expect(Self.found(text, matcher: KeywordMatcher(lexicon: Self.lexicon, folding: folding)).isEmpty)
    }

    /// Every combination for up to three splittable characters, each alone and all together
    /// beyond that.
    @Test(arguments: [
        ("强奸", ["弓虽奸", "强女干", "弓虽女干"]),
        ("枪支", ["木仓支"]),
        ("奸", []),
        ("汽车炸弹", ["氵气车炸弹", "汽车火乍弹", "汽车炸弓单", "氵气车火乍弹", "氵气车炸弓单", "汽车火乍弓单", "氵气车火乍弓单"]),
        (
            "恐怖组织招募",
            ["巩心怖组织招募", "恐忄布组织招募", "恐怖纟且织招募", "恐怖组纟只招募", "恐怖组织扌召募", "恐怖组织招莫力", "巩心忄布纟且纟只扌召莫力"]
        ),
    ])
    func splitForms(term: String, expected: [String]) {
        let folder = TextFolder(options: .all)
        let variants = KeywordMatcher.splitVariants(of: folder.foldPattern(term), folder: folder)
        #expect(variants.map { String(String.UnicodeScalarView($0.compactMap(Unicode.Scalar.init))) } == expected)
    }

    @Test func splitFormsSurviveStreamingAcrossEveryChunkBoundary() {
        let text = "他想弓虽女干别人"
        let scalars = Array(text.unicodeScalars)
        for cut in 1..<scalars.count {
            var scanner = Self.matcher.makeScanner()
            var found = scanner.feed(String(String.UnicodeScalarView(scalars[..<cut])))
            found += scanner.feed(String(String.UnicodeScalarView(scalars[cut...])))
            found += scanner.finish()
            #expect(found.map { text.text(in: $0.span) } == ["弓虽女干"], "cut at \(cut)")
        }
    }

    @Test func theFoldingsSurviveSerialization() throws {
        let folding = FoldingOptions(homoglyphs: false, splitCharacters: true)
        let matcher = KeywordMatcher(lexicon: Self.lexicon, folding: folding)
        let restored = try KeywordMatcher(serialized: matcher.serialized())
        #expect(restored.folding == folding)
        #expect(Self.found("弓虽女干", matcher: restored) == ["强奸=弓虽女干"])
        #expect(Self.found("她说ロ交", matcher: restored).isEmpty)
    }
}
