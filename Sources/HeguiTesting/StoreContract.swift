import HeguiCore
package import HeguiStore
import Testing

/// The store contract: what every implementation of the store protocols must do, whatever the
/// database. The store tests run each check against SQLite and PostgreSQL (``StoreBackend``); a
/// new implementation runs the same checks. Requirement IDs are in each check's comment.
package enum StoreContract {
    /// Every check, by name, for a parameterised test.
    package static let checks: [(name: String, run: @Sendable (any StoreUnderTest) async throws -> Void)] = [
        ("tenants and keys", { try await tenantsAndKeys($0) }),
        ("end users", { try await endUsers($0) }),
        ("agreements", { try await agreements($0) }),
        ("sanctions", { try await sanctions($0) }),
        ("complaints", { try await complaints($0) }),
        ("incidents", { try await incidents($0) }),
        ("usage", { try await usage($0) }),
        ("use time in sessions", { try await activity($0) }),
        ("runs of violations and sanction records", { try await violationRuns($0) }),
        ("rate windows", { try await rateWindows($0) }),
        ("rights requests", { try await rightsRequests($0) }),
        ("a user's audit events and evidence", { try await userEvidence($0) }),
    ]

    /// Use time (IM-10.3, OPS-6): a request within the idle gap adds the time since the previous
    /// one, a request after a longer pause adds the session allowance; days are separate; a late
    /// request from another replica never subtracts.
    package static func activity(_ store: some EndUserStore & UsageStore) async throws {
        func record(_ time: Int64, day: Int = 1) async throws -> Int {
            try await store.recordActivity(
                tenant: "app",
                pseudonym: "kid",
                day: day,
                time: time,
                idleGapMilliseconds: 300_000,
                sessionStartMilliseconds: 60_000
            ).activeSeconds
        }
        #expect(try await record(1_000_000) == 60)
        #expect(try await record(1_030_000) == 90)
        #expect(try await record(1_330_000) == 390)  // exactly the gap: still the same session
        #expect(try await record(1_630_001) == 450)  // a pause longer than the gap: a new session
        #expect(try await record(1_620_000) == 450)  // an older time (another replica's clock) adds nothing
        #expect(try await record(1_640_001) == 460)
        #expect(try await record(5_000, day: 2) == 60)
        #expect(try await store.usage(tenant: "app", pseudonym: "kid", day: 1).activeSeconds == 460)
        #expect(try await store.usage(tenant: "other", pseudonym: "kid", day: 1).activeSeconds == 0)
    }

    /// TC-7.7 "in a row": each violation adds to the run, a clean request ends it; a violation by a
    /// user not yet seen creates the user. Sanctions keep notes and the time of reporting (IM-14.5).
    package static func violationRuns(_ store: some EndUserStore & SanctionStore) async throws {
        for index in 0..<3 {
            try await store.recordViolation(
                ViolationRecord(
                    id: "v\(index)",
                    tenant: "app",
                    pseudonym: "u",
                    time: Int64(100 + index),
                    risks: [RiskCode("A1d")!]
                )
            )
        }
        #expect(try await store.endUser(tenant: "app", pseudonym: "u")?.consecutiveViolations == 3)
        #expect(try await store.violations(tenant: "app", pseudonym: "u").map(\.id) == ["v0", "v1", "v2"])
        #expect(try await store.violations(tenant: "app", pseudonym: "other").isEmpty)
        try await store.resetConsecutiveViolations(tenant: "app", pseudonym: "u")
        #expect(try await store.endUser(tenant: "app", pseudonym: "u")?.consecutiveViolations == 0)
        #expect(try await store.violationCount(tenant: "app", pseudonym: "u", since: 0) == 3)

        let sanction = SanctionRecord(
            id: "s1",
            tenant: "app",
            pseudonym: "u",
            level: .suspension,
            reason: "连续违规",
            imposedAt: 200,
            expiresAt: 500,
            note: "first"
        )
        #expect(try await store.endUser(tenant: "app", pseudonym: "u")?.sanctionedAt == nil)
        try await store.imposeSanction(sanction)
        #expect(try await store.sanction(id: "s1") == sanction)
        #expect(try await store.endUser(tenant: "app", pseudonym: "u")?.sanctionedAt == 200)
        try await store.annotateSanction(id: "s1", note: "checked by officer")
        try await store.markSanctionReported(id: "s1", at: 300)
        try await store.markSanctionReported(id: "s1", at: 400)
        let reported = try #require(try await store.sanction(id: "s1"))
        #expect(reported.note == "checked by officer")
        #expect(reported.reportedAt == 300)
        #expect(try await store.reportedSanctions(tenant: "app").map(\.id) == ["s1"])
        #expect(try await store.reportedSanctions(tenant: "other").isEmpty)
        #expect(try await store.reportedSanctions(tenant: nil).map(\.id) == ["s1"])
        await #expect(throws: StoreError.self) { try await store.annotateSanction(id: "none", note: "x") }
    }

    /// Request counters per window, shared by replicas: each call adds one; the previous window's
    /// count comes back beside it; finished windows can be purged.
    package static func rateWindows(_ store: some RateCounterStore) async throws {
        #expect(try await store.countRequest(scope: "u:app:a", window: 10) == (0, 1))
        #expect(try await store.countRequest(scope: "u:app:a", window: 10) == (0, 2))
        #expect(try await store.countRequest(scope: "u:app:b", window: 10) == (0, 1))
        #expect(try await store.countRequest(scope: "u:app:a", window: 11) == (2, 1))
        try await store.purgeRateCounters(before: 11)
        #expect(try await store.countRequest(scope: "u:app:a", window: 11) == (0, 2))
    }

    /// Personal-information requests (OPS-8): opened with a deadline, completed once, listed by
    /// tenant, user and openness, soonest due first.
    package static func rightsRequests(_ store: some RightsRequestStore) async throws {
        let first = RightsRequestRecord(
            id: "r1",
            tenant: "app",
            pseudonym: "u",
            kind: .deletion,
            receivedAt: 10,
            dueAt: 500
        )
        let second = RightsRequestRecord(
            id: "r2",
            tenant: "app",
            pseudonym: "v",
            kind: .access,
            receivedAt: 20,
            dueAt: 300
        )
        let third = RightsRequestRecord(
            id: "r3",
            tenant: "other",
            pseudonym: "u",
            kind: .correction,
            receivedAt: 30,
            dueAt: 400
        )
        for request in [first, second, third] { try await store.openRightsRequest(request) }
        await #expect(throws: StoreError.self) { try await store.openRightsRequest(first) }
        #expect(
            try await store.rightsRequests(tenant: nil, pseudonym: nil, openOnly: true).map(\.id) == ["r2", "r3", "r1"]
        )
        #expect(try await store.rightsRequests(tenant: "app", pseudonym: "u", openOnly: false).map(\.id) == ["r1"])
        try await store.completeRightsRequest(id: "r2", at: 50, outcome: "exported")
        await #expect(throws: StoreError.self) {
            try await store.completeRightsRequest(id: "r2", at: 60, outcome: "again")
        }
        #expect(try await store.rightsRequests(tenant: "app", pseudonym: nil, openOnly: true).map(\.id) == ["r1"])
        let done = try await store.rightsRequests(tenant: "app", pseudonym: "v", openOnly: false)
        #expect(done.first?.completedAt == 50)
        #expect(done.first?.outcome == "exported")
    }

    /// A user's audit events with their evidence flag, and erasure of that user's evidence only
    /// (a deletion request: IM-11.5), the events staying.
    package static func userEvidence(_ store: some AuditStore) async throws {
        func draft(_ user: String?, tenant: String = "app", evidence: String?) -> AuditEventDraft {
            AuditEventDraft(
                type: "moderation.input",
                time: 10,
                tenant: tenant,
                user: user,
                action: .block,
                evidence: evidence
            )
        }
        _ = try await store.appendAuditEvents([
            draft("u", evidence: "坏话一"), draft("u", evidence: nil), draft("v", evidence: "坏话二"),
            draft("u", tenant: "other", evidence: "别的租户"),
        ])
        let events = try await store.auditEvents(tenant: "app", user: "u", limit: 100)
        #expect(events.map(\.event.sequence) == [0, 1])
        #expect(events.map(\.hasEvidence) == [true, false])
        #expect(try await store.eraseEvidence(tenant: "app", user: "u") == 1)
        #expect(try await store.evidence(sequence: 0) == nil)
        #expect(try await store.evidence(sequence: 2) == "坏话二")
        #expect(try await store.evidence(sequence: 3) == "别的租户")
        #expect(try await store.auditEvents(tenant: "app", user: "u", limit: 100).count == 2)
    }

    /// Tenants and keys (DESIGN "Admin API"): ids unique, keys stored by digest and unique,
    /// revocation idempotent, one tenant's key not revocable through another.
    package static func tenantsAndKeys(_ store: some TenantStore) async throws {
        let tenant = TenantRecord(
            id: "app-one",
            name: "应用一",
            policySet: "strict",
            tokensPerDay: 1_000_000,
            createdAt: 10
        )
        try await store.createTenant(tenant)
        try await store.createTenant(TenantRecord(id: "app-two", name: "App Two", createdAt: 11))
        await #expect(throws: StoreError.self) { try await store.createTenant(tenant) }
        #expect(try await store.tenant(id: "app-one") == tenant)
        #expect(try await store.tenant(id: "nobody") == nil)
        #expect(try await store.tenants().map(\.id) == ["app-one", "app-two"])

        var changed = tenant
        changed.requestsPerMinute = 600
        changed.labelPlacement = "interface"
        changed.labelText = "以上内容由AI生成"
        changed.disabledAt = 99
        try await store.updateTenant(changed)
        #expect(try await store.tenant(id: "app-one") == changed)
        await #expect(throws: StoreError.self) {
            try await store.updateTenant(TenantRecord(id: "nobody", name: "x", createdAt: 1))
        }

        let digest = APIKeyDigest.hex(of: "hg-key-one")
        let key = APIKeyRecord(id: "key-1", tenant: "app-one", keySHA256: digest, hint: "hg-key-o", createdAt: 12)
        try await store.addAPIKey(key)
        // The same key cannot be stored twice, even for another tenant.
        await #expect(throws: StoreError.self) {
            try await store.addAPIKey(
                APIKeyRecord(id: "key-2", tenant: "app-two", keySHA256: digest, hint: "hg-key-o", createdAt: 13)
            )
        }
        await #expect(throws: StoreError.self) {
            try await store.addAPIKey(
                APIKeyRecord(
                    id: "key-3",
                    tenant: "nobody",
                    keySHA256: APIKeyDigest.hex(of: "x"),
                    hint: "x",
                    createdAt: 1
                )
            )
        }
        #expect(try await store.apiKey(sha256: digest) == key)
        #expect(try await store.apiKeys(tenant: "app-one") == [key])
        #expect(try await store.apiKeys(tenant: "app-two").isEmpty)

        await #expect(throws: StoreError.self) { try await store.revokeAPIKey(id: "key-1", tenant: "app-two", at: 20) }
        #expect(try await store.apiKey(sha256: digest)?.revokedAt == nil)
        try await store.revokeAPIKey(id: "key-1", tenant: "app-one", at: 20)
        try await store.revokeAPIKey(id: "key-1", tenant: "app-one", at: 30)
        #expect(try await store.apiKey(sha256: digest)?.revokedAt == 20)
    }

    /// End users (IM-10, IM-11, OPS-2): created once on first sight, attributes round-trip,
    /// deletion clears attributes, acceptances and usage but not other users' or tenants'.
    package static func endUsers(_ store: some EndUserStore & AgreementStore & UsageStore) async throws {
        let first = try await store.recordEndUser(tenant: "app", pseudonym: "p1", time: 100)
        #expect(first == EndUserRecord(tenant: "app", pseudonym: "p1", firstSeen: 100))
        #expect(try await store.recordEndUser(tenant: "app", pseudonym: "p1", time: 200).firstSeen == 100)
        _ = try await store.recordEndUser(tenant: "other", pseudonym: "p1", time: 150)

        var user = first
        user.birthYear = 2012
        user.isMinor = true
        user.identityVerified = true
        user.trainingConsent = false
        user.locale = "zh-CN"
        user.updatedAt = 300
        try await store.updateEndUser(user)
        #expect(try await store.endUser(tenant: "app", pseudonym: "p1") == user)
        #expect(try await store.endUser(tenant: "other", pseudonym: "p1")?.isMinor == nil)
        await #expect(throws: StoreError.self) {
            try await store.updateEndUser(EndUserRecord(tenant: "app", pseudonym: "nobody", firstSeen: 1))
        }

        try await store.publishAgreement(
            AgreementRecord(version: "1.0", major: 1, publishedAt: 1, textZH: "协议", textEN: "Terms")
        )
        try await store.recordAcceptance(
            AcceptanceRecord(tenant: "app", pseudonym: "p1", version: "1.0", acceptedAt: 400)
        )
        try await store.recordAcceptance(
            AcceptanceRecord(tenant: "other", pseudonym: "p1", version: "1.0", acceptedAt: 400)
        )
        _ = try await store.addUsage(UsageRecord(requests: 1), tenant: "app", pseudonym: "p1", day: 20_000)
        _ = try await store.addUsage(UsageRecord(requests: 1), tenant: "other", pseudonym: "p1", day: 20_000)

        try await store.deleteEndUser(tenant: "app", pseudonym: "p1")
        #expect(try await store.endUser(tenant: "app", pseudonym: "p1") == nil)
        #expect(try await store.acceptances(tenant: "app", pseudonym: "p1").isEmpty)
        #expect(try await store.usage(tenant: "app", pseudonym: "p1", day: 20_000) == UsageRecord())
        #expect(try await store.endUser(tenant: "other", pseudonym: "p1") != nil)
        #expect(try await store.acceptances(tenant: "other", pseudonym: "p1").count == 1)
        #expect(try await store.usage(tenant: "other", pseudonym: "p1", day: 20_000).requests == 1)

        // The pseudonym mapping of user-rights requests (IM-11, OPS-8).
        try await store.rememberPseudonym("p9", tenant: "app", user: "alice", time: 1)
        try await store.rememberPseudonym("p9", tenant: "app", user: "alice", time: 2)
        #expect(try await store.pseudonyms(tenant: "app", user: "alice") == ["p9"])
        #expect(try await store.forgetUser(tenant: "app", user: "alice") == 1)
        #expect(try await store.pseudonyms(tenant: "app", user: "alice").isEmpty)
    }

    /// Agreements (IM-9): a published version never changes; the newest is current; acceptance of
    /// an unpublished version is refused; accepting twice keeps the first.
    package static func agreements(_ store: some AgreementStore) async throws {
        #expect(try await store.currentAgreement() == nil)
        let first = AgreementRecord(version: "1.0", major: 1, publishedAt: 100, textZH: "# 用户协议", textEN: "# Terms")
        let second = AgreementRecord(
            version: "2.0",
            major: 2,
            publishedAt: 200,
            textZH: "# 用户协议 二",
            textEN: "# Terms 2"
        )
        try await store.publishAgreement(first)
        try await store.publishAgreement(second)
        await #expect(throws: StoreError.self) {
            try await store.publishAgreement(
                AgreementRecord(version: "1.0", major: 1, publishedAt: 300, textZH: "改", textEN: "changed")
            )
        }
        #expect(try await store.agreement(version: "1.0") == first)
        #expect(try await store.currentAgreement() == second)

        try await store.recordAcceptance(
            AcceptanceRecord(tenant: "app", pseudonym: "p1", version: "1.0", acceptedAt: 150, ipSHA256: "ab")
        )
        try await store.recordAcceptance(
            AcceptanceRecord(tenant: "app", pseudonym: "p1", version: "1.0", acceptedAt: 160)
        )
        try await store.recordAcceptance(
            AcceptanceRecord(tenant: "app", pseudonym: "p1", version: "2.0", acceptedAt: 250)
        )
        await #expect(throws: StoreError.self) {
            try await store.recordAcceptance(
                AcceptanceRecord(tenant: "app", pseudonym: "p1", version: "9.0", acceptedAt: 1)
            )
        }
        let accepted = try await store.acceptances(tenant: "app", pseudonym: "p1")
        #expect(accepted.map(\.version) == ["1.0", "2.0"])
        #expect(accepted.first?.acceptedAt == 150 && accepted.first?.ipSHA256 == "ab")
        #expect(try await store.acceptances(tenant: "other", pseudonym: "p1").isEmpty)
    }

    /// Violations and sanctions (IM-14.4–14.6, TC-7.7): counted per user and window; sanctions in
    /// force by time, expiry and lifting; lifting twice refused.
    package static func sanctions(_ store: some SanctionStore) async throws {
        for (index, time) in [100, 200, 300, 400].enumerated() {
            try await store.recordViolation(
                ViolationRecord(
                    id: "v\(index)",
                    tenant: "app",
                    pseudonym: "p1",
                    time: Int64(time),
                    risks: [.personalInformation],
                    auditSequence: UInt64(index)
                )
            )
        }
        try await store.recordViolation(ViolationRecord(id: "v9", tenant: "app", pseudonym: "p2", time: 300, risks: []))
        await #expect(throws: StoreError.self) {
            try await store.recordViolation(
                ViolationRecord(id: "v0", tenant: "app", pseudonym: "p1", time: 1, risks: [])
            )
        }
        #expect(try await store.violationCount(tenant: "app", pseudonym: "p1", since: 0) == 4)
        #expect(try await store.violationCount(tenant: "app", pseudonym: "p1", since: 250) == 2)
        #expect(try await store.violationCount(tenant: "other", pseudonym: "p1", since: 0) == 0)

        let warning = SanctionRecord(
            id: "s1",
            tenant: "app",
            pseudonym: "p1",
            level: .warning,
            reason: "A1d",
            imposedAt: 300
        )
        let suspension = SanctionRecord(
            id: "s2",
            tenant: "app",
            pseudonym: "p1",
            level: .suspension,
            reason: "repeated",
            imposedAt: 400,
            expiresAt: 1_000,
            auditSequence: 3
        )
        try await store.imposeSanction(warning)
        try await store.imposeSanction(suspension)
        await #expect(throws: StoreError.self) { try await store.imposeSanction(warning) }
        #expect(try await store.sanctions(tenant: "app", pseudonym: "p1") == [warning, suspension])
        #expect(try await store.activeSanctions(tenant: "app", pseudonym: "p1", at: 500).map(\.id) == ["s1", "s2"])
        #expect(try await store.activeSanctions(tenant: "app", pseudonym: "p1", at: 1_000).map(\.id) == ["s1"])
        #expect(try await store.activeSanctions(tenant: "app", pseudonym: "p2", at: 500).isEmpty)

        try await store.liftSanction(id: "s1", at: 600, reason: "appeal upheld")
        await #expect(throws: StoreError.self) { try await store.liftSanction(id: "s1", at: 700, reason: "again") }
        await #expect(throws: StoreError.self) { try await store.liftSanction(id: "nope", at: 700, reason: "x") }
        #expect(try await store.activeSanctions(tenant: "app", pseudonym: "p1", at: 650).map(\.id) == ["s2"])
        #expect(try await store.activeSanctions(tenant: "app", pseudonym: "p1", at: 550).map(\.id) == ["s1", "s2"])
        let lifted = try await store.sanctions(tenant: "app", pseudonym: "p1").first
        #expect(lifted?.liftedAt == 600 && lifted?.liftReason == "appeal upheld")
    }

    /// Complaints (IM-15): ticket ids unique; listed soonest due first, by status; updates stick.
    package static func complaints(_ store: some ComplaintStore) async throws {
        let late = ComplaintRecord(id: "T-2", category: "illegal_content", receivedAt: 200, dueAt: 2_000)
        let soon = ComplaintRecord(
            id: "T-1",
            tenant: "app",
            category: "personal_information",
            receivedAt: 100,
            dueAt: 1_000,
            contactSHA256: "cc",
            auditSequence: 7
        )
        try await store.fileComplaint(late)
        try await store.fileComplaint(soon)
        await #expect(throws: StoreError.self) { try await store.fileComplaint(soon) }
        #expect(try await store.complaint(id: "T-1") == soon)
        #expect(try await store.complaint(id: "T-9") == nil)
        #expect(try await store.complaints(status: nil, limit: 10).map(\.id) == ["T-1", "T-2"])
        #expect(try await store.complaints(status: nil, limit: 1).map(\.id) == ["T-1"])

        var resolved = soon
        resolved.status = .resolved
        resolved.resolution = "已删除相关内容 / content removed"
        resolved.updatedAt = 500
        resolved.closedAt = 500
        try await store.updateComplaint(resolved)
        #expect(try await store.complaint(id: "T-1") == resolved)
        #expect(try await store.complaints(status: .received, limit: 10).map(\.id) == ["T-2"])
        #expect(try await store.complaints(status: .resolved, limit: 10) == [resolved])
        await #expect(throws: StoreError.self) {
            try await store.updateComplaint(ComplaintRecord(id: "T-9", category: "x", receivedAt: 1, dueAt: 2))
        }
        // An appeal names the sanction it is about.
        let appeal = ComplaintRecord(
            id: "T-3",
            tenant: "app",
            category: "appeal",
            receivedAt: 300,
            dueAt: 3_000,
            sanctionID: "sn-1"
        )
        try await store.fileComplaint(appeal)
        #expect(try await store.complaint(id: "T-3")?.sanctionID == "sn-1")
        #expect(try await store.appeals(sanction: "sn-1") == [appeal])
        #expect(try await store.appeals(sanction: "sn-2").isEmpty)

        // A ticket's timeline keeps its order; notes stay private.
        let first = try await store.addComplaintEvent(
            ComplaintEventRecord(complaintID: "T-3", time: 400, action: "received", actor: "public", isPublic: true)
        )
        let second = try await store.addComplaintEvent(
            ComplaintEventRecord(
                complaintID: "T-3",
                time: 410,
                action: "note",
                actor: "officer",
                isPublic: false,
                text: "内部"
            )
        )
        #expect((first.sequence, second.sequence) == (0, 1))
        #expect(try await store.complaintEvents(id: "T-3") == [first, second])
        #expect(try await store.complaintEvents(id: "T-2").isEmpty)
        var assigned = appeal
        assigned.assignee = "officer-1"
        assigned.status = .accepted
        try await store.updateComplaint(assigned)
        #expect(try await store.complaint(id: "T-3")?.assignee == "officer-1")
    }

    /// Incidents (IM-14): newest first, by status; updates stick.
    package static func incidents(_ store: some IncidentStore) async throws {
        let older = IncidentRecord(id: "I-1", severity: "high", title: "违规内容外泄", openedAt: 100, summary: "…")
        let newer = IncidentRecord(id: "I-2", severity: "low", title: "Classifier outage", openedAt: 200, summary: "…")
        try await store.openIncident(older)
        try await store.openIncident(newer)
        await #expect(throws: StoreError.self) { try await store.openIncident(older) }
        #expect(try await store.incidents(status: nil).map(\.id) == ["I-2", "I-1"])
        var reported = older
        reported.status = .reported
        reported.reportedAt = 150
        reported.updatedAt = 150
        try await store.updateIncident(reported)
        #expect(try await store.incident(id: "I-1") == reported)
        #expect(try await store.incidents(status: .open).map(\.id) == ["I-2"])
        await #expect(throws: StoreError.self) {
            try await store.updateIncident(
                IncidentRecord(id: "I-9", severity: "x", title: "x", openedAt: 1, summary: "")
            )
        }
    }

    /// Usage counters (IM-10, quotas): additions from many concurrent tasks all count (as from
    /// several replicas); per user, per day and per tenant.
    package static func usage(_ store: some UsageStore) async throws {
        #expect(try await store.usage(tenant: "app", pseudonym: "p1", day: 20_000) == UsageRecord())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    _ = try await store.addUsage(
                        UsageRecord(requests: 1, promptTokens: 10, completionTokens: 20, activeSeconds: 3),
                        tenant: "app",
                        pseudonym: index % 2 == 0 ? "p1" : "p2",
                        day: 20_000
                    )
                }
            }
            try await group.waitForAll()
        }
        let total = try await store.addUsage(UsageRecord(requests: 1), tenant: "app", pseudonym: "p1", day: 20_000)
        #expect(total == UsageRecord(requests: 21, promptTokens: 200, completionTokens: 400, activeSeconds: 60))
        #expect(try await store.usage(tenant: "app", pseudonym: "p1", day: 20_001) == UsageRecord())
        #expect(
            try await store.tenantUsage(tenant: "app", day: 20_000)
                == UsageRecord(requests: 41, promptTokens: 400, completionTokens: 800, activeSeconds: 120)
        )
        #expect(try await store.tenantUsage(tenant: "other", day: 20_000) == UsageRecord())
    }
}

/// Everything the contract exercises, in one existential for ``StoreContract/checks``.
package typealias StoreUnderTest =
    TenantStore & EndUserStore & AgreementStore & SanctionStore & ComplaintStore & IncidentStore & UsageStore
    & RateCounterStore & RightsRequestStore & AuditStore
