package import AsyncHTTPClient
import Foundation
package import HeguiCore
package import HeguiGateway
package import HeguiStore
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
package import NIOHTTP1
import NIOPosix
import Prometheus

/// A clock the tests set: curfews, days and sessions at chosen Beijing times.
package final class TestClock: Sendable {
    private let time: NIOLockedValueBox<Int64>

    package init(_ time: Int64) {
        self.time = NIOLockedValueBox(time)
    }

    package func now() -> Int64 { self.time.withLockedValue { $0 } }
    package func set(_ time: Int64) { self.time.withLockedValue { $0 = time } }
    package func advance(seconds: Int) { self.time.withLockedValue { $0 += Int64(seconds) * 1_000 } }

    /// Milliseconds of a Beijing wall-clock time (`2026-11-29`, 21, 59).
    package static func beijing(_ date: String, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
        let day = CivilDate(date)?.daysSince1970 ?? 0
        return LocalTime.beijing.start(ofDay: day) + Int64(((hour * 60 + minute) * 60 + second) * 1_000)
    }
}

/// A gateway with the end-user duties on (issue 6) over a given store, serving real HTTP on
/// loopback in front of a scripted model, with the test tenants, the admin API and a test clock.
package struct UserGateway: Sendable {
    package static let adminToken = "hg-admin-user-tests-0123456789"

    package var port: Int
    package var client: HTTPClient
    package var store: SQLStore
    package var log: AuditLog
    package var clock: TestClock
    package var model: ScriptedModel
    /// The replica's usage ledger (batched writes; `flush()` writes them now).
    package var ledger: UsageLedger
    /// The complaint channel's service (for the SLA gauges).
    package var complaints: ComplaintService
    /// Every route of this gateway (`GET /v1/models`), as its router holds them.
    package var routes: [String]

    /// A JSON call: status, headers and the parsed body (`nil` when not JSON).
    package struct Reply: Sendable {
        package var status: Int
        package var headers: [(String, String)]
        package var json: JSONValue?
        package var text: String

        package func header(_ name: String) -> String? {
            self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        package var errorCode: String? { self.json?.objectValue?["error"]?.objectValue?["code"]?.stringValue }
        package var object: JSONObject { self.json?.objectValue ?? JSONObject() }
    }

    package func call(
        _ method: HTTPMethod,
        _ path: String,
        _ body: String? = nil,
        bearer: String? = GatewayFixtures.tenantKey,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return try await self.send(request)
    }

    /// A browser's round: GET a page, keep its cookie and CSRF token.
    package func page(
        _ path: String,
        cookie: String? = nil
    ) async throws -> (reply: Reply, cookie: String?, csrf: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        let reply = try await self.send(request)
        let setCookie = reply.header("Set-Cookie").flatMap { $0.split(separator: ";").first.map(String.init) }
        let csrf = reply.text.range(of: #"name="csrf" value=""#).map { range in
            String(reply.text[range.upperBound...].prefix { $0 != "\"" })
        }
        return (reply, setCookie ?? cookie, csrf)
    }

    /// Posts a form (`application/x-www-form-urlencoded`) as a browser would, with its cookie.
    package func postForm(_ path: String, _ fields: [(String, String)], cookie: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        return try await self.send(request)
    }

    /// Posts a `multipart/form-data` form with files, as a browser would.
    package func postMultipart(
        _ path: String,
        _ fields: [(String, String)],
        files: [(name: String, filename: String, type: String, bytes: [UInt8])],
        cookie: String?
    ) async throws -> Reply {
        let boundary = "----hegui-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for file in files {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\n"
                    + "Content-Type: \(file.type)\r\n\r\n"
            )
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        request.body = .bytes(body)
        return try await self.send(request)
    }

    package func admin(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> Reply {
        try await self.call(method, path, body, bearer: Self.adminToken)
    }

    /// A chat request by `user` through tenant `key`.
    package func chat(
        _ prompt: String = "你好",
        user: String? = "user-1",
        key: String = GatewayFixtures.tenantKey,
        stream: Bool = false
    ) async throws -> Reply {
        try await self.call(
            .POST,
            "/v1/chat/completions",
            GatewayFixtures.chatBody(prompt, stream: stream, user: user),
            bearer: key
        )
    }

    /// Sends a request and reads the whole reply (parsed as JSON when it is JSON).
    func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await self.client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        return Reply(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            json: try? JSONParser.parse(text),
            text: text
        )
    }

    /// Runs `body` with a gateway over `store` with the given end-user settings.
    package static func with<Result: Sendable>(
        store: SQLStore,
        clock: TestClock,
        users settings: GatewayConfiguration.Users,
        _ body: (UserGateway) async throws -> Result
    ) async throws -> Result {
        var configuration = GatewayFixtures.configuration()
        configuration.users = settings
        let logger = Logger(label: "hegui.test.users")
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        let key = Array("user-gateway-test-pseudonym-key-0123".utf8)
        let users = UserServices(
            configuration: configuration,
            tenants: configuration.tenants,
            store: store,
            auditLog: log,
            pseudonymKey: key,
            logger: logger,
            now: { clock.now() }
        )
        let loaded = try ModerationLoader.load(configuration.moderation)
        let enforcement = Enforcement(
            moderation: ModerationState(loaded, configuration: configuration.moderation),
            recorder: DecisionRecorder(
                auditLog: log,
                store: store,
                key: key,
                logger: logger,
                sanctions: users.sanctions,
                ledger: users.ledger,
                now: { clock.now() }
            ),
            gate: users.gate
        )
        let model = ScriptedModel()
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            let configuration = configuration
            let makeApplication = { @Sendable (onRunning: @escaping @Sendable (any Channel) async -> Void) in
                GatewayFixtures.application(
                    configuration: configuration,
                    upstream: model,
                    enforcement: enforcement,
                    admin: AdminAccess(tokenDigest: APIKeyDigest.hex(of: Self.adminToken), auditLog: log),
                    users: users,
                    onServerRunning: onRunning
                )
            }
            let routes = buildRouter(
                configuration: configuration,
                upstream: model,
                tenants: configuration.tenants,
                metricsRegistry: PrometheusCollectorRegistry(),
                dataDirectory: nil,
                enforcement: enforcement,
                admin: AdminAccess(tokenDigest: APIKeyDigest.hex(of: Self.adminToken), auditLog: log),
                users: users
            ).routes.map { "\($0.method) \($0.path)" }
            let result = try await withRunningServer(makeApplication) { port in
                try await body(
                    UserGateway(
                        port: port,
                        client: client,
                        store: store,
                        log: log,
                        clock: clock,
                        model: model,
                        ledger: users.ledger,
                        complaints: users.complaints,
                        routes: routes
                    )
                )
            }
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
