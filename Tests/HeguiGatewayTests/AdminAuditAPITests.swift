import Foundation
import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The admin API's audit routes (issue 4: proofs over the admin API; DESIGN "Admin API": bearer
/// token, every call audited), against a real SQLite store.
@Suite struct AdminAuditAPITests {
    static let token = "hg-admin-test-token-0123456789"

    /// Runs `body` with a gateway whose admin API is on, over a fresh SQLite store.
    static func withAdmin(
        _ body: @Sendable (any TestClientProtocol, AuditLog) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-admin-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        let app = GatewayFixtures.application(
            upstream: ScriptedModel(),
            admin: AdminAccess(tokenDigest: APIKeyDigest.hex(of: Self.token), auditLog: log)
        )
        do {
            try await app.test(.router) { client in try await body(client, log) }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func call(
        _ client: some TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        token: String? = Self.token
    ) async throws -> (HTTPResponse.Status, JSONObject) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.execute(uri: uri, method: method, headers: headers)
        let json = try response.body.withUnsafeReadableBytes { bytes throws(JSONParseError) in
            try JSONParser.parse(bytes)
        }
        return (response.status, try #require(json.objectValue))
    }

    static func head(_ value: JSONValue?) throws -> SignedTreeHead {
        let object = try #require(value?.objectValue)
        guard case .number(let size)? = object["tree_size"], case .string(let root)? = object["root"],
            case .number(let time)? = object["time"], case .string(let signature)? = object["signature"]
        else { throw TestFailure("not a tree head: \(object)") }
        return SignedTreeHead(
            treeSize: try #require(UInt64(size)),
            root: try #require(MerkleHash(hex: root)),
            time: try #require(Int64(time)),
            signature: try #require(HexEncoding.decode(signature))
        )
    }

    static func hashes(_ value: JSONValue?) throws -> [MerkleHash] {
        guard case .array(let items)? = value else { throw TestFailure("not a list of hashes") }
        return try items.map { item in
            guard case .string(let hex) = item else { throw TestFailure("not a hash") }
            return try #require(MerkleHash(hex: hex))
        }
    }

    @Test(arguments: [nil, "wrong-token-wrong-token", ""] as [String?])
    func refusesAndRecordsCallsWithoutTheToken(token: String?) async throws {
        try await Self.withAdmin { client, log in
            let (status, body) = try await Self.call(client, .post, "/admin/audit/tree-heads", token: token)
            #expect(status == .unauthorized)
            #expect(body["error"]?.objectValue?["code"] == "invalid_admin_token")
            let events = try await log.events(from: 0, limit: 10).map(\.0)
            #expect(events.map(\.type) == ["admin.denied"])
            #expect(events.first?.details["path"] == "/admin/audit/tree-heads")
            #expect(try await log.treeHeads().isEmpty)
        }
    }

    @Test func servesProofsThatVerifyAgainstSignedHeads() async throws {
        try await Self.withAdmin { client, log in
            for index in 0..<5 {
                _ = try await log.append(AuditEventDraft(type: "test.event", time: Int64(index)))
            }
            let (created, first) = try await Self.call(client, .post, "/admin/audit/tree-heads")
            #expect(created == .created)
            let small = try Self.head(.object(first))
            #expect(small.treeSize == 6)  // five events and the admin call that signed
            let publicKey = try #require(HexEncoding.decode(first["public_key"]?.stringValue ?? ""))
            #expect(small.isSigned(byPublicKey: publicKey))

            for index in 0..<7 {
                _ = try await log.append(AuditEventDraft(type: "test.event", time: Int64(100 + index)))
            }
            let (_, second) = try await Self.call(client, .post, "/admin/audit/tree-heads")
            let large = try Self.head(.object(second))
            #expect(large.treeSize > small.treeSize)

            let (latestStatus, latest) = try await Self.call(client, .get, "/admin/audit/tree-heads/latest")
            #expect(latestStatus == .ok)
            #expect(try Self.head(.object(latest)) == large)

            // Inclusion of event 3 in the smaller head, checked here with the RFC 6962 rules.
            let (proofStatus, proof) = try await Self.call(
                client,
                .get,
                "/admin/audit/events/3/proof?tree_size=\(small.treeSize)"
            )
            #expect(proofStatus == .ok)
            let eventText = try #require(proof["event"]?.stringValue)
            #expect(
                MerkleTree.verifyInclusion(
                    leaf: MerkleTree.leafHash(Array(eventText.utf8)),
                    index: 3,
                    treeSize: Int(small.treeSize),
                    proof: try Self.hashes(proof["inclusion_proof"]),
                    root: small.root
                )
            )

            let (consistencyStatus, consistency) = try await Self.call(
                client,
                .get,
                "/admin/audit/consistency?from=\(small.treeSize)&to=\(large.treeSize)"
            )
            #expect(consistencyStatus == .ok)
            #expect(
                MerkleTree.verifyConsistency(
                    oldSize: Int(small.treeSize),
                    newSize: Int(large.treeSize),
                    oldRoot: small.root,
                    newRoot: large.root,
                    proof: try Self.hashes(consistency["consistency_proof"])
                )
            )

            let (_, verified) = try await Self.call(client, .post, "/admin/audit/verify")
            #expect(verified["intact"] == .bool(true))

            let (_, page) = try await Self.call(client, .get, "/admin/audit/events?from=0&limit=3")
            guard case .array(let events)? = page["events"] else { throw TestFailure("no events") }
            #expect(events.count == 3)
            #expect(page["next"] == .number("3"))

            // Every admin call is itself an audit event.
            let recorded = try await log.events(from: 0, limit: 100).map(\.0).filter { $0.type == "admin.request" }
            #expect(recorded.count == 7)
            #expect(recorded.allSatisfy { $0.details["method"] != nil && $0.details["path"] != nil })
        }
    }

