import HeguiCore
import Testing

/// Requirement IDs: IM-4, IM-14, TC-7.7 (policy actions and compliant answers).
@Suite struct ModerationEngineTests {
    static let lexicon: Lexicon = {
        let text = """
            # risk: A1d action: block
            恐怖袭击
            # risk: A4a action: flag
            傻逼
            # risk: custom.competitor action: flag
            竞品公司
            """
        return try! LexiconParser.parse(text, file: "t.txt")
    }()

    static func policies() throws -> PolicySet {
        let strict = ModerationPolicy(
            name: "minors",
            rules: [RiskCode("A4")!: PolicyRule(.block), RiskCode("custom.competitor")!: PolicyRule(input: .allow)],
            answers: [RiskCode("A4")!: "这个话题不适合未成年人。/ Not suitable for minors."]
        )
        let lenient = ModerationPolicy(
            name: "default",
            folding: .none,
            rules: [RiskCode("A4f")!: PolicyRule(input: .flag, output: .redact)]
        )
        return try PolicySet(
            policies: [lenient, strict],
            defaultPolicy: "default",
            groups: ["minors": "minors"],
            tenants: ["school": .init(policy: "minors")]
        )
    }

    @Test func actionsFollowTheMostSpecificRule() throws {
        let engine = ModerationEngine(lexicon: Self.lexicon, policies: try Self.policies())
        // Default policy: the term's own action.
        let adult = engine.check("你这个傻逼", direction: .input, tenant: "app", group: nil)
        #expect(adult.action == .flag)
        #expect(adult.answer == nil)
        // Minors: the class rule A4 escalates to block, with the class's answer.
        let minor = engine.check("你这个傻逼", direction: .input, tenant: "app", group: "minors")
        #expect(minor.action == .block)
        #expect(minor.answer == "这个话题不适合未成年人。/ Not suitable for minors.")
        // A tenant's default.
        #expect(engine.check("你这个傻逼", direction: .output, tenant: "school", group: nil).action == .block)
        // A custom category allowed on input only.
        #expect(engine.check("竞品公司", direction: .input, group: "minors").action == .allow)
        #expect(engine.check("竞品公司", direction: .output, group: "minors").action == .flag)
        // Blocking terms get the default answer.
        let blocked = engine.check("策划恐怖袭击", direction: .output)
        #expect(blocked.action == .block)
        #expect(blocked.answer == ModerationPolicy.builtInAnswer)
        #expect(blocked.risks == [RiskCode("A1d")!])
    }

    @Test func personalInformationIsRedactedPerDirection() throws {
        let engine = ModerationEngine(lexicon: Self.lexicon, policies: try Self.policies())
        let text = "我的电话是13800138000，邮箱a@example.com"
        let input = engine.check(text, direction: .input)
        #expect(input.action == .flag)
        let output = engine.check(text, direction: .output)
        #expect(output.action == .redact)
        #expect(output.hits.map(\.termID) == ["pii.mobile", "pii.email"])
        #expect(output.redacting(text) == "我的电话是***********，邮箱*************")
    }

    @Test func foldingFollowsThePolicy() throws {
        let engine = ModerationEngine(lexicon: Self.lexicon, policies: try Self.policies())
        // The default policy folds nothing; the minors' policy folds everything.
        #expect(engine.check("恐 怖 袭 击", direction: .input).action == .allow)
        #expect(engine.check("恐 怖 袭 击", direction: .input, group: "minors").action == .block)
    }

    @Test func regexRulesRunBesideTheLexicon() throws {
        let text = """
            # risk: A1h action: block options: regex
            https?://[a-z0-9.-]*casino[a-z0-9.-]*\\.[a-z]{2,}(?:/\\S*)?
            # risk: custom.contact action: redact options: regex
            (?:微信|VX|vx)[:：]?\\s*[A-Za-z][-_A-Za-z0-9]{5,19}
            """
        let lexicon = try LexiconParser.parse(text, file: "rules.txt")
        let engine = ModerationEngine(lexicon: lexicon, policies: .builtIn)
        let verdict = engine.check("来玩 https://best-casino.example.com/join 加微信：abc_12345 吧", direction: .input)
        #expect(verdict.hits.map(\.risk.rawValue) == ["A1h", "custom.contact"])
        let spans = verdict.hits.map { "来玩 https://best-casino.example.com/join 加微信：abc_12345 吧".text(in: $0.span) }
        #expect(spans == ["https://best-casino.example.com/join", "微信：abc_12345"])
        #expect(engine.check("普通的句子 https://example.com", direction: .input).hits.isEmpty)
    }

    @Test(arguments: [
        (#"https?://\S+casino"#, "casino"),
        (#"(?:微信|VX)[:：]\s*\w+"#, nil),
        (#"订单号\d{6}"#, "订单号"),
        (#"ab?c"#, nil),
        (#"hello\.world"#, "hello.world"),
        (#"[abc]+xyz"#, "xyz"),
    ])
    func regexLiterals(pattern: String, literal: String?) {
        #expect(RegexRules.literal(of: pattern) == literal)
    }

    @Test func unknownPoliciesAreRejected() {
        #expect(throws: PolicyError.self) {
            try PolicySet(policies: [.builtIn], defaultPolicy: "default", groups: ["minors": "strict"])
        }
        #expect(throws: PolicyError.self) {
            try PolicySet(policies: [.builtIn, .builtIn], defaultPolicy: "default")
        }
    }

    @Test(arguments: ["A1a", "A2i", "A5b", "A3", "custom.competitor", "custom.x-y_z"])
    func validRiskCodes(code: String) {
        #expect(RiskCode(code)?.rawValue == code)
    }

    @Test(arguments: ["A6a", "A1z", "a1a", "custom.", "custom.中文", "politics", ""])
    func invalidRiskCodes(code: String) {
        #expect(RiskCode(code) == nil)
    }

    @Test func catalogueHasTheThirtyOneRisks() {
        let risks = RiskCatalogue.standard.risks
        #expect(risks.count == 31)
        #expect(risks.filter { $0.riskClass == .coreValues }.count == 8)
        #expect(risks.filter { $0.riskClass == .discrimination }.count == 9)
        #expect(risks.filter { $0.riskClass == .commercial }.count == 5)
        #expect(risks.filter { $0.riskClass == .rights }.count == 7)
        #expect(risks.filter { $0.riskClass == .serviceSafety }.count == 2)
        #expect(RiskCatalogue.standard.risk("A1d")?.chineseName == "宣扬恐怖主义、极端主义")
    }
}
