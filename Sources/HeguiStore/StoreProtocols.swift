package import HeguiCore

// The store's capabilities, each named for what the gateway asks of it. ``SQLStore`` implements
// every one over SQLite and PostgreSQL; the contract suite (HeguiTesting's `StoreContract`) holds
// any implementation to the same behaviour. All times are milliseconds since 1970 (UTC).

/// The tamper-evident audit log's rows, tree heads and evidence (OPS-1, IM-14, IM-19).
package protocol AuditStore: Sendable {
    /// Appends events in one durable transaction under the log's write lock; returns them numbered.
    func appendAuditEvents(_ drafts: [AuditEventDraft]) async throws -> [AuditEvent]
    /// Events from `sequence` on (purged ones left out), at most `limit`, with stored leaf hashes.
    func auditEvents(from sequence: UInt64, limit: Int) async throws -> [(AuditEvent, MerkleHash?)]
    /// Leaves from `sequence` on: the leaf hash derived from each row (the stored one for purged
    /// rows) and the stored one.
    func auditLeaves(from sequence: UInt64, limit: Int) async throws -> [AuditLeaf]
    /// The newest event of `type` whose metadata is still kept.
    func latestAuditEvent(type: String) async throws -> AuditEvent?
    func auditEventCount() async throws -> UInt64
    func recordTreeHead(_ head: SignedTreeHead, checkpoint: AuditSignerCheckpoint?) async throws
    func latestTreeHeadCheckpoint() async throws -> (SignedTreeHead, AuditSignerCheckpoint)?
    func treeHeads() async throws -> [SignedTreeHead]
    /// The evidence kept beside an event, if any.
    func evidence(sequence: UInt64) async throws -> String?
    func eraseEvidence(sequence: UInt64) async throws
    /// Erases evidence of events older than `cutoff`; returns how many.
    func purgeEvidence(olderThan cutoff: Int64) async throws -> Int
    /// Clears the metadata (and any evidence) of events older than `cutoff`, keeping sequence,
    /// time and leaf hash; returns how many, and the highest sequence number purged.
    func purgeAuditMetadata(olderThan cutoff: Int64, now: Int64) async throws -> (count: Int, through: UInt64?)
    /// The events of one end user (metadata still kept), oldest first, and whether each has evidence.
    func auditEvents(
        tenant: String,
        user pseudonym: String,
        limit: Int
    ) async throws -> [(
        event: AuditEvent, hasEvidence: Bool
    )]
    /// Erases the evidence beside every event of one end user (a deletion request); returns how many.
    func eraseEvidence(tenant: String, user pseudonym: String) async throws -> Int
}

/// Where the audit log's signer stood at a signed tree head: the Merkle frontier over the leaves
/// it covers and the sequence number it reads the next leaf from, so that the next signing reads
/// only the events appended since.
package struct AuditSignerCheckpoint: Sendable, Hashable {
    /// The roots of the complete subtrees, largest first (``MerkleAccumulator/frontier``).
    package var frontier: [MerkleHash]
    package var nextSequence: UInt64

    package init(frontier: [MerkleHash], nextSequence: UInt64) {
        self.frontier = frontier
        self.nextSequence = nextSequence
    }

    /// The frontier as stored: the hashes' hex, one after another.
    var frontierText: String { self.frontier.map(\.hex).joined() }

    /// A frontier read back from ``frontierText``; `nil` when the text is not whole hashes.
    static func frontier(fromText text: String) -> [MerkleHash]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 64 == 0 else { return nil }
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(utf8.count / 64)
        for start in stride(from: 0, to: utf8.count, by: 64) {
            guard let text = String(validating: utf8[start..<(start + 64)], as: UTF8.self),
                let hash = MerkleHash(hex: text)
            else { return nil }
            hashes.append(hash)
        }
        return hashes
    }
}

/// One leaf of the audit log as stored.
package struct AuditLeaf: Sendable, Hashable {
    package var sequence: UInt64
    /// The hash derived from the row's contents; for a purged row, the stored one.
    package var hash: MerkleHash
    /// The hash stored beside the row when it was appended.
    package var stored: MerkleHash?
    /// Whether the row's metadata was purged at the end of its retention.
    package var isPurged: Bool

    package init(sequence: UInt64, hash: MerkleHash, stored: MerkleHash?, isPurged: Bool = false) {
        self.sequence = sequence
        self.hash = hash
        self.stored = stored
        self.isPurged = isPurged
    }
}

