package import HeguiCore
import SQLKit

// The SQL behind the end-user gates (issue 6): use time in sessions, rate windows, the sanctions
// ladder's bookkeeping, personal-information requests, and a user's audit events. Portable between
// SQLite and PostgreSQL; each counter is one statement, so replicas sharing PostgreSQL agree.

extension SQLStore {
    // MARK: Activity

    package func recordActivity(
        tenant: String,
        pseudonym: String,
        day: Int,
        time: Int64,
        idleGapMilliseconds: Int64,
        sessionStartMilliseconds: Int64
    ) async throws -> UsageRecord {
        // A request within the idle gap of the previous one adds the time between them; one after
        // a longer pause (or the day's first) starts a session and adds the start allowance.
        let totals = try await self.rows(
            """
            INSERT INTO usage_counters (tenant, pseudonym, day, requests, prompt_tokens, completion_tokens, active_seconds,
                active_ms, last_active_at)
            VALUES (\(bind: tenant), \(bind: pseudonym), \(bind: Int64(day)), 0, 0, 0, 0, \(bind: sessionStartMilliseconds),
                \(bind: time))
            ON CONFLICT (tenant, pseudonym, day) DO UPDATE SET
                active_ms = usage_counters.active_ms + CASE
                    WHEN usage_counters.last_active_at IS NULL
                        OR excluded.last_active_at - usage_counters.last_active_at > \(bind: idleGapMilliseconds)
                        THEN \(bind: sessionStartMilliseconds)
                    WHEN excluded.last_active_at < usage_counters.last_active_at THEN 0
                    ELSE excluded.last_active_at - usage_counters.last_active_at END,
                last_active_at = CASE
                    WHEN usage_counters.last_active_at IS NOT NULL AND usage_counters.last_active_at > excluded.last_active_at
                        THEN usage_counters.last_active_at
                    ELSE excluded.last_active_at END
            RETURNING requests, prompt_tokens, completion_tokens, active_seconds, active_ms
            """,
            "record activity",
            Self.usageRecord
        )
        guard let total = totals.first else { throw StoreError(.corrupt, "usage counters returned nothing") }
        return total
    }

    package func resetConsecutiveViolations(tenant: String, pseudonym: String) async throws {
        try await self.run(
            """
            UPDATE end_users SET consecutive_violations = 0
            WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym) AND consecutive_violations <> 0
            """,
            "reset consecutive violations"
        )
    }

    package func violations(tenant: String, pseudonym: String) async throws -> [ViolationRecord] {
        try await self.rows(
            """
            SELECT * FROM violations WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym)
            ORDER BY time, id
            """,
            "read violations"
        ) { row in
            var risks: [RiskCode] = []
            for text in try row.decode(column: "risks", as: String.self).split(separator: ",") {
                guard let risk = RiskCode(String(text)) else { throw StoreError(.corrupt, "an unknown risk code") }
                risks.append(risk)
            }
            return ViolationRecord(
                id: try row.decode(column: "id", as: String.self),
                tenant: try row.decode(column: "tenant", as: String.self),
                pseudonym: try row.decode(column: "pseudonym", as: String.self),
                time: try row.decode(column: "time", as: Int64.self),
                risks: risks,
                auditSequence: try row.decode(column: "audit_seq", as: Int64?.self).map(UInt64.init)
            )
        }
    }

    // MARK: Sanctions

    package func sanction(id: String) async throws -> SanctionRecord? {
        try await self.rows("SELECT * FROM sanctions WHERE id = \(bind: id)", "read a sanction", Self.sanctionRecord)
            .first
    }

    package func annotateSanction(id: String, note: String) async throws {
        let found = try await self.updated(
            "UPDATE sanctions SET note = \(bind: note) WHERE id = \(bind: id) RETURNING id",
            "annotate a sanction"
        )
        guard found else { throw StoreError(.notFound, "no sanction '\(id)'") }
    }

    package func markSanctionReported(id: String, at time: Int64) async throws {
        let found = try await self.updated(
            "UPDATE sanctions SET reported_at = COALESCE(reported_at, \(bind: time)) WHERE id = \(bind: id) RETURNING id",
            "mark a sanction reported"
        )
        guard found else { throw StoreError(.notFound, "no sanction '\(id)'") }
    }

