import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiReports
import HeguiTesting
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `/about` (IM-4, IM-10.1, IM-12, OPS-4.5, OPS-6): what the service is and its rules, escaped,
/// with no script allowed.
@Suite struct DisclosurePageTests {
    static func configuration() -> GatewayConfiguration {
        var configuration = GatewayFixtures.configuration()
        configuration.service.name = "问答助手 <script>alert(1)</script>"
        configuration.service.provider = "示例科技有限公司 & Co."
        configuration.service.purpose = "回答学习与工作中的问题。"
        configuration.service.purposeEN = "Answers questions about study and work."
        configuration.filing.numbers = ["Beijing-Hegui-202611290001"]
        configuration.labels.chat.placement = .end
        configuration.users.minors.curfew = (21 * 60 + 30, 7 * 60)
        return configuration
    }

    @Test func thePageShowsTheServiceAndEscapesEveryText() async throws {
        let app = GatewayFixtures.application(configuration: Self.configuration(), upstream: ScriptedModel())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/about", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let page = String(buffer: response.body)
            #expect(!page.contains("<script>"))
            #expect(page.contains("问答助手 &lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(page.contains("示例科技有限公司 &amp; Co."))
            #expect(page.contains("Beijing-Hegui-202611290001"))
            #expect(page.contains("回答结尾标注“本内容由人工智能生成"))
            #expect(page.contains("21:30–07:00"))
            #expect(page.contains("8岁以下 under 8：每日 40 分钟"))
        }
    }

    @Test func machinesGetJSON() async throws {
        let app = GatewayFixtures.application(configuration: Self.configuration(), upstream: ScriptedModel())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/about?format=json", method: .get)
            let json = try response.body.withUnsafeReadableBytes { bytes throws(JSONParseError) in
                try JSONParser.parse(bytes)
            }
            let object = try #require(json.objectValue)
            #expect(object["filing_numbers"] == .array(["Beijing-Hegui-202611290001"]))
            #expect(object["labels"]?.objectValue?["chat_placement"] == "end")
            #expect(object["minors_mode"]?.objectValue?["curfew"] == "21:30-07:00")
            #expect(object["purpose_en"] == "Answers questions about study and work.")
        }
    }

    @Test func withoutAFilingNumberThePageSaysSo() async throws {
        let app = GatewayFixtures.application(upstream: ScriptedModel())
        try await app.test(.router) { client in
            let page = String(buffer: try await client.execute(uri: "/about", method: .get).body)
            #expect(page.contains("备案办理中 Filing in progress"))
        }
    }
}
