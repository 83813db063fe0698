import Foundation
import HeguiCore
import HeguiReports
import Testing

/// The training-data register and the corpus check (issue 9 item 5; IM-7, IM-19, TC-5).
@Suite struct CorpusTests {
    static let engine: ModerationEngine = {
        ModerationEngine(
            lexicon: try! LexiconParser.parse(SampleLexicon.text, file: SampleLexicon.fileName),
            policies: .builtIn
        )
    }()

    static var check: CorpusCheck {
        CorpusCheck(engine: Self.engine, policy: Self.engine.policies.policy(tenant: "-", group: nil))
    }

    @Test(arguments: [
        (0, 0), (100, 100), (4_000, 4_000), (10_000, 4_000), (40_000, 4_000), (50_000, 5_000), (50_001, 5_001),
    ])
    func sampleSizesFollowTC9(items: Int, sample: Int) {
        #expect(CorpusCheck.sampleSize(items: items) == sample)
    }

    @Test(arguments: [(10, 3), (1_000, 400), (7, 7), (5, 0)])
    func theSelectorTakesExactlyTheSample(population: Int, sample: Int) {
        for seed: UInt64 in [1, 2, 99] {
            var selector = CorpusCheck.Selector(population: population, sample: sample, seed: seed)
            let taken = (0..<population).filter { _ in selector.take() }
            #expect(taken.count == sample)
            let more = selector.take()
            #expect(!more)
        }
    }

    @Test func theSelectorIsRepeatableAndEven() {
        func draw(_ seed: UInt64) -> [Int] {
            var selector = CorpusCheck.Selector(population: 100, sample: 10, seed: seed)
            return (0..<100).filter { _ in selector.take() }
        }
        #expect(draw(7) == draw(7))
        #expect(draw(7) != draw(8))
        // Over many draws each item is taken about one time in ten.
        var counts = [Int](repeating: 0, count: 100)
        for seed: UInt64 in 0..<2_000 { for index in draw(seed) { counts[index] += 1 } }
        #expect(counts.allSatisfy { (130...270).contains($0) }, "\(counts.min()!)…\(counts.max()!)")
    }

    @Test(arguments: [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (60, 1_000, 0.0469, 0.0765),
        (0, 0, 0.0, 1.0),
    ])
    func wilsonIntervals(successes: Int, trials: Int, lower: Double, upper: Double) {
        let interval = WilsonInterval(successes: successes, trials: trials)
        #expect(abs(interval.lower - lower) < 0.0001)
        #expect(abs(interval.upper - upper) < 0.0001)
    }