    package func reportedSanctions(tenant: String?) async throws -> [SanctionRecord] {
        if let tenant {
            return try await self.rows(
                "SELECT * FROM sanctions WHERE reported_at IS NOT NULL AND tenant = \(bind: tenant) ORDER BY reported_at, id",
                "read reported sanctions",
                Self.sanctionRecord
            )
        }
        return try await self.rows(
            "SELECT * FROM sanctions WHERE reported_at IS NOT NULL ORDER BY reported_at, id",
            "read reported sanctions",
            Self.sanctionRecord
        )
    }

    package func appeals(sanction id: String) async throws -> [ComplaintRecord] {
        try await self.rows(
            "SELECT * FROM complaints WHERE sanction_id = \(bind: id) ORDER BY received_at, id",
            "read appeals",
            Self.complaintRecord
        )
    }

    // MARK: Rate windows

    package func countRequest(scope: String, window: Int64) async throws -> (previous: Int, current: Int) {
        let current =
            try await self.rows(
                """
                INSERT INTO rate_counters (scope, window_start, count) VALUES (\(bind: scope), \(bind: window), 1)
                ON CONFLICT (scope, window_start) DO UPDATE SET count = rate_counters.count + 1
                RETURNING count
                """,
                "count a request"
            ) { Int(try $0.decode(column: "count", as: Int64.self)) }.first ?? 1
        let previous =
            try await self.rows(
                "SELECT count FROM rate_counters WHERE scope = \(bind: scope) AND window_start = \(bind: window - 1)",
                "read a rate window"
            ) { Int(try $0.decode(column: "count", as: Int64.self)) }.first ?? 0
        return (previous, current)
    }

    package func purgeRateCounters(before window: Int64) async throws {
        try await self.run("DELETE FROM rate_counters WHERE window_start < \(bind: window)", "purge rate windows")
    }

    // MARK: Personal-information requests

    package func openRightsRequest(_ request: RightsRequestRecord) async throws {
        let added = try await self.inserted(
            """
            INSERT INTO rights_requests (id, tenant, pseudonym, kind, received_at, due_at, completed_at, outcome)
            VALUES (\(bind: request.id), \(bind: request.tenant), \(bind: request.pseudonym), \(bind: request.kind.rawValue),
                \(bind: request.receivedAt), \(bind: request.dueAt), \(bind: request.completedAt), \(bind: request.outcome))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """,
            "open a rights request"
        )
        guard added else { throw StoreError(.conflict, "rights request '\(request.id)' exists already") }
    }

    package func completeRightsRequest(id: String, at time: Int64, outcome: String) async throws {
        let found = try await self.updated(
            """
            UPDATE rights_requests SET completed_at = \(bind: time), outcome = \(bind: outcome)
            WHERE id = \(bind: id) AND completed_at IS NULL RETURNING id
            """,
            "complete a rights request"
        )
        guard found else { throw StoreError(.notFound, "no open rights request '\(id)'") }
    }

    package func rightsRequests(
        tenant: String?,
        pseudonym: String?,
        openOnly: Bool
    ) async throws
        -> [RightsRequestRecord]
    {
        var query = SQLQueryString("SELECT * FROM rights_requests WHERE 1 = 1")
        if let tenant { query = query + " AND tenant = \(bind: tenant)" }
        if let pseudonym { query = query + " AND pseudonym = \(bind: pseudonym)" }
        if openOnly { query = query + " AND completed_at IS NULL" }
        query = query + " ORDER BY due_at, id"
        return try await self.rows(query, "read rights requests") { row in
            guard let kind = RightsRequestRecord.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else {
                throw StoreError(.corrupt, "a rights request has an unknown kind")
            }
            return RightsRequestRecord(
                id: try row.decode(column: "id", as: String.self),
                tenant: try row.decode(column: "tenant", as: String.self),
                pseudonym: try row.decode(column: "pseudonym", as: String.self),
                kind: kind,
                receivedAt: try row.decode(column: "received_at", as: Int64.self),
                dueAt: try row.decode(column: "due_at", as: Int64.self),
                completedAt: try row.decode(column: "completed_at", as: Int64?.self),
                outcome: try row.decode(column: "outcome", as: String?.self)
            )
        }
    }

