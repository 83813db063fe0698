import Foundation
import HTTPTypes
import HeguiCore
package import HeguiStore
package import Hummingbird

/// The auditor's view of the tamper-evident log over the admin API (IM-19, OPS-1): signed tree
/// heads, events, inclusion and consistency proofs, and a full verification.
///
/// - `GET  /admin/audit/tree-heads`: every signed tree head and the public key.
/// - `GET  /admin/audit/tree-heads/latest`: the newest one.
/// - `POST /admin/audit/tree-heads`: sign one over the log as it stands (201).
/// - `GET  /admin/audit/events?from=N&limit=M`: events in sequence order (at most 1,000).
/// - `GET  /admin/audit/events/{seq}/proof[?tree_size=N]`: inclusion proof against a signed head.
/// - `GET  /admin/audit/consistency?from=N&to=M`: consistency proof between two signed heads.
/// - `POST /admin/audit/verify`: re-derives the tree and checks every head.
package struct AdminAuditController: Sendable {
    let auditLog: AuditLog

    package init(auditLog: AuditLog) {
        self.auditLog = auditLog
    }

    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("tree-heads") { _, _ in
            let heads = try await self.auditLog.treeHeads()
            return Response.json(
                JSONValue.object([
                    "tree_heads": .array(heads.map(\.json)),
                    "public_key": .string(HexEncoding.encode(self.auditLog.publicKey)),
                ]).serialized
            )
        }
        group.get("tree-heads/latest") { _, _ in
            let head = try await self.auditLog.treeHead(size: nil)
            return Response.json(self.headJSON(head).serialized)
        }
        group.post("tree-heads") { _, _ in
            let head = try await self.auditLog.signTreeHead(time: Int64(Date().timeIntervalSince1970 * 1000))
            return Response.json(self.headJSON(head).serialized, status: .created)
        }
        group.get("events") { request, _ in
            let from = try Self.number(request, "from") ?? 0
            let limit = try Self.number(request, "limit") ?? 100
            guard (1...1_000).contains(limit) else {
                throw APIError.invalidParameter(
                    "limit",
                    expectedZH: "1 到 1000 之间的整数",
                    expected: "an integer from 1 to 1000",
                    got: String(limit)
                )
            }
            let page = try await self.auditLog.events(from: from, limit: Int(limit))
            return Response.json(
                JSONValue.object([
                    "events": .array(
                        page.map { event, _ in
                            .object([
                                "sequence": .number(String(event.sequence)),
                                "event": .string(String(decoding: event.canonicalBytes, as: UTF8.self)),
                                "leaf_hash": .string(event.leafHash.hex),
                            ])
                        }
                    ),
                    "next": page.last.map { .number(String($0.0.sequence + 1)) } ?? .null,
                ]).serialized
            )
        }
        group.get("events/{sequence}/proof") { request, context in
            guard let text = context.parameters.get("sequence"), let sequence = UInt64(text) else {
                throw APIError.invalidParameter(
                    "sequence",
                    expectedZH: "非负整数",
                    expected: "a non-negative integer",
                    got: context.parameters.get("sequence") ?? "nothing"
                )
            }
            let proof = try await self.auditLog.provenInclusion(
                sequence: sequence,
                treeSize: try Self.number(request, "tree_size")
            )
            return Response.json(proof.json.serialized)
        }
        group.get("consistency") { request, _ in
            guard let from = try Self.number(request, "from") else { throw APIError.missingParameter("from") }
            guard let to = try Self.number(request, "to") else { throw APIError.missingParameter("to") }
            return Response.json(try await self.auditLog.provenConsistency(from: from, to: to).json.serialized)
        }
        group.post("verify") { _, _ in
            let findings = try await self.auditLog.verify()
            return Response.json(
                JSONValue.object([
                    "intact": .bool(findings.isEmpty),
                    "findings": .array(findings.map { .string(String(describing: $0)) }),
                ]).serialized
            )
        }
    }

    func headJSON(_ head: SignedTreeHead) -> JSONValue {
        guard case .object(var object) = head.json else { return head.json }
        object["public_key"] = .string(HexEncoding.encode(self.auditLog.publicKey))
        return .object(object)
    }

    /// A non-negative integer query parameter, `nil` when absent.
    static func number(_ request: Request, _ name: String) throws -> UInt64? {
        guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let value = UInt64(text) else {
            throw APIError.invalidParameter(
                name,
                expectedZH: "非负整数",
                expected: "a non-negative integer",
                got: "'\(text.prefix(40))'"
            )
        }
        return value
    }
}
