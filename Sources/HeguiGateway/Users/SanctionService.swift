import Foundation
package import HeguiCore
package import HeguiStore
package import Logging

/// The sanctions ladder at work (IM-14.4–14.6, TC-7.7): after each violation the user's standing
/// is read from the store and the ladder's step, if any, is imposed; administrators impose, lift,
/// annotate and report by hand. Every step is an audit event naming its evidence (the violations'
/// audit events), recorded before the sanction takes effect.
package final class SanctionService: Sendable {
    let store: SQLStore
    let auditLog: AuditLog?
    let ladder: SanctionsLadder
    let zone: LocalTime
    let cache: UserStateCache
    let logger: Logger

    package init(
        store: SQLStore,
        auditLog: AuditLog?,
        ladder: SanctionsLadder,
        zone: LocalTime = .beijing,
        cache: UserStateCache,
        logger: Logger
    ) {
        self.store = store
        self.auditLog = auditLog
        self.ladder = ladder
        self.zone = zone
        self.cache = cache
        self.logger = logger
    }

    /// Climbs the ladder after a violation recorded at `time`; returns the sanction imposed, if any.
    @discardableResult
    package func afterViolation(tenant: String, pseudonym: String, at time: Int64) async throws -> SanctionRecord? {
        defer { self.cache.invalidate(tenant: tenant, pseudonym: pseudonym) }
        guard self.ladder.isEnabled else { return nil }
        let dayStart = self.zone.start(ofDay: self.zone.day(of: time))
        let today = try await self.store.violationCount(tenant: tenant, pseudonym: pseudonym, since: dayStart)
        let user = try await self.store.endUser(tenant: tenant, pseudonym: pseudonym)
        let all = try await self.store.sanctions(tenant: tenant, pseudonym: pseudonym)
        let standing = SanctionsLadder.Standing(
            violationsToday: today,
            consecutiveViolations: user?.consecutiveViolations ?? 1,
            suspensionTimes: all.filter { $0.level == .suspension }.map(\.imposedAt),
            activeLevel: all.filter { $0.isActive(at: time) }.map(\.level).max()
        )
        guard let step = self.ladder.step(after: standing, at: time) else { return nil }
        let evidence = try await self.store.violations(tenant: tenant, pseudonym: pseudonym)
            .filter { $0.time >= dayStart }.compactMap(\.auditSequence)
        return try await self.impose(
            tenant: tenant,
            pseudonym: pseudonym,
            level: step.level,
            reason: step.reason,
            expiresAt: step.expiresAt,
            by: "ladder",
            evidence: evidence,
            at: time
        )
    }

    /// Imposes a sanction: the audit event first, then the record that points at it.
    package func impose(
        tenant: String,
        pseudonym: String,
        level: SanctionLevel,
        reason: String,
        expiresAt: Int64?,
        by actor: String,
        evidence: [UInt64],
        note: String? = nil,
        at time: Int64
    ) async throws -> SanctionRecord {
        var details = ["level": level.rawValue, "reason": reason, "by": actor]
        if let expiresAt { details["expires_at"] = String(expiresAt) }
        if !evidence.isEmpty { details["violations"] = evidence.map(String.init).joined(separator: ",") }
        let event = try await self.auditLog?.appendOrRefuse(
            AuditEventDraft(
                type: "sanction.imposed",
                time: time,
                tenant: tenant,
                user: pseudonym,
                action: level >= .suspension ? .block : .flag,
                details: details
            ),
            logger: self.logger
        )
        let sanction = SanctionRecord(
            id: "sn-" + UUID().uuidString.lowercased(),
            tenant: tenant,
            pseudonym: pseudonym,
            level: level,
            reason: reason,
            imposedAt: time,
            expiresAt: expiresAt,
            auditSequence: event?.sequence,
            note: note
        )
        try await self.store.imposeSanction(sanction)
        self.cache.invalidate(tenant: tenant, pseudonym: pseudonym)
        self.logger.notice(
            "sanction imposed",
            metadata: ["tenant": .string(tenant), "sanction.level": .string(level.rawValue), "by": .string(actor)]
        )
        return sanction
    }

    /// Lifts a sanction of the tenant's user.
    /// - Throws: ``StoreError`` `notFound` for another tenant's sanction or one no longer in force.
    package func lift(id: String, tenant: String, reason: String, at time: Int64) async throws -> SanctionRecord {
        guard let sanction = try await self.store.sanction(id: id), sanction.tenant == tenant else {
            throw StoreError(.notFound, "no sanction '\(id)'")
        }
        _ = try await self.auditLog?.appendOrRefuse(
            AuditEventDraft(
                type: "sanction.lifted",
                time: time,
                tenant: tenant,
                user: sanction.pseudonym,
                details: [
                    "sanction": id, "reason": reason, "imposed_event": sanction.auditSequence.map(String.init) ?? "",
                ]
            ),
            logger: self.logger
        )
        try await self.store.liftSanction(id: id, at: time, reason: reason)
        self.cache.invalidate(tenant: tenant, pseudonym: sanction.pseudonym)
        return try await self.store.sanction(id: id) ?? sanction
    }

    /// Annotates, or marks reported to the authorities (IM-14.5), a sanction of the tenant's user.
    package func update(
        id: String,
        tenant: String,
        note: String?,
        reported: Bool,
        at time: Int64
    ) async throws
        -> SanctionRecord
    {
        guard let sanction = try await self.store.sanction(id: id), sanction.tenant == tenant else {
            throw StoreError(.notFound, "no sanction '\(id)'")
        }
        var details = ["sanction": id]
        if note != nil { details["annotated"] = "true" }
        if reported { details["reported"] = "true" }
        _ = try await self.auditLog?.appendOrRefuse(
            AuditEventDraft(
                type: reported ? "sanction.reported" : "sanction.annotated",
                time: time,
                tenant: tenant,
                user: sanction.pseudonym,
                details: details
            ),
            logger: self.logger
        )
        if let note { try await self.store.annotateSanction(id: id, note: note) }
        if reported { try await self.store.markSanctionReported(id: id, at: time) }
        return try await self.store.sanction(id: id) ?? sanction
    }
}
