import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import NIOHTTP1
import Testing
import Yams

/// The security review's authorization matrix (issue 11, item 7): every operation of the OpenAPI
/// document, which a test holds to the router, is called without a token, with the wrong kind of
/// token and with a made-up one; and one tenant's key reaches nothing of another tenant's.
@Suite(.timeLimit(.minutes(10)))
struct AuthorizationMatrixTests {
    struct Operation: CustomStringConvertible {
        var method: HTTPMethod
        var path: String
        var security: String?
        var description: String { "\(self.method) \(self.path)" }
    }

    /// The document's operations with their path parameters filled in.
    static func operations(_ yaml: String) throws -> [Operation] {
        let document = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let samples = [
            "{user}": "alice", "{tenant}": "app-one", "{id}": "x1", "{ticket}": "C20261130-0000ABCD",
            "{sequence}": "0", "{index}": "0", "{name}": "x1.png",
        ]
        var operations: [Operation] = []
        for (template, item) in paths {
            let item = try #require(item as? [String: Any])
            var path = template
            for (parameter, value) in samples { path = path.replacingOccurrences(of: parameter, with: value) }
            for (name, method) in [("get", HTTPMethod.GET), ("post", .POST), ("patch", .PATCH), ("delete", .DELETE)] {
                guard let operation = item[name] as? [String: Any] else { continue }
                let security = (operation["security"] as? [[String: Any]])?.first?.keys.first
                operations.append(Operation(method: method, path: path, security: security))
            }
        }
        return operations
    }

    static func withGateway(_ body: @Sendable (UserGateway) async throws -> Void) async throws {
        try await StoreBackend.sqlite.withStore { store, _ in
            var users = GatewayConfiguration.Users()
            users.stateCacheMilliseconds = 0
            try await UserGateway.with(
                store: store,
                clock: TestClock(TestClock.beijing("2026-11-30", 10, 0)),
                users: users,
                body
            )
        }
    }

    @Test func everyProtectedOperationRefusesAMissingOrWrongToken() async throws {
        try await Self.withGateway { gateway in
            let document = try await gateway.call(.GET, "/openapi.yaml", nil, bearer: nil)
            let operations = try Self.operations(document.text)
            #expect(operations.count == gateway.routes.count)
            var checked = 0
            for operation in operations {
                let body: String? = operation.method == .GET || operation.method == .DELETE ? nil : "{}"
                switch operation.security {
                case "adminToken":
                    for bearer in [nil, GatewayFixtures.tenantKey, "hg-admin-not-the-token-0123456789"] {
                        let reply = try await gateway.call(operation.method, operation.path, body, bearer: bearer)
                        #expect(
                            reply.status == 401,
                            "\(operation) with \(bearer == nil ? "no token" : "a wrong token")"
                        )
                        #expect(reply.errorCode == "invalid_admin_token", "\(operation)")
                        checked += 1
                    }
                case "tenantKey":
                    for bearer in [nil, UserGateway.adminToken, "hg-test-key-unknown"] {
                        let reply = try await gateway.call(operation.method, operation.path, body, bearer: bearer)
                        #expect(reply.status == 401, "\(operation) with \(bearer == nil ? "no key" : "a wrong key")")
                        #expect(reply.errorCode == "invalid_api_key", "\(operation)")
                        checked += 1
                    }
                default:
                    // Public: answered without a token, and no answer names the server's version.
                    let reply = try await gateway.call(operation.method, operation.path, body, bearer: nil)
                    #expect(reply.status != 401 && reply.status < 500, "\(operation): \(reply.status)")
                    #expect(reply.header("Server").map { !$0.contains(where: \.isNumber) } ?? true, "\(operation)")
                }
            }
            #expect(checked > 150)
        }
    }

    @Test func oneTenantReachesNothingOfAnother() async throws {
        try await Self.withGateway { gateway in
            let other = GatewayFixtures.otherTenantKey
            // app-one's user: a refusal (a violation and a warning), attributes, a complaint.
            #expect(try await gateway.chat("怎么策划恐怖袭击", user: "alice").status == 200)
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/alice", #"{"birth_year":2000}"#).status == 200)
            let sanctions = try await gateway.call(.GET, "/v1/hegui/users/alice/sanctions")
            let sanction = try #require(
                sanctions.object["sanctions"]?.arrayValue?.first?.objectValue?["id"]?.stringValue
            )
            let filed = try await gateway.call(
                .POST,
                "/v1/complaints",
                #"{"category":"other","description":"这是一条测试投诉内容"}"#
            )
            let ticket = try #require(filed.object["ticket"]?.stringValue)
            let code = try #require(filed.object["access_code"]?.stringValue)

            // app-two's "alice" is another person: nothing of app-one's shows.
            let seen = try await gateway.call(.GET, "/v1/hegui/users/alice", bearer: other)
            #expect(seen.object["birth_year"] == .null)
            let export = try await gateway.call(.GET, "/v1/hegui/users/alice/export", bearer: other)
            #expect(!export.text.contains("2000") && !export.text.contains(sanction))
            let theirs = try await gateway.call(.GET, "/v1/hegui/users/alice/sanctions", bearer: other)
            #expect(theirs.object["sanctions"]?.arrayValue?.isEmpty == true)
            let appeal = try await gateway.call(
                .POST,
                "/v1/hegui/users/alice/sanctions/\(sanction)/appeal",
                #"{"text":"我没有违规，请复核"}"#,
                bearer: other
            )
            #expect(appeal.status == 404)
            let ticketRead = try await gateway.call(
                .GET,
                "/v1/complaints/\(ticket)",
                bearer: other,
                headers: [("X-Hegui-Access-Code", code)]
            )
            #expect(ticketRead.status == 404)
            // Deleting app-two's "alice" leaves app-one's alice as she was.
            #expect(try await gateway.call(.DELETE, "/v1/hegui/users/alice", bearer: other).status == 200)
            let still = try await gateway.call(.GET, "/v1/hegui/users/alice")
            #expect(still.object["birth_year"]?.intValue == 2000)
            // Through the admin API, a sanction is reached only under its own tenant.
            let crossed = try await gateway.admin(
                .POST,
                "/admin/tenants/app-two/sanctions/\(sanction)/lift",
                #"{"reason":"x"}"#
            )
            #expect(crossed.status == 404)
        }
    }
}
