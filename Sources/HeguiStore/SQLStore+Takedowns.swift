package import HeguiCore
import SQLKit

// The SQL behind takedowns (IM-14): held evidence, removed content, rectification samples.

extension SQLStore {
    /// Records a takedown with the evidence it holds and its rectification sample, in one
    /// transaction.
    package func recordTakedown(
        _ takedown: TakedownRecord,
        holding sequences: [UInt64],
        sample: RectificationSampleRecord
    ) async throws {
        let takedownRisks = takedown.risks.map(\.rawValue).sorted().joined(separator: ",")
        let sampleRisks = sample.risks.map(\.rawValue).sorted().joined(separator: ",")
        do {
            try await self.transaction(locksAuditLog: false) { database in
                try await database.raw(
                    """
                    INSERT INTO takedowns (id, tenant, content_id, complaint_id, incident_id, end_user, risks, created_at, audit_seq)
                    VALUES (\(bind: takedown.id), \(bind: takedown.tenant), \(bind: takedown.contentID), \(bind: takedown.complaintID),
                        \(bind: takedown.incidentID), \(bind: takedown.endUser), \(bind: takedownRisks),
                        \(bind: takedown.createdAt), \(bind: takedown.auditSequence.map(Int64.init)))
                    """
                ).run()
                for sequence in sequences {
                    try await database.raw(
                        """
                        INSERT INTO evidence_holds (seq, takedown_id, held_at)
                        VALUES (\(bind: Int64(sequence)), \(bind: takedown.id), \(bind: takedown.createdAt))
                        ON CONFLICT (seq) DO NOTHING
                        """
                    ).run()
                }
                try await database.raw(
                    """
                    INSERT INTO rectification_samples (id, takedown_id, risks, prompt, bad_output, reference_answer, created_at)
                    VALUES (\(bind: sample.id), \(bind: sample.takedownID), \(bind: sampleRisks), \(bind: sample.prompt),
                        \(bind: sample.badOutput), \(bind: sample.referenceAnswer), \(bind: sample.createdAt))
                    """
                ).run()
            }
        } catch {
            throw StoreError(.unavailable, "cannot record a takedown", cause: error)
        }
    }

    /// Takedowns of a content id (any tenant's when `tenant` is `nil`).
    package func takedowns(contentID: String, tenant: String?) async throws -> [TakedownRecord] {
        let query: SQLQueryString =
            tenant.map {
                "SELECT * FROM takedowns WHERE content_id = \(bind: contentID) AND tenant = \(bind: $0) ORDER BY created_at"
            }
            ?? "SELECT * FROM takedowns WHERE content_id = \(bind: contentID) ORDER BY created_at"
        return try await self.readRows(query, "read takedowns", Self.takedownRecord)
    }

    package func takedowns(incidentID: String) async throws -> [TakedownRecord] {
        try await self.rows(
            "SELECT * FROM takedowns WHERE incident_id = \(bind: incidentID) ORDER BY created_at",
            "read takedowns",
            Self.takedownRecord
        )
    }

    /// The evidence held for a takedown.
    package func heldEvidence(takedownID: String) async throws -> [UInt64] {
        try await self.rows(
            "SELECT seq FROM evidence_holds WHERE takedown_id = \(bind: takedownID) ORDER BY seq",
            "read held evidence"
        ) { UInt64(try $0.decode(column: "seq", as: Int64.self)) }
    }

    package func takedown(id: String) async throws -> TakedownRecord? {
        try await self.rows("SELECT * FROM takedowns WHERE id = \(bind: id)", "read a takedown", Self.takedownRecord)
            .first
    }

    static func risks(_ text: String) throws -> [RiskCode] {
        try text.split(separator: ",").map { part in
            guard let risk = RiskCode(String(part)) else { throw StoreError(.corrupt, "an unknown risk code") }
            return risk
        }
    }

    static func takedownRecord(_ row: any SQLRow) throws -> TakedownRecord {
        TakedownRecord(
            id: try row.decode(column: "id", as: String.self),
            tenant: try row.decode(column: "tenant", as: String?.self),
            contentID: try row.decode(column: "content_id", as: String.self),
            complaintID: try row.decode(column: "complaint_id", as: String?.self),
            incidentID: try row.decode(column: "incident_id", as: String.self),
            endUser: try row.decode(column: "end_user", as: String?.self),
            risks: try Self.risks(try row.decode(column: "risks", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            auditSequence: try row.decode(column: "audit_seq", as: Int64?.self).map(UInt64.init)
        )
    }

    /// Rectification samples from `since` on, oldest first.
    package func rectificationSamples(since: Int64, limit: Int) async throws -> [RectificationSampleRecord] {
        try await self.rows(
            "SELECT * FROM rectification_samples WHERE created_at >= \(bind: since) ORDER BY created_at, id LIMIT \(bind: limit)",
            "read rectification samples"
        ) { row in
            RectificationSampleRecord(
                id: try row.decode(column: "id", as: String.self),
                takedownID: try row.decode(column: "takedown_id", as: String.self),
                risks: try Self.risks(try row.decode(column: "risks", as: String.self)),
                prompt: try row.decode(column: "prompt", as: String?.self),
                badOutput: try row.decode(column: "bad_output", as: String?.self),
                referenceAnswer: try row.decode(column: "reference_answer", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Int64.self)
            )
        }
    }

    /// The audit events of one request, with whether each has evidence.
    package func auditEvents(requestID: String) async throws -> [(event: AuditEvent, hasEvidence: Bool)] {
        let sequences = try await self.rows(
            """
            SELECT e.seq AS seq, CASE WHEN v.seq IS NULL THEN 0 ELSE 1 END AS evidence
            FROM audit_events e LEFT JOIN audit_evidence v ON v.seq = e.seq
            WHERE e.request_id = \(bind: requestID) AND e.purged_at IS NULL ORDER BY e.seq LIMIT 100
            """,
            "read a request's audit events"
        ) { row in
            (
                UInt64(try row.decode(column: "seq", as: Int64.self)),
                try row.decode(column: "evidence", as: Int64.self) != 0
            )
        }
        return try await self.auditEvents(at: sequences)
    }

    /// The events at these sequence numbers (those whose metadata is kept), each with its flag.
    func auditEvents(at sequences: [(UInt64, Bool)]) async throws -> [(event: AuditEvent, hasEvidence: Bool)] {
        var events: [(event: AuditEvent, hasEvidence: Bool)] = []
        for (sequence, hasEvidence) in sequences {
            if let (event, _) = try await self.auditEvents(from: sequence, limit: 1).first, event.sequence == sequence {
                events.append((event, hasEvidence))
            }
        }
        return events
    }
}