    // MARK: A user's audit events

    package func auditEvents(
        tenant: String,
        user pseudonym: String,
        limit: Int
    ) async throws -> [(
        event: AuditEvent, hasEvidence: Bool
    )] {
        let sequences = try await self.rows(
            """
            SELECT e.seq AS seq, CASE WHEN v.seq IS NULL THEN 0 ELSE 1 END AS evidence
            FROM audit_events e LEFT JOIN audit_evidence v ON v.seq = e.seq
            WHERE e.end_user = \(bind: pseudonym) AND e.tenant = \(bind: tenant) AND e.purged_at IS NULL
            ORDER BY e.seq LIMIT \(bind: limit)
            """,
            "read a user's audit events"
        ) { row in
            (
                UInt64(try row.decode(column: "seq", as: Int64.self)),
                try row.decode(column: "evidence", as: Int64.self) != 0
            )
        }
        return try await self.auditEvents(at: sequences)
    }

    package func eraseEvidence(tenant: String, user pseudonym: String) async throws -> Int {
        do {
            return try await self.transaction { database in
                let row = try await database.raw(
                    """
                    SELECT COUNT(*) AS count FROM audit_evidence WHERE seq IN
                        (SELECT seq FROM audit_events WHERE end_user = \(bind: pseudonym) AND tenant = \(bind: tenant))
                        AND seq NOT IN (SELECT seq FROM evidence_holds)
                    """
                ).firstRow()
                let count = Int(try row?.decode(column: "count", as: Int64.self) ?? 0)
                try await database.raw(
                    """
                    DELETE FROM audit_evidence WHERE seq IN
                        (SELECT seq FROM audit_events WHERE end_user = \(bind: pseudonym) AND tenant = \(bind: tenant))
                        AND seq NOT IN (SELECT seq FROM evidence_holds)
                    """
                ).run()
                return count
            }
        } catch {
            throw StoreError(.unavailable, "cannot erase a user's evidence", cause: error)
        }
    }
}

extension SQLStore {
    /// Adds a batch of daily usage and records users first seen and their pseudonyms, atomically
    /// (the gateway's usage ledger).
    ///
    /// Each table's rows go in one multi-row statement. The usual batch (usage only, no new user)
    /// is then a single statement in its own transaction: the writer connection is held for that
    /// statement alone, not across several trips to the database, so the audit appends queued
    /// behind it wait as little as possible.
    package func addUsage(
        _ entries: [(tenant: String, pseudonym: String, day: Int, usage: UsageRecord)],
        newUsers: [(tenant: String, pseudonym: String, time: Int64)],
        pseudonyms: [(pseudonym: String, tenant: String, user: String, time: Int64)] = []
    ) async throws {
        let statements = Self.usageStatements(entries, newUsers: newUsers, pseudonyms: pseudonyms)
        guard !statements.isEmpty else { return }
        do {
            if statements.count == 1 {
                try await self.serialized { database in try await database.raw(statements[0]).run() }
            } else {
                try await self.transaction(locksAuditLog: false) { database in
                    for statement in statements { try await database.raw(statement).run() }
                }
            }
        } catch {
            throw StoreError(.unavailable, "cannot add usage", cause: error)
        }
    }

