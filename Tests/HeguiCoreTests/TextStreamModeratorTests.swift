import Testing

@testable import HeguiCore

/// Streamed output checked piece by piece (issue 5 item 3; IM-14.1–14.3, TC-7.7): no prohibited
/// term, nor any prefix of one, is ever released, whatever the piece sizes.
@Suite struct TextStreamModeratorTests {
    static let lexicon: Lexicon = {
        let text = """
            # risk: A1d action: block
            恐怖袭击
            # risk: A4a action: redact
            傻逼
            # risk: A4a action: flag
            笨蛋
            """
        return try! LexiconParser.parse(text, file: "t.txt")
    }()
    static let engine = ModerationEngine(lexicon: lexicon, policies: .builtIn)

    /// Feeds `text` cut at `cuts` (scalar offsets) and returns what was released and the steps.
    static func run(_ text: String, cuts: [Int], personalInformation: Bool = false) -> (String, Bool, [ModerationHit]) {
        var policy = ModerationPolicy.builtIn
        if !personalInformation { policy.personalInformation = [] }
        var moderator = TextStreamModerator(engine: Self.engine, policy: policy)
        let scalars = Array(text.unicodeScalars)
        var released = ""
        var start = 0
        for cut in cuts.map({ min($0, scalars.count) }) + [scalars.count] where cut > start {
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[start..<cut])
            let step = moderator.feed(String(piece))
            released += step.release
            start = cut
            if step.isBlocked { return (released, true, moderator.hits) }
        }
        let last = moderator.finish()
        released += last.release
        return (released, last.isBlocked, moderator.hits)
    }

    static let blocked = "我们来谈谈恐怖袭击的话题吧"

    /// Every single cut and the one-character-per-piece case.
    static let cutTables: [[Int]] =
        (0...Self.blocked.unicodeScalars.count).map { [$0] } + [Array(0...Self.blocked.unicodeScalars.count), []]

    @Test(arguments: Self.cutTables)
    func aBlockedTermNeverReleasesAnyOfItsCharacters(cuts: [Int]) {
        let (released, isBlocked, hits) = Self.run(Self.blocked, cuts: cuts)
        #expect(isBlocked)
        #expect(hits.map(\.risk) == [RiskCode("A1d")!])
        // Only text before the term, and never the term's first character, went out.
        #expect("我们来谈谈".hasPrefix(released))
        #expect(!released.contains("恐"))
    }

    @Test(arguments: [[], [1], [3], [6, 7], Array(0...12)])
    func cleanTextIsReleasedWholeAndPromptly(cuts: [Int]) {
        let text = "今天天气很好，我们去公园散步。"
        let (released, isBlocked, hits) = Self.run(text, cuts: cuts)
        #expect(released == text)
        #expect(!isBlocked && hits.isEmpty)
    }

    @Test func textWithNoPartialTermGoesOutAtOnce() {
        var policy = ModerationPolicy.builtIn
        policy.personalInformation = []
        var moderator = TextStreamModerator(engine: Self.engine, policy: policy)
        #expect(moderator.feed("你好，").release == "你好，")
        // "恐" might begin a term: it waits; the rest of a harmless word releases it.
        #expect(moderator.feed("恐").release == "")
        #expect(moderator.feed("龙很大").release == "恐龙很大")
    }

    @Test(arguments: [[], [5], [6], [7], Array(0...12)])
    func redactedTermsAreMaskedBeforeRelease(cuts: [Int]) {
        let (released, isBlocked, hits) = Self.run("你真是个傻逼啊，再见", cuts: cuts)
        #expect(released == "你真是个**啊，再见")
        #expect(!isBlocked)
        #expect(hits.first?.span.characters == 4..<6)
    }

    @Test func flaggedTermsAreReleasedAndRecorded() {
        let (released, isBlocked, hits) = Self.run("你这个笨蛋", cuts: [4])
        #expect(released == "你这个笨蛋" && !isBlocked)
        #expect(hits.map(\.action) == [.flag])
    }

    @Test(arguments: [[], [8], [10], [15], Array(0...25)])
    func personalInformationIsHeldWholeAndMasked(cuts: [Int]) {
        // The built-in policy redacts personal information.
        let (released, _, hits) = Self.run("请拨打13812345678联系我们", cuts: cuts, personalInformation: true)
        #expect(released == "请拨打***********联系我们")
        #expect(hits.map(\.source) == [.personalInformation(.mobile)])
    }

    @Test(arguments: [
        ("abc 123", 4),
        ("中文", 6),
        ("中文１２３", 6),
        ("x@y.cn", 0),
        ("结尾。", 9),
    ])
    func personalInformationRunsAreFoundFromTheEnd(text: String, start: Int) {
        #expect(TextStreamModerator.trailingRunStart(Array(text.utf8), limit: 64) == start)
    }

    @Test(arguments: [("第一句。第二", 12), ("没有句号", 0), ("a!b", 2), ("行\n尾", 4)])
    func sentencesEndWhereExpected(text: String, end: Int) {
        #expect(TextStreamModerator.lastSentenceEnd(Array(text.utf8), limit: 256) == end)
    }
}
