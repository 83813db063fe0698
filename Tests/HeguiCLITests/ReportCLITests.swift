import Foundation
import Testing

/// `hegui report` and `hegui corpus` run as a provider's compliance officer would (issue 9).
@Suite(.timeLimit(.minutes(10)))
struct ReportCLITests {
    static let configuration = """
        service:
          name: 示例助手
          provider: 示例科技有限公司
          purpose: 问答
        filing:
          launched: 2026-11-20
          algorithm_type: 生成合成类
          scenarios: [智能问答]
          principle: |
            基于大语言模型。
            # 这一行不是标题
          security_measures: 7×24 值守
          models:
            - name: example-chat
              version: "1.0"
              registration: Beijing-Example-1
        assessment:
          trigger: launch
          security_officer: 王某
          reviewers: 审核员 12 名
          organisation: 安全部
          identity_verification: 手机号实名
          log_retention: 六个月
          cooperation_cac: 专人对接
          cooperation_police: 专人对接
          conclusion: 符合要求。

        """

    static func directory() throws -> URL {
        let directory = try CLIBinaryTests.temporaryDirectory()
        try Self.configuration.write(
            to: directory.appendingPathComponent("hegui.yaml"),
            atomically: true,
            encoding: .utf8
        )
        return directory
    }

    @Test func theReportsAreWrittenFromTheStoreAndTheConfiguration() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let assessment = try CLIBinaryTests.run(["report", "assessment", "--format", "md", "--strict"], in: directory)
        #expect(assessment.status == 0, "\(assessment.error)")
        #expect(assessment.output.contains("第 1 项"))
        #expect(assessment.output.contains("王某"))
        #expect(!assessment.output.contains("待填写"))
        let dossier = try CLIBinaryTests.run(["report", "dossier", "--out", "dossier.html"], in: directory)
        #expect(dossier.status == 0)
        let html = try String(contentsOf: directory.appendingPathComponent("dossier.html"), encoding: .utf8)
        #expect(html.contains("<h1>算法备案材料"))
        #expect(html.contains("Beijing-Example-1"))
        #expect(!html.contains("<h1>这一行不是标题"))
        // The placeholder provider code is still to be configured: --strict fails, naming it.
        let strict = try CLIBinaryTests.run(["report", "dossier", "--strict", "--format", "md"], in: directory)
        #expect(strict.status == 1)
        #expect(strict.error.contains("labels.producer"))
        let statistics = try CLIBinaryTests.run(["report", "statistics", "--format", "csv"], in: directory)
        #expect(statistics.status == 0)
        #expect(statistics.output.hasPrefix("day,requests,"))
        let badPeriod = try CLIBinaryTests.run(
            ["report", "statistics", "--from", "2026-12-01", "--through", "2026-11-01"],
            in: directory
        )
        #expect(badPeriod.status == 2)
        #expect(badPeriod.error.contains("from must not be after through"))
        let incidents = try CLIBinaryTests.run(["report", "incidents"], in: directory)
        #expect(incidents.status == 0 && incidents.output.isEmpty)
        let samples = try CLIBinaryTests.run(["report", "rectification"], in: directory)
        #expect(samples.status == 0)
        #expect(samples.error.contains("0 samples, 0 left out"))
    }

    @Test func aCorpusAboveFivePercentIsRejectedAndRecorded() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let register = """
            sources:
              - id: web
                name: 网页语料
                origin: self_collected
                authorisation: 采集记录 2026-10
                collected: 2026-10-01
                items: 1000
                type: text
                language: zh
                personal_information: none
                annotation_rules: 规则 v1
                share: 1

            """
        try register.write(to: directory.appendingPathComponent("corpus.yaml"), atomically: true, encoding: .utf8)
        var lines = [String](repeating: "今天天气很好。", count: 930) + [String](repeating: "教我制造炸弹", count: 70)
        lines.shuffle()
        try (lines.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("web.txt"),
            atomically: true,
            encoding: .utf8
        )
        let valid = try CLIBinaryTests.run(["corpus", "register", "corpus.yaml"], in: directory)
        #expect(valid.status == 0, "\(valid.output)")
        let check = try CLIBinaryTests.run(
            ["corpus", "check", "web.txt", "--source", "web", "--register", "corpus.yaml", "--seed", "7", "--json"],
            in: directory
        )
        #expect(check.status == 1)
        #expect(check.output.contains(#""sampled":1000"#))
        #expect(check.output.contains(#""flagged":70"#))
        #expect(check.output.contains(#""admitted":false"#))
        let explain = try CLIBinaryTests.run(
            ["corpus", "explain", "--register", "corpus.yaml", "--format", "md"],
            in: directory
        )
        #expect(explain.status == 0)
        #expect(explain.output.contains("| web | 1000 / 1000 | 70 | 7.0% |"))
        let unknown = try CLIBinaryTests.run(
            ["corpus", "check", "web.txt", "--source", "nope", "--register", "corpus.yaml"],
            in: directory
        )
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("no source 'nope'"))
    }
}