    /// The statements of ``addUsage(_:newUsers:pseudonyms:)``: pseudonyms, then users, then usage,
    /// each table's rows in statements of at most 500 rows (within PostgreSQL's 65,535 binds).
    static func usageStatements(
        _ entries: [(tenant: String, pseudonym: String, day: Int, usage: UsageRecord)],
        newUsers: [(tenant: String, pseudonym: String, time: Int64)],
        pseudonyms: [(pseudonym: String, tenant: String, user: String, time: Int64)]
    ) -> [SQLQueryString] {
        func chunked<Row>(
            _ rows: [Row],
            _ body: ([SQLQueryString]) -> SQLQueryString,
            row: (Row) -> SQLQueryString
        )
            -> [SQLQueryString]
        {
            stride(from: 0, to: rows.count, by: 500).map { start in
                body(rows[start..<min(start + 500, rows.count)].map(row))
            }
        }
        let mappings = chunked(pseudonyms.sorted { $0.pseudonym < $1.pseudonym }) { rows in
            "INSERT INTO user_pseudonyms (pseudonym, tenant, user_id, created_at) VALUES "
                + rows.joined(separator: ", ") + " ON CONFLICT (pseudonym) DO NOTHING"
        } row: { mapping in
            "(\(bind: mapping.pseudonym), \(bind: mapping.tenant), \(bind: mapping.user), \(bind: mapping.time))"
        }
        let users = chunked(newUsers.sorted { ($0.tenant, $0.pseudonym) < ($1.tenant, $1.pseudonym) }) { rows in
            "INSERT INTO end_users (tenant, pseudonym, first_seen, identity_verified, updated_at) VALUES "
                + rows.joined(separator: ", ") + " ON CONFLICT (tenant, pseudonym) DO NOTHING"
        } row: { user in
            "(\(bind: user.tenant), \(bind: user.pseudonym), \(bind: user.time), 0, \(bind: user.time))"
        }
        // A batch holds one entry per (tenant, pseudonym, day): no row is updated twice by one
        // statement. Rows go in key order, so replicas sharing PostgreSQL lock them in the same
        // order and cannot deadlock on each other's batches.
        let sorted = entries.sorted { ($0.tenant, $0.pseudonym, $0.day) < ($1.tenant, $1.pseudonym, $1.day) }
        let usage = chunked(sorted) { rows in
            """
            INSERT INTO usage_counters (tenant, pseudonym, day, requests, prompt_tokens, completion_tokens,
                active_seconds) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (tenant, pseudonym, day) DO UPDATE SET
                requests = usage_counters.requests + excluded.requests,
                prompt_tokens = usage_counters.prompt_tokens + excluded.prompt_tokens,
                completion_tokens = usage_counters.completion_tokens + excluded.completion_tokens
            """
        } row: { entry in
            """
            (\(bind: entry.tenant), \(bind: entry.pseudonym), \(bind: Int64(entry.day)), \(bind: Int64(entry.usage.requests)),
                \(bind: Int64(entry.usage.promptTokens)), \(bind: Int64(entry.usage.completionTokens)), 0)
            """
        }
        return mappings + users + usage
    }
}

extension SQLStore {
    // MARK: Complaint timelines

    package func addComplaintEvent(_ event: ComplaintEventRecord) async throws -> ComplaintEventRecord {
        do {
            return try await self.transaction(locksAuditLog: false) { database in
                let row = try await database.raw(
                    "SELECT COALESCE(MAX(seq) + 1, 0) AS next FROM complaint_events WHERE complaint_id = \(bind: event.complaintID)"
                ).firstRow()
                var stored = event
                stored.sequence = Int(try row?.decode(column: "next", as: Int64.self) ?? 0)
                try await database.raw(
                    """
                    INSERT INTO complaint_events (complaint_id, seq, time, action, actor, public, text)
                    VALUES (\(bind: stored.complaintID), \(bind: Int64(stored.sequence)), \(bind: stored.time),
                        \(bind: stored.action), \(bind: stored.actor), \(bind: Int64(stored.isPublic ? 1 : 0)), \(bind: stored.text))
                    """
                ).run()
                return stored
            }
        } catch {
            throw StoreError(.unavailable, "cannot add to a complaint's timeline", cause: error)
        }
    }

    package func complaintEvents(id: String) async throws -> [ComplaintEventRecord] {
        try await self.rows(
            "SELECT * FROM complaint_events WHERE complaint_id = \(bind: id) ORDER BY seq",
            "read a complaint's timeline"
        ) { row in
            ComplaintEventRecord(
                complaintID: try row.decode(column: "complaint_id", as: String.self),
                sequence: Int(try row.decode(column: "seq", as: Int64.self)),
                time: try row.decode(column: "time", as: Int64.self),
                action: try row.decode(column: "action", as: String.self),
                actor: try row.decode(column: "actor", as: String.self),
                isPublic: try row.decode(column: "public", as: Int64.self) != 0,
                text: try row.decode(column: "text", as: String?.self)
            )
        }
    }
}
