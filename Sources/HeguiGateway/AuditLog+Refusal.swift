package import HeguiCore
package import HeguiStore
package import Logging

extension AuditLog {
    /// Appends an event that must be on record before the step it describes takes effect; a step
    /// that cannot be recorded is refused (503 `audit_unavailable`), so none goes unaudited.
    package func appendOrRefuse(_ draft: AuditEventDraft, logger: Logger) async throws(APIError) -> AuditEvent {
        do {
            return try await self.append(draft)
        } catch {
            logger.error(
                "step not recorded; refused",
                metadata: ["audit.event": .string(draft.type), "audit.error": "\(error)"]
            )
            throw APIError.auditUnavailable()
        }
    }
}
