import Foundation
import HTTPTypes
import HeguiCore
package import HeguiStore
package import Hummingbird
import Logging

/// Guards the admin API: `Authorization: Bearer <admin token>`, looked up by its SHA-256, and every
/// call — allowed or refused — recorded in the audit log before anything else happens (DESIGN
/// "Admin API"; IM-14, IM-19: what the compliance officer did is evidence too). A call that cannot
/// be recorded is refused (503), so no admin action goes unaudited.
package struct AdminAuthMiddleware: RouterMiddleware {
    package typealias Context = GatewayRequestContext

    private let tokenDigest: String
    private let auditLog: AuditLog

    package init(tokenDigest: String, auditLog: AuditLog) {
        self.tokenDigest = tokenDigest
        self.auditLog = auditLog
    }

    package func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @concurrent (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        let presented = request.headers[.authorization].flatMap(TenantAuthMiddleware.bearerToken)
        let allowed = presented.map { APIKeyDigest.hex(of: $0) == self.tokenDigest } ?? false
        do {
            _ = try await self.auditLog.append(
                AuditEventDraft(
                    type: allowed ? "admin.request" : "admin.denied",
                    time: Int64(Date().timeIntervalSince1970 * 1000),
                    requestID: context.requestID,
                    details: ["method": request.method.rawValue, "path": Self.recordedPath(request.uri.path)]
                )
            )
        } catch {
            context.logger.error("cannot record an admin call; refused", metadata: ["error": "\(error)"])
            throw APIError.auditUnavailable()
        }
        guard allowed else { throw APIError.invalidAdminToken() }
        return try await next(request, context)
    }

    /// The path as recorded: an end user's own id (the segment after `users`) is left out, so the
    /// audit log names users by pseudonym only (IM-11) and a deletion leaves no id behind.
    static func recordedPath(_ path: String) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for index in segments.indices.dropFirst() where segments[index - 1] == "users" {
            segments[index] = "{user}"
        }
        return segments.joined(separator: "/")
    }
}
