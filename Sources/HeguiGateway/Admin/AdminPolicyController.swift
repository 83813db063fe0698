import Foundation
import HeguiCore
package import HeguiStore
package import Hummingbird

/// `POST /admin/policy/reload` (issue 5 item 7): reads the lexicons and the policy file again and
/// swaps them in without dropping a request (requests in flight finish under the rules they
/// started with). A reload that fails keeps the rules in force and answers 422 with the file and
/// line at fault. `GET /admin/policy` names the rules in force.
package struct AdminPolicyController: Sendable {
    let moderation: ModerationState
    let auditLog: AuditLog

    package init(moderation: ModerationState, auditLog: AuditLog) {
        self.moderation = moderation
        self.auditLog = auditLog
    }

    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("") { _, _ in
            let (engine, version) = self.moderation.snapshot
            return Response.json(Self.summary(engine: engine, version: version).serialized)
        }
        group.post("reload") { _, context in
            let loaded: ModerationLoader.Loaded
            do {
                loaded = try await self.moderation.reload()
            } catch {
                _ = try? await self.auditLog.append(
                    AuditEventDraft(
                        type: "moderation.reload_failed",
                        time: Int64(Date().timeIntervalSince1970 * 1000),
                        requestID: context.requestID
                    )
                )
                throw APIError(
                    status: 422,
                    type: "invalid_request_error",
                    code: .init(rawValue: "policy_invalid"),
                    zh: "重新加载失败，仍使用原有规则：\(error)",
                    en: "Reload failed; the rules in force stay: \(error)"
                )
            }
            _ = try await self.auditLog.append(
                AuditEventDraft(
                    type: "moderation.reloaded",
                    time: Int64(Date().timeIntervalSince1970 * 1000),
                    requestID: context.requestID,
                    details: [
                        "terms": String(loaded.engine.lexicon.entries.count),
                        "files": String(loaded.files.count),
                        "policies": String(loaded.engine.policies.policies.count),
                        "policy_version": loaded.version,
                    ]
                )
            )
            return Response.json(Self.summary(engine: loaded.engine, version: loaded.version).serialized)
        }
    }

    static func summary(engine: ModerationEngine, version: String) -> JSONValue {
        [
            "policy_version": .string(version),
            "terms": .number(String(engine.lexicon.entries.count)),
            "policies": .array(engine.policies.policies.keys.sorted().map { .string($0) }),
        ]
    }
}
