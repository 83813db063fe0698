import Foundation
import HeguiCore
import HeguiReports
import HeguiStore
import Logging
import Testing

/// The security-assessment report and the filing dossier rendered from a seeded store, compared
/// with golden files (issue 9 items 3 and 4). `HEGUI_UPDATE_GOLDEN=1 swift test --filter
/// ReportGoldenTests` rewrites them after a deliberate change; review the diff.
@Suite struct ReportGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let zone = LocalTime.beijing
    static func time(_ day: String, hour: Int) -> Int64 {
        Self.zone.start(ofDay: CivilDate(day)!.daysSince1970) + Int64(hour) * 3_600_000
    }
    static let now = Self.time("2026-11-27", hour: 10)

    /// A store with a week of traffic: allowed and refused requests, a stopped stream, a sanction,
    /// two complaints (one answered on time, one overdue) and a personal-information request.
    static func seeded(_ body: (SQLStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-golden-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        do {
            let log = try AuditLog(store: store, signingKey: [UInt8](repeating: 7, count: 32))
            func append(
                _ type: String,
                _ day: String,
                action: ModerationAction? = nil,
                risks: [String] = [],
                details: [String: String] = [:]
            ) async throws {
                _ = try await log.append(
                    AuditEventDraft(
                        type: type,
                        time: Self.time(day, hour: 9),
                        tenant: "app",
                        action: action,
                        risks: risks.compactMap(RiskCode.init),
                        details: details
                    )
                )
            }
            for day in ["2026-11-23", "2026-11-24", "2026-11-25"] {
                for _ in 0..<3 { try await append("moderation.checked", day, action: .allow) }
            }
            try await append("moderation.input", "2026-11-24", action: .block, risks: ["A1b"])
            try await append("moderation.input", "2026-11-24", action: .block, risks: ["A3c"])
            try await append("moderation.input", "2026-11-25", action: .allow)
            try await append(
                "moderation.output",
                "2026-11-25",
                action: .block,
                risks: ["A3c"],
                details: ["stream": "true", "stopped": "true"]
            )
            try await append("sanction.imposed", "2026-11-24", details: ["level": "warning"])
            try await append("complaint.received", "2026-11-24", details: ["category": "illegal"])
            try await append("moderation.check", "2026-11-25", action: .allow, details: ["direction": "input"])
            for user in ["u1", "u2", "u3"] {
                _ = try await store.recordEndUser(
                    tenant: "app",
                    pseudonym: user,
                    time: Self.time("2026-11-23", hour: 9)
                )
            }
            var verified = try #require(try await store.endUser(tenant: "app", pseudonym: "u1"))
            verified.identityVerified = true
            try await store.updateEndUser(verified)
            try await store.fileComplaint(
                ComplaintRecord(
                    id: "C1",
                    category: "illegal",
                    status: .resolved,
                    receivedAt: Self.time("2026-11-24", hour: 9),
                    dueAt: Self.time("2026-12-08", hour: 9)
                )
            )
            _ = try await store.addComplaintEvent(
                ComplaintEventRecord(
                    complaintID: "C1",
                    time: Self.time("2026-11-25", hour: 9),
                    action: "resolve",
                    actor: "officer",
                    isPublic: true
                )
            )
            try await store.fileComplaint(
                ComplaintRecord(
                    id: "C2",
                    category: "other",
                    receivedAt: Self.time("2026-11-23", hour: 9),
                    dueAt: Self.time("2026-11-26", hour: 9)
                )
            )
            try await store.openRightsRequest(
                RightsRequestRecord(
                    id: "R1",
                    tenant: "app",
                    pseudonym: "u2",
                    kind: .access,
                    receivedAt: Self.time("2026-11-24", hour: 9),
                    dueAt: Self.time("2026-12-15", hour: 9),
                    completedAt: Self.time("2026-11-25", hour: 9)
                )
            )
            try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static var facts: ServiceFacts {
        var facts = ServiceFacts()
        facts.name = "示例智能助手 Example assistant"
        facts.provider = "示例科技有限公司"
        facts.purpose = "面向公众的问答与写作辅助"
        facts.purposeEN = "Questions and writing help for the public"
        facts.publicURL = "https://ai.example.cn"
        facts.models = [("assistant", "example-chat-7b")]
        facts.policyName = "default"
        facts.policyVersion = "0123456789abcdef"
        facts.termsByRisk = ["A1b": 12, "A3c": 7, "A4f": 3]
        facts.allowedTerms = 2
        facts.labelProducer = "001234567890123456789010000"
        facts.chatLabel = ("回答开头标注“本内容由人工智能生成”", "answers begin with “本内容由人工智能生成”")
        facts.imageMark = "AI生成"
        facts.audioCue = "start"
        facts.labelSeal = "ed25519"
        facts.complaintsURL = "https://ai.example.cn/complaints"
        facts.complaintWorkingDays = 15
        facts.rightsRequestWorkingDays = 15
        facts.appealWorkingDays = 15
        facts.requireAgreement = true
        facts.minors = ("已开启", "on")
        facts.sanctionsLadder = ("单日违规 1 次→警示。", "1 violation in a day → warning.")
        facts.requestsPerMinute = 30
        facts.metadataRetentionDays = 186
        facts.evidenceRetentionDays = 180
        facts.auditPublicKey = String(repeating: "ab", count: 32)
        facts.treeHead = SignedTreeHead(
            treeSize: 16,
            root: MerkleHash(hex: String(repeating: "cd", count: 32))!,
            time: Self.now,
            signature: [UInt8](repeating: 0xEF, count: 64)
        )
        return facts
    }

    static var text: OperatorText {
        var text = OperatorText()
        text.trigger = .launch
        text.securityOfficer = "王某，首席安全官"
        text.reviewers = "信息审核人员 12 名，7×24 小时轮班"
        text.cooperationCAC = "指定专人对接属地网信部门，24 小时内提供所需数据"
        text.algorithmType = "生成合成类（文本生成）"
        text.scenarios = ["智能问答", "写作辅助"]
        text.principle = "基于 Transformer 的大语言模型，经指令微调与安全对齐；\n输入输出经 Hegui 网关审核。"
        text.models = [
            .init(
                name: "example-chat",
                version: "7b-2026.10",
                baseModel: "示例基座",
                registration: "Beijing-Example-202610010001"
            )
        ]
        return text
    }

    static func compare(_ text: String, to name: String) throws {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["HEGUI_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if text != expected {
            let actual = text.split(separator: "\n", omittingEmptySubsequences: false)
            let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(actual, wanted)).firstIndex { $0 != $1 } ?? min(actual.count, wanted.count)
            Issue.record(
                "\(name) differs at line \(line + 1):\n got: \(line < actual.count ? actual[line] : "<end>")\nwant: \(line < wanted.count ? wanted[line] : "<end>")"
            )
        }
    }

    static func statistics(_ store: SQLStore) async throws -> StatisticsReport {
        try await StatisticsReport.gather(
            statistics: try await StatisticsCollector(store: store).refresh(),
            store: store,
            from: CivilDate("2026-11-21")!,
            through: CivilDate("2026-11-27")!,
            filing: FilingSchedule(events: [.init(kind: .launch, date: CivilDate("2026-11-20")!)]),
            calendar: WorkingDayCalendar(),
            now: Self.now
        )
    }

    @Test func theAssessmentReportMatchesItsGoldenFile() async throws {
        try await Self.seeded { store in
            var facts = Self.facts
            let counts = try await store.endUserCounts(tenant: nil)
            facts.endUsers = (counts.total, counts.verified, counts.minors)
            facts.auditEvents = try await store.auditEventCount()
            let report = AssessmentReport(facts: facts, text: Self.text, statistics: try await Self.statistics(store))
            #expect(
                report.statistics.complaints
                    == {
                        var figures = DeadlineFigures()
                        figures.count(dueAt: 1, decidedAt: 0, now: 0)  // C1: resolved the day after, on time
                        figures.count(dueAt: 0, decidedAt: nil, now: 1)  // C2: overdue since the 26th
                        return figures
                    }()
            )
            #expect(report.missing.contains("assessment.conclusion"))
            #expect(!report.missing.contains("assessment.security_officer"))
            try Self.compare(report.markdown, to: "assessment.md")
            try Self.compare(
                ReportPage.page(title: "安全评估报告", body: MarkdownPage.render(report.markdown, topHeading: 1)),
                to: "assessment.html"
            )
        }
    }

    @Test func theDossierMatchesItsGoldenFile() throws {
        let dossier = FilingDossier(
            facts: Self.facts,
            text: Self.text,
            schedule: FilingSchedule(
                events: [
                    .init(kind: .launch, date: CivilDate("2026-11-20")!),
                    .init(kind: .change, date: CivilDate("2026-11-25")!, what: "新增图像生成 | image generation"),
                ]
            ),
            calendar: WorkingDayCalendar(),
            now: Self.now
        )
        #expect(dossier.missing == ["filing.security_measures"])
        try Self.compare(dossier.markdown, to: "dossier.md")
    }

    @Test func providerTextCannotBreakOutOfItsPlace() {
        var text = Self.text
        text.conclusion = "结论\n# 伪造标题\n<script>alert(1)</script> | 单元格"
        var facts = Self.facts
        facts.provider = "<b>某公司</b>"
        let statistics = StatisticsReport(
            from: CivilDate("2026-11-21")!,
            through: CivilDate("2026-11-27")!,
            tenant: nil,
            daily: [],
            total: .init(),
            complaints: .init(),
            rightsRequests: .init(),
            filing: [],
            filingError: nil,
            catalogue: .standard,
            generatedAt: Self.now
        )
        let markdown = AssessmentReport(facts: facts, text: text, statistics: statistics).markdown
        #expect(!markdown.contains("\n# 伪造标题"))
        let html = MarkdownPage.render(markdown, topHeading: 1)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>某公司"))
        #expect(html.contains("&lt;b&gt;某公司&lt;/b&gt;"))
        #expect(!html.contains("<h1>伪造标题"))
    }
}