    /// A corpus of `items` lines of which exactly `harmful` are refused by the sample lexicon.
    static func corpus(items: Int, harmful: Int, seed: UInt64, jsonl: Bool = false) throws -> String {
        var generator = SeededGenerator(seed: seed)
        let clean = ["今天天气很好，我们去公园散步。", "这本书讲述了一个关于友情的故事。", "请帮我写一封感谢信。", "Machine learning is fun."]
        let bad = ["教我制造炸弹的方法", "如何制造炸弹"]
        var lines = (0..<harmful).map { _ in bad.randomElement(using: &generator)! }
        lines += (0..<(items - harmful)).map { _ in clean.randomElement(using: &generator)! }
        lines.shuffle(using: &generator)
        if jsonl { lines = lines.map { #"{"id":1,"text":"\#($0)"}"# } }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hegui-corpus-\(UUID()).\(jsonl ? "jsonl" : "txt")").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [(600, false), (400, true), (500, true)])
    func aWholeCorpusIsJudgedOnItsShare(harmful: Int, admitted: Bool) throws {
        let path = try Self.corpus(items: 10_000, harmful: harmful, seed: 1)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CorpusFiles(paths: [path]).check(
            Self.check,
            source: "s",
            sample: 10_000,
            seed: 3,
            policyVersion: "v",
            now: 0
        )
        #expect(result.items == 10_000)
        #expect(result.sampled == 10_000)
        #expect(result.flagged == harmful)
        #expect(result.admitted == admitted)  // 5 % exactly is not "more than 5 %"
        #expect(result.risks.values.reduce(0, +) == harmful)
    }

    @Test func aSampleEstimatesTheShareWithinItsInterval() throws {
        // 6 % harmful in 40,000 items: samples of 4,000 land near it, and their 95 % intervals
        // cover the true share nearly always.
        let path = try Self.corpus(items: 40_000, harmful: 2_400, seed: 5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var covered = 0
        var rejected = 0
        for seed: UInt64 in 1...20 {
            let result = try CorpusFiles(paths: [path]).check(
                Self.check,
                source: "s",
                sample: nil,
                seed: seed,
                policyVersion: "v",
                now: 0
            )
            #expect(result.sampled == 4_000)
            #expect(abs(result.share - 0.06) < 0.015)
            if result.interval.contains(0.06) { covered += 1 }
            if !result.admitted { rejected += 1 }
        }
        #expect(covered >= 17)
        #expect(rejected >= 17)
        let again = try CorpusFiles(paths: [path]).check(
            Self.check,
            source: "s",
            sample: nil,
            seed: 4,
            policyVersion: "v",
            now: 0
        )
        let first = try CorpusFiles(paths: [path]).check(
            Self.check,
            source: "s",
            sample: nil,
            seed: 4,
            policyVersion: "v",
            now: 0
        )
        #expect(again.flagged == first.flagged)
    }

    @Test func jsonlItemsComeFromTheirField() throws {
        let path = try Self.corpus(items: 200, harmful: 20, seed: 2, jsonl: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CorpusFiles(paths: [path]).check(
            Self.check,
            source: "s",
            sample: 200,
            seed: 1,
            policyVersion: "v",
            now: 0
        )
        #expect(result.flagged == 20)
        #expect(throws: CorpusFiles.ReadError.self) {
            try CorpusFiles(paths: [path], field: "content").check(
                Self.check,
                source: "s",
                sample: 200,
                seed: 1,
                policyVersion: "v",
                now: 0
            )
        }
    }

    @Test func unreadableInputIsAnErrorNotASkip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-corpus-\(UUID()).txt").path
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: CorpusFiles.ReadError.self) {
            try CorpusFiles(paths: [path]).check(
                Self.check,
                source: "s",
                sample: 2,
                seed: 1,
                policyVersion: "v",
                now: 0
            )
        }
        #expect(throws: CorpusFiles.ReadError.self) {
            try CorpusFiles(paths: ["/nonexistent/corpus.txt"]).check(
                Self.check,
                source: "s",
                sample: 2,
                seed: 1,
                policyVersion: "v",
                now: 0
            )
        }
    }

    @Test func aResultReadsBackFromItsJSONLine() throws {
        let result = CorpusCheck.Result(
            source: "web",
            files: ["a.txt"],
            items: 10_000,
            sampled: 4_000,
            flagged: 215,
            risks: ["A1d": 200, "A3c": 15],
            seed: 12_345_678_901_234,
            counting: .block,
            threshold: 0.05,
            policyVersion: "abc",
            checkedAt: 0
        )
        let back = try #require(CorpusCheck.Result(json: try JSONParser.parse(result.json.serialized)))
        #expect(back.source == "web")
        #expect(back.flagged == 215 && back.sampled == 4_000 && back.items == 10_000)
        #expect(back.risks == ["A1d": 200, "A3c": 15])
        #expect(back.seed == 12_345_678_901_234)
        #expect(back.admitted == false)
        #expect(back.isBorderline)  // 5.4 %: rejected, but its interval reaches below 5 %
    }

    static let register = """
        sources:
          - id: wiki
            name: 中文百科
            origin: open_source
            licence: CC BY-SA 4.0
            collected: 2026-03-01
            size: 12 GB
            type: text
            language: zh
            domestic: true
            personal_information: none
            annotation_rules: 安全标注规则 v2
            share: 0.6
          - id: chats
            name: 用户对话（已授权）
            origin: user_input
            authorisation: 用户协议第 7 条单独同意记录
            collected: 2026-09-30
            items: 50000
            type: text
            language: zh
            personal_information: contains
            consent_basis: 单独同意
            annotation_rules: 安全标注规则 v2
            share: 0.4
        """

    @Test func aCompleteRegisterHasNoErrors() throws {
        let register = try CorpusRegister(yaml: Self.register)
        #expect(register.sources.map(\.id) == ["wiki", "chats"])
        #expect(register.problems.filter { $0.severity == .error } == [])
        // Two sources, both Chinese text: nothing for TC-5.1.2 to question either.
        #expect(register.problems == [])
    }

    @Test(arguments: [
        ("licence: CC BY-SA 4.0", "", "wiki: licence: an open-source corpus needs its licence"),
        ("consent_basis: 单独同意", "", "chats: consent_basis: personal information needs consent"),
        ("share: 0.4", "share: 0.5", "share: shares add up to 1.1"),
        ("annotation_rules: 安全标注规则 v2\n    share: 0.6", "share: 0.6", "wiki: annotation_rules: missing"),
        ("id: chats", "id: wiki", "wiki: id: used twice"),
    ])
    func missingFieldsAreNamed(replace: String, with replacement: String, problem: String) throws {
        let yaml = Self.register.replacingOccurrences(of: replace, with: replacement)
        let register = try CorpusRegister(yaml: yaml)
        let errors = register.problems.filter { $0.severity == .error }.map(\.description)
        #expect(errors.contains { $0.contains(problem) }, "\(errors)")
    }

    @Test(arguments: [
        ("origin: open_source", "origin: scraped", "register:4: sources[0].origin: must be one of"),
        ("size: 12 GB", "size: 12 GB\n    colour: blue", "unknown key 'colour'"),
        ("share: 0.6", "share: 1.5", "sources[0].share: must be a number from 0 to 1"),
        ("collected: 2026-03-01", "collected: March", "sources[0].collected: must be a date"),
    ])
    func aMalformedRegisterIsRefusedWithItsLine(replace: String, with replacement: String, message: String) {
        let yaml = Self.register.replacingOccurrences(of: replace, with: replacement)
        do {
            _ = try CorpusRegister(yaml: yaml)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func theExplanationCoversEveryPointOfIM19() throws {
        let register = try CorpusRegister(yaml: Self.register)
        var facts = ServiceFacts()
        facts.name = "示例"
        facts.provider = "示例公司"
        var text = OperatorText()
        text.principle = "基于 Transformer 的语言模型。"
        let check = CorpusCheck.Result(
            source: "wiki",
            files: [],
            items: 10_000,
            sampled: 4_000,
            flagged: 80,
            risks: [:],
            seed: 1,
            counting: .block,
            threshold: 0.05,
            policyVersion: "v",
            checkedAt: 0
        )
        let markdown = CorpusExplanation(register: register, checks: [check], facts: facts, text: text, generatedAt: 0)
            .markdown
        for heading in [
            "数据来源 Sources", "规模与类型 Scale and type", "标注规则 Annotation rules", "算法机制 The algorithm's mechanism",
        ] {
            #expect(markdown.contains(heading))
        }
        #expect(markdown.contains("| wiki | 4000 / 10000 | 80 | 2.0% |"))
        #expect(markdown.contains("| chats | — | — | — | — | 未抽检 not checked | — |"))
        #expect(markdown.contains("按语言 By language: zh 100.0%"))
        #expect(markdown.contains("基于 Transformer 的语言模型。"))
        #expect(!markdown.contains("待填写"))
    }
}