/// Tenants and their API keys (DESIGN "Admin API").
package protocol TenantStore: Sendable {
    /// - Throws: ``StoreError`` `conflict` when the id is taken.
    func createTenant(_ tenant: TenantRecord) async throws
    func tenant(id: String) async throws -> TenantRecord?
    func tenants() async throws -> [TenantRecord]
    /// - Throws: ``StoreError`` `notFound`.
    func updateTenant(_ tenant: TenantRecord) async throws
    /// - Throws: ``StoreError`` `notFound` for an unknown tenant, `conflict` for a key stored already.
    func addAPIKey(_ key: APIKeyRecord) async throws
    /// The key with this digest, revoked or not, for authentication.
    func apiKey(sha256: String) async throws -> APIKeyRecord?
    func apiKeys(tenant: String) async throws -> [APIKeyRecord]
    /// - Throws: ``StoreError`` `notFound` when the tenant has no such key.
    func revokeAPIKey(id: String, tenant: String, at time: Int64) async throws
}

/// End users by pseudonym and their attributes, and the pseudonym mapping of user-rights requests
/// (IM-10, IM-11, OPS-2, OPS-8).
package protocol EndUserStore: Sendable {
    /// The user, created with default attributes on first sight.
    func recordEndUser(tenant: String, pseudonym: String, time: Int64) async throws -> EndUserRecord
    func endUser(tenant: String, pseudonym: String) async throws -> EndUserRecord?
    /// How many end users are known, of one tenant or all: in all, with a verified identity, and
    /// minors (the security assessment's SA-5.2 figures).
    func endUserCounts(tenant: String?) async throws -> EndUserCounts
    /// - Throws: ``StoreError`` `notFound`.
    func updateEndUser(_ user: EndUserRecord) async throws
    /// Deletes the user's attributes, acceptances and usage (a deletion request); the audit log
    /// keeps its pseudonymous events.
    func deleteEndUser(tenant: String, pseudonym: String) async throws
    func rememberPseudonym(_ pseudonym: String, tenant: String, user: String, time: Int64) async throws
    func pseudonyms(tenant: String, user: String) async throws -> [String]
    func forgetUser(tenant: String, user: String) async throws -> Int
    /// Counts a request toward the user's use time for `day` (local days since 1970): a request
    /// within `idleGapMilliseconds` of the previous adds the time between them, any other adds
    /// `sessionStartMilliseconds`. Returns the day's totals.
    func recordActivity(
        tenant: String,
        pseudonym: String,
        day: Int,
        time: Int64,
        idleGapMilliseconds: Int64,
        sessionStartMilliseconds: Int64
    ) async throws -> UsageRecord
    /// A clean request ends a run of violations (TC-7.7 "in a row").
    func resetConsecutiveViolations(tenant: String, pseudonym: String) async throws
}

/// Service agreements and their acceptance (IM-9).
package protocol AgreementStore: Sendable {
    /// - Throws: ``StoreError`` `conflict` when the version exists (a published text never changes).
    func publishAgreement(_ agreement: AgreementRecord) async throws
    func agreement(version: String) async throws -> AgreementRecord?
    /// The most recently published version.
    func currentAgreement() async throws -> AgreementRecord?
    /// Idempotent per user and version: the first acceptance stands.
    /// - Throws: ``StoreError`` `notFound` for an unpublished version.
    func recordAcceptance(_ acceptance: AcceptanceRecord) async throws
    func acceptances(tenant: String, pseudonym: String) async throws -> [AcceptanceRecord]
}