    @Test(
        arguments: [
            ("/admin/audit/events/99/proof", HTTPResponse.Status.notFound),  // no tree head yet
            ("/admin/audit/events/x/proof", .badRequest),
            ("/admin/audit/events?limit=5000", .badRequest),
            ("/admin/audit/events?from=-1", .badRequest),
            ("/admin/audit/consistency?from=1", .badRequest),
            ("/admin/audit/consistency?from=1&to=2", .notFound),
            ("/admin/audit/tree-heads/latest", .notFound),
        ]
    )
    func answersBadQueriesWithClearErrors(uri: String, status: HTTPResponse.Status) async throws {
        try await Self.withAdmin { client, _ in
            let (got, body) = try await Self.call(client, .get, uri)
            #expect(got == status)
            #expect(body["error"]?.objectValue?["message"] != nil)
        }
    }

    @Test func refusesProofsOutsideTheSignedTree() async throws {
        try await Self.withAdmin { client, log in
            _ = try await log.append(AuditEventDraft(type: "test.event", time: 1))
            _ = try await Self.call(client, .post, "/admin/audit/tree-heads")
            let (status, _) = try await Self.call(client, .get, "/admin/audit/events/50/proof")
            #expect(status == .badRequest)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The admin token's file in the data directory (DESIGN "Admin API"; secrets never in the clear
/// anywhere but the operator's file).
@Suite struct AdminTokenTests {
    @Test func isCreatedOnceWithMode0600UnlessConfigured() throws {
        let path = NSTemporaryDirectory() + "hegui-admin-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.prepare(at: path)
        let first = try AdminToken.ensure(configured: nil, in: directory)
        let token = try #require(first.newToken)
        #expect(token.hasPrefix("hg-admin-") && token.count == 9 + 64)
        #expect(first.digest == APIKeyDigest.hex(of: token))
        let again = try AdminToken.ensure(configured: nil, in: directory)
        #expect(again.newToken == nil && again.digest == first.digest)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.filePath(AdminToken.fileName))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let configured = try AdminToken.ensure(configured: "operator-token-0123456789", in: directory)
        #expect(configured.newToken == nil && configured.digest == APIKeyDigest.hex(of: "operator-token-0123456789"))
    }
}
