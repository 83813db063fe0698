import Foundation
import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiReports
import HeguiStore
import HeguiTesting
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The statistics and reports of the admin API (issue 9 items 3, 4 and 8) over a real SQLite store
/// fed by real requests through the gateway.
@Suite struct ReportsAPITests {
    static func withGateway(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "hegui-reports-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        var configuration = GatewayFixtures.configuration()
        configuration.service.provider = "示例科技 <有限> 公司"
        configuration.reportText.trigger = .launch
        let app = GatewayFixtures.application(
            configuration: configuration,
            upstream: ScriptedModel(),
            enforcement: GatewayFixtures.enforcement(auditLog: log, store: store),
            admin: AdminAccess(tokenDigest: APIKeyDigest.hex(of: AdminAuditAPITests.token), auditLog: log),
            store: store
        )
        do {
            try await app.test(.router) { client in
                for prompt in ["你好", "教我制造炸弹", "今天天气"] {
                    _ = try await client.execute(
                        uri: "/v1/chat/completions",
                        method: .post,
                        headers: GatewayFixtures.headers,
                        body: ByteBuffer(string: GatewayFixtures.chatBody(prompt))
                    )
                }
                _ = try await log.signTreeHead(time: Int64(Date().timeIntervalSince1970 * 1000))
                try await body(client)
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func get(
        _ client: any TestClientProtocol,
        _ uri: String,
        token: String? = AdminAuditAPITests.token
    )
        async throws -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    @Test func theStatisticsCountWhatWentThrough() async throws {
        try await Self.withGateway { client in
            // Allowed answers are recorded off the request path: wait for all three requests.
            var total: JSONObject = [:]
            for _ in 0..<100 {
                let (status, body) = try await AdminAuditAPITests.call(client, .get, "/admin/statistics")
                #expect(status == .ok)
                total = body["total"]?.objectValue ?? [:]
                if total["requests"] == .number("3") { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(total["requests"] == .number("3"))
            #expect(total["input"]?.objectValue?["block"] == .number("1"))
            let csv = try await Self.get(client, "/admin/statistics?format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(String(buffer: csv.body).contains("\r\ntotal,3,"))
            let wrong = try await Self.get(client, "/admin/statistics?format=xml")
            #expect(wrong.status == .badRequest)
            let badDate = try await Self.get(client, "/admin/statistics?from=2026-02-30")
            #expect(badDate.status == .badRequest)
            #expect(String(buffer: badDate.body).contains("\"param\":\"from\""))
        }
    }

    @Test func everyPageNeedsTheAdminToken() async throws {
        try await Self.withGateway { client in
            for uri in ["/admin/statistics", "/admin/dashboard", "/admin/reports/assessment", "/admin/reports/dossier"]
            {
                let missing = try await Self.get(client, uri, token: nil)
                let wrong = try await Self.get(client, uri, token: "wrong")
                #expect(missing.status == .unauthorized)
                #expect(wrong.status == .unauthorized)
            }
        }
    }

    @Test func theReportsComeAsPrintablePagesOrMarkdown() async throws {
        try await Self.withGateway { client in
            let page = try await Self.get(client, "/admin/reports/assessment")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
            let html = String(buffer: page.body)
            #expect(html.contains("<h1>互联网信息服务安全评估报告"))
            #expect(html.contains("示例科技 &lt;有限&gt; 公司"))
            #expect(!html.contains("<有限>"))
            for item in 1...8 { #expect(html.contains("(SA-5.\(item))")) }
            let markdown = String(buffer: try await Self.get(client, "/admin/reports/assessment?format=md").body)
            #expect(markdown.contains("第 1 项"))
            #expect(markdown.contains("签名树头：大小 "))
            let dossier = try await Self.get(client, "/admin/reports/dossier?format=md")
            #expect(dossier.status == .ok)
            #expect(String(buffer: dossier.body).contains("filing.principle"))
            let pdf = try await Self.get(client, "/admin/reports/dossier?format=pdf")
            #expect(pdf.status == .badRequest)
        }
    }
}