/// Violations and the sanctions ladder (IM-14.4–14.6, TC-7.7).
package protocol SanctionStore: Sendable {
    func recordViolation(_ violation: ViolationRecord) async throws
    /// Records a violation and adds one to the user's run of consecutive violations.
    func violationCount(tenant: String, pseudonym: String, since: Int64) async throws -> Int
    /// - Throws: ``StoreError`` `conflict` when the id is taken.
    func imposeSanction(_ sanction: SanctionRecord) async throws
    /// Every sanction of the user, oldest first.
    func sanctions(tenant: String, pseudonym: String) async throws -> [SanctionRecord]
    /// The sanctions binding at `time`.
    func activeSanctions(tenant: String, pseudonym: String, at time: Int64) async throws -> [SanctionRecord]
    /// - Throws: ``StoreError`` `notFound` when there is no such sanction still in force.
    func liftSanction(id: String, at time: Int64, reason: String) async throws
    func sanction(id: String) async throws -> SanctionRecord?
    /// - Throws: ``StoreError`` `notFound`.
    func annotateSanction(id: String, note: String) async throws
    /// Marks the user reported to the authorities for the sanction (IM-14.5); the first time stands.
    /// - Throws: ``StoreError`` `notFound`.
    func markSanctionReported(id: String, at time: Int64) async throws
    /// Sanctions whose users were reported, of one tenant or all.
    func reportedSanctions(tenant: String?) async throws -> [SanctionRecord]
    /// Every violation of the user, oldest first.
    func violations(tenant: String, pseudonym: String) async throws -> [ViolationRecord]
}

/// Request counters per fixed window, shared by replicas (rate limits: ``RateWindow``).
package protocol RateCounterStore: Sendable {
    /// Counts a request in `window` of `scope`; returns the previous window's count and this one's.
    func countRequest(scope: String, window: Int64) async throws -> (previous: Int, current: Int)
    func purgeRateCounters(before window: Int64) async throws
}

/// Personal-information requests and their deadlines (IM-11.5, OPS-8).
package protocol RightsRequestStore: Sendable {
    /// - Throws: ``StoreError`` `conflict` when the id is taken.
    func openRightsRequest(_ request: RightsRequestRecord) async throws
    /// - Throws: ``StoreError`` `notFound` when there is no such open request.
    func completeRightsRequest(id: String, at time: Int64, outcome: String) async throws
    /// Requests, soonest due first, filtered by tenant, user and whether still open.
    func rightsRequests(tenant: String?, pseudonym: String?, openOnly: Bool) async throws -> [RightsRequestRecord]
}

/// Complaints and reports from the public (IM-15).
package protocol ComplaintStore: Sendable {
    /// - Throws: ``StoreError`` `conflict` when the ticket id is taken.
    func fileComplaint(_ complaint: ComplaintRecord) async throws
    func complaint(id: String) async throws -> ComplaintRecord?
    /// Complaints in a status (all when `nil`), soonest due first.
    func complaints(status: ComplaintRecord.Status?, limit: Int) async throws -> [ComplaintRecord]
    /// - Throws: ``StoreError`` `notFound`.
    func updateComplaint(_ complaint: ComplaintRecord) async throws
    /// The appeals against a sanction, oldest first.
    func appeals(sanction id: String) async throws -> [ComplaintRecord]
    /// Appends to a ticket's timeline; returns the step with its position.
    func addComplaintEvent(_ event: ComplaintEventRecord) async throws -> ComplaintEventRecord
    /// A ticket's timeline, in order.
    func complaintEvents(id: String) async throws -> [ComplaintEventRecord]
    func addComplaintAttachment(_ attachment: ComplaintAttachmentRecord) async throws
    /// A ticket's attachments, in order; with their bytes only when `withData`.
    func complaintAttachments(id: String, withData: Bool) async throws -> [ComplaintAttachmentRecord]
}

/// Incidents and their handling (IM-14).
package protocol IncidentStore: Sendable {
    func openIncident(_ incident: IncidentRecord) async throws
    func incident(id: String) async throws -> IncidentRecord?
    /// Incidents in a status (all when `nil`), newest first.
    func incidents(status: IncidentRecord.Status?) async throws -> [IncidentRecord]
    /// - Throws: ``StoreError`` `notFound`.
    func updateIncident(_ incident: IncidentRecord) async throws
}

/// Per-user daily usage counters, consistent across replicas (quotas, minors' time: IM-10).
package protocol UsageStore: Sendable {
    /// Adds to the user's counters for `day` (days since 1970, UTC) atomically; returns the totals.
    func addUsage(_ usage: UsageRecord, tenant: String, pseudonym: String, day: Int) async throws -> UsageRecord
    func usage(tenant: String, pseudonym: String, day: Int) async throws -> UsageRecord
    /// The tenant's totals for `day`, over all its users.
    func tenantUsage(tenant: String, day: Int) async throws -> UsageRecord
}

extension SQLStore: AuditStore, TenantStore, EndUserStore, AgreementStore, SanctionStore, ComplaintStore,
    IncidentStore, UsageStore, RateCounterStore, RightsRequestStore
{}
