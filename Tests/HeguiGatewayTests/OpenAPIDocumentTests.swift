import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import NIOHTTP1
import Testing
import Yams

/// The OpenAPI 3.1 document at `/openapi.yaml` (issue 11, item 5) describes every route the router
/// holds and no other; schemathesis checks the answers against it in CI
/// (`Tests/python/test_openapi.py`).
@Suite(.timeLimit(.minutes(10)))
struct OpenAPIDocumentTests {
    static let methods = ["get", "post", "put", "patch", "delete"]

    @Test func theDocumentDescribesEveryRouteAndNoOther() async throws {
        try await StoreBackend.sqlite.withStore { store, _ in
            let clock = TestClock(TestClock.beijing("2026-11-30", 10, 0))
            try await UserGateway.with(store: store, clock: clock, users: GatewayConfiguration.Users()) { gateway in
                let served = try await gateway.call(.GET, "/openapi.yaml", nil, bearer: nil)
                #expect(served.status == 200)
                #expect(served.header("Content-Type")?.hasPrefix("application/yaml") == true)
                let document = try #require(try Yams.load(yaml: served.text) as? [String: Any])
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: Any])
                var operations: Set<String> = []
                var operationIDs: [String] = []
                for (path, item) in paths {
                    let item = try #require(item as? [String: Any], "\(path)")
                    for method in Self.methods {
                        guard let operation = item[method] as? [String: Any] else { continue }
                        operations.insert("\(method.uppercased()) \(path)")
                        operationIDs.append(operation["operationId"] as? String ?? "")
                        #expect(operation["responses"] is [String: Any], "\(method) \(path) lists no responses")
                        // Every route under /v1 takes the tenant key, every one under /admin the admin token.
                        let security = (operation["security"] as? [[String: Any]])?.flatMap(\.keys) ?? []
                        if path.hasPrefix("/v1/") {
                            #expect(security == ["tenantKey"], "\(method) \(path)")
                        } else if path.hasPrefix("/admin/") {
                            #expect(security == ["adminToken"], "\(method) \(path)")
                        } else {
                            #expect(security.isEmpty, "\(method) \(path)")
                        }
                    }
                }
                let routes = Set(gateway.routes)
                let undocumented = routes.subtracting(operations).sorted()
                let unserved = operations.subtracting(routes).sorted()
                #expect(undocumented.isEmpty, "routes missing from the document: \(undocumented)")
                #expect(unserved.isEmpty, "operations no route serves: \(unserved)")
                #expect(Set(operationIDs).count == operationIDs.count && !operationIDs.contains(""))
            }
        }
    }
}
