package import HeguiCore
import NIOConcurrencyHelpers
import SQLKit
import SQLiteNIO

/// What a caller records; the log assigns the sequence number.
package struct AuditEventDraft: Sendable {
    package var type: String
    package var time: Int64
    package var tenant: String?
    package var user: String?
    package var requestID: String?
    package var action: ModerationAction?
    package var risks: [RiskCode]
    package var contentDigest: String?
    package var details: [String: String]
    /// Content kept beside the event as evidence (a violation's prompt, a complaint's text),
    /// erasable without breaking the log.
    package var evidence: String?

    package init(
        type: String,
        time: Int64,
        tenant: String? = nil,
        user: String? = nil,
        requestID: String? = nil,
        action: ModerationAction? = nil,
        risks: [RiskCode] = [],
        contentDigest: String? = nil,
        details: [String: String] = [:],
        evidence: String? = nil
    ) {
        self.type = type
        self.time = time
        self.tenant = tenant
        self.user = user
        self.requestID = requestID
        self.action = action
        self.risks = risks
        self.contentDigest = contentDigest
        self.details = details
        self.evidence = evidence
    }
}

extension SQLStore {
    /// Appends events in one transaction, numbering them after the last one; returns them as
    /// stored. The write lock of the transaction keeps one linear sequence.
    package func appendAuditEvents(_ drafts: [AuditEventDraft]) async throws -> [AuditEvent] {
        guard !drafts.isEmpty else { return [] }
        if let events = try await self.appendAuditEventsInOneStatement(drafts) { return events }
        do {
            let events = try await self.transaction { database in
                let last = try await database.raw("SELECT MAX(seq) AS last FROM audit_events").firstRow()
                let next =
                    try last.flatMap {
                        try $0.decodeNil(column: "last") ? nil : $0.decode(column: "last", as: Int64.self)
                    }
                    .map { UInt64($0) + 1 } ?? 0
                let events = Self.events(of: drafts, from: next)
                // Rows in chunks that stay under SQLite's limit on bound parameters. On SQLite the
                // values are bound directly (no `Encodable` round trip): appends are CPU-bound there.
                for chunk in stride(from: 0, to: events.count, by: 400) {
                    let rows = events[chunk..<min(chunk + 400, events.count)]
                    if case .sqlite(let connection) = self.backend {
                        _ = try await connection.query(Self.sqliteInsert(rows: rows.count), Self.sqliteValues(of: rows))
                        continue
                    }
                    var insert = database.insert(into: "audit_events").columns(Self.auditColumns)
                    for event in rows {
                        insert = insert.values(Self.row(of: event))
                    }
                    try await insert.run()
                }
                for (offset, draft) in drafts.enumerated() {
                    if let evidence = draft.evidence {
                        try await database.insert(into: "audit_evidence").columns("seq", "content")
                            .values(SQLBind(Int64(events[offset].sequence)), SQLBind(evidence)).run()
                    }
                }
                return events
            }
            if case .sqlite = self.backend, let last = events.last {
                self.nextAuditSequence.withLockedValue { $0 = last.sequence + 1 }
            }
            return events
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot append to the audit log", cause: error)
        }
    }

    /// The SQLite fast path: events without evidence appended by one `INSERT` in its own
    /// (implicit) transaction, numbered from the sequence this process last wrote — one trip to
    /// SQLite's thread instead of four (`BEGIN IMMEDIATE`, `SELECT MAX`, `INSERT`, `COMMIT`),
    /// and as durable. When another process has appended since, the primary key refuses the
    /// numbers and nothing is written; the caller then takes the transaction, which reads the
    /// sequence afresh. `nil` when the fast path does not apply or was refused.
    private func appendAuditEventsInOneStatement(_ drafts: [AuditEventDraft]) async throws -> [AuditEvent]? {
        guard case .sqlite(let connection) = self.backend, !Self.holdsConnection, drafts.count <= 400,
            drafts.allSatisfy({ $0.evidence == nil }),
            let next = self.nextAuditSequence.withLockedValue({ $0 })
        else { return nil }
        let events = Self.events(of: drafts, from: next)
        do {
            try await self.serialized { _ in
                _ = try await connection.query(Self.sqliteInsert(rows: events.count), Self.sqliteValues(of: events))
            }
        } catch let error as SQLiteError
            where [.constraint, .constraintPrimaryKeyFailed, .constraintUniqueFailed].contains(error.reason)
        {
            self.nextAuditSequence.withLockedValue { $0 = nil }
            return nil
        } catch {
            self.nextAuditSequence.withLockedValue { $0 = nil }
            throw StoreError(.unavailable, "cannot append to the audit log", cause: error)
        }
        self.nextAuditSequence.withLockedValue { $0 = next + UInt64(events.count) }
        return events
    }

    /// The events of `drafts`, numbered from `next`.
    static func events(of drafts: [AuditEventDraft], from next: UInt64) -> [AuditEvent] {
        var events: [AuditEvent] = []
        events.reserveCapacity(drafts.count)
        for (offset, draft) in drafts.enumerated() {
            events.append(
                AuditEvent(
                    sequence: next + UInt64(offset),
                    type: draft.type,
                    time: draft.time,
                    tenant: draft.tenant,
                    user: draft.user,
                    requestID: draft.requestID,
                    action: draft.action,
                    risks: draft.risks,
                    contentDigest: draft.contentDigest,
                    details: draft.details
                )
            )
        }
        return events
    }

    static let auditColumns = [
        "seq", "type", "time", "tenant", "end_user", "request_id", "action", "risks", "content_sha256", "details",
        "leaf_hash",
    ]

    /// `INSERT INTO audit_events (…) VALUES (?, …), …` for `rows` rows.
    static func sqliteInsert(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: Self.auditColumns.count).joined(separator: ",") + ")"
        return "INSERT INTO audit_events (" + Self.auditColumns.joined(separator: ", ") + ") VALUES "
            + Array(repeating: row, count: rows).joined(separator: ",")
    }

    /// The values of ``sqliteInsert(rows:)``, row after row.
    static func sqliteValues(of events: some Collection<AuditEvent>) -> [SQLiteData] {
        func text(_ value: String?) -> SQLiteData { value.map(SQLiteData.text) ?? .null }
        var values: [SQLiteData] = []
        values.reserveCapacity(events.count * Self.auditColumns.count)
        for event in events {
            values.append(.integer(Int(event.sequence)))
            values.append(.text(event.type))
            values.append(.integer(Int(event.time)))
            values.append(text(event.tenant))
            values.append(text(event.user))
            values.append(text(event.requestID))
            values.append(text(event.action?.rawValue))
            values.append(.text(event.risks.sorted().map(\.rawValue).joined(separator: ",")))
            values.append(text(event.contentDigest))
            values.append(.text(Self.encode(details: event.details)))
            values.append(.text(event.leafHash.hex))
        }
        return values
    }

    static func row(of event: AuditEvent) -> [any SQLExpression] {
        [
            SQLBind(Int64(event.sequence)), SQLBind(event.type), SQLBind(event.time), SQLBind(event.tenant),
            SQLBind(event.user), SQLBind(event.requestID), SQLBind(event.action?.rawValue),
            SQLBind(event.risks.sorted().map(\.rawValue).joined(separator: ",")), SQLBind(event.contentDigest),
            SQLBind(Self.encode(details: event.details)), SQLBind(event.leafHash.hex),
        ]
    }

    static func encode(details: [String: String]) -> String {
        JSONValue.object(JSONObject(details.keys.sorted().map { (key: $0, value: .string(details[$0] ?? "")) }))
            .serialized
    }

    /// Events from `sequence` on, at most `limit`, with the leaf hash stored beside each.
    ///
    /// Rows are read through the SQLite driver directly (columns by position, no `Decodable`):
    /// `hegui audit verify` reads every event of the log.
    package func auditEvents(from sequence: UInt64, limit: Int) async throws -> [(AuditEvent, MerkleHash?)] {
        guard case .sqlite(let connection) = self.backend else {
            return try await self.auditRowsThroughSQLKit(from: sequence, limit: limit).compactMap(\.1)
        }
        return try await self.sqliteRows(connection, from: sequence, limit: limit).compactMap(Self.decodeAuditEvent(_:))
    }

    /// Sequence numbers with the leaf hash computed from each row's contents and the one stored
    /// beside it: what verification, signing and proofs need. On SQLite the canonical bytes are
    /// assembled from the stored columns without building events.
    package func auditLeaves(from sequence: UInt64, limit: Int) async throws -> [AuditLeaf] {
        guard case .sqlite(let connection) = self.backend else {
            return try await self.auditRowsThroughSQLKit(from: sequence, limit: limit).map { sequence, event, stored in
                guard let (event, _) = event else {
                    // Metadata purged at the end of its retention: the stored leaf hash stands for it.
                    guard let stored else { throw StoreError(.corrupt, "a purged audit row has no leaf hash") }
                    return AuditLeaf(sequence: sequence, hash: stored, stored: stored, isPurged: true)
                }
                return AuditLeaf(sequence: sequence, hash: event.leafHash, stored: stored)
            }
        }
        return try await self.sqliteRows(connection, from: sequence, limit: limit).map { row in
            let columns = row.columns
            if columns.count == 12, columns[11].data != .null, let seq = columns[0].data.integer,
                let stored = columns[10].data.string.flatMap(MerkleHash.init(hex:))
            {
                // Metadata purged at the end of its retention: the stored leaf hash stands for it.
                return AuditLeaf(sequence: UInt64(seq), hash: stored, stored: stored, isPurged: true)
            }
            guard columns.count == 12, let seq = columns[0].data.integer, let type = columns[1].data.string,
                let time = columns[2].data.integer, let risks = columns[7].data.string,
                let details = columns[9].data.string, let stored = columns[10].data.string
            else {
                throw StoreError(.corrupt, "an audit event row does not decode")
            }
            func text(_ index: Int) -> String? {
                if case .null = columns[index].data { return nil }
                return columns[index].data.string
            }
            let bytes = AuditEvent.canonicalBytes(
                sequence: UInt64(seq),
                type: type,
                time: Int64(time),
                tenant: text(3),
                user: text(4),
                requestID: text(5),
                action: text(6),
                risks: risks.isEmpty ? [] : risks.split(separator: ",").map(String.init),
                contentDigest: text(8),
                detailsJSON: details == "{}" ? nil : Array(details.utf8)
            )
            return AuditLeaf(sequence: UInt64(seq), hash: MerkleTree.leafHash(bytes), stored: MerkleHash(hex: stored))
        }
    }

    /// Audit rows read through the SQLite driver directly (columns by position).
    func sqliteRows(
        _ connection: SQLiteConnection,
        from sequence: UInt64,
        limit: Int
    ) async throws -> [SQLiteRow] {
        let rows = RowCollector()
        do {
            try await self.serialized { _ in
                try await connection.query(
                    """
                    SELECT seq, type, time, tenant, end_user, request_id, action, risks, content_sha256, details,
                        leaf_hash, purged_at
                    FROM audit_events WHERE seq >= ?1 ORDER BY seq LIMIT ?2
                    """,
                    [.integer(Int(sequence)), .integer(limit)]
                ) { row in
                    rows.append(row)
                }
            }
        } catch {
            throw StoreError(.unavailable, "cannot read the audit log", cause: error)
        }
        return rows.take()
    }

    /// The portable read, through SQLKit's row decoding: each row's event, or `nil` with the stored
    /// leaf hash for a row whose metadata was purged.
    func auditRowsThroughSQLKit(
        from sequence: UInt64,
        limit: Int
    ) async throws -> [(UInt64, (AuditEvent, MerkleHash?)?, MerkleHash?)] {
        let rows: [any SQLRow]
        do {
            rows = try await self.serialized { database in
                try await database.raw(
                    """
                    SELECT seq, type, time, tenant, end_user, request_id, action, risks, content_sha256, details,
                        leaf_hash, purged_at
                    FROM audit_events WHERE seq >= \(bind: Int64(sequence)) ORDER BY seq LIMIT \(bind: limit)
                    """
                ).rows()
            }
        } catch {
            throw StoreError(.unavailable, "cannot read the audit log", cause: error)
        }
        return try rows.map { row in
            do {
                let seq = try row.decode(column: "seq", as: Int64.self)
                let leafHash = try row.decode(column: "leaf_hash", as: String.self)
                if try row.decode(column: "purged_at", as: Int64?.self) != nil {
                    return (UInt64(seq), nil, MerkleHash(hex: leafHash))
                }
                let event = try Self.makeAuditEvent(
                    sequence: seq,
                    type: try row.decode(column: "type", as: String.self),
                    time: try row.decode(column: "time", as: Int64.self),
                    tenant: try row.decode(column: "tenant", as: String?.self),
                    user: try row.decode(column: "end_user", as: String?.self),
                    requestID: try row.decode(column: "request_id", as: String?.self),
                    action: try row.decode(column: "action", as: String?.self),
                    risks: try row.decode(column: "risks", as: String.self),
                    contentDigest: try row.decode(column: "content_sha256", as: String?.self),
                    details: try row.decode(column: "details", as: String.self),
                    leafHash: leafHash
                )
                return (UInt64(seq), event, event.1)
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.corrupt, "an audit event row does not decode", cause: error)
            }
        }
    }

    /// The event of a row; `nil` for a row whose metadata was purged.
    static func decodeAuditEvent(_ row: SQLiteRow) throws -> (AuditEvent, MerkleHash?)? {
        let columns = row.columns
        if columns.count == 12, columns[11].data != .null { return nil }
        guard columns.count == 12, let seq = columns[0].data.integer, let type = columns[1].data.string,
            let time = columns[2].data.integer, let risks = columns[7].data.string,
            let details = columns[9].data.string, let leaf = columns[10].data.string
        else {
            throw StoreError(.corrupt, "an audit event row does not decode")
        }
        func text(_ index: Int) -> String? {
            if case .null = columns[index].data { return nil }
            return columns[index].data.string
        }
        return try Self.makeAuditEvent(
            sequence: Int64(seq),
            type: type,
            time: Int64(time),
            tenant: text(3),
            user: text(4),
            requestID: text(5),
            action: text(6),
            risks: risks,
            contentDigest: text(8),
            details: details,
            leafHash: leaf
        )
    }

    static func makeAuditEvent(
        sequence: Int64,
        type: String,
        time: Int64,
        tenant: String?,
        user: String?,
        requestID: String?,
        action: String?,
        risks risksText: String,
        contentDigest: String?,
        details detailsText: String,
        leafHash: String
    ) throws -> (AuditEvent, MerkleHash?) {
        var risks: [RiskCode] = []
        for text in risksText.split(separator: ",") {
            guard let risk = RiskCode(String(text)) else { throw StoreError(.corrupt, "an unknown risk code") }
            risks.append(risk)
        }
        var details: [String: String] = [:]
        if detailsText != "{}" {
            guard case .object(let object) = try? JSONParser.parse(detailsText) else {
                throw StoreError(.corrupt, "an audit event's details do not decode")
            }
            for member in object.members {
                if case .string(let value) = member.value { details[member.key] = value }
            }
        }
        let event = AuditEvent(
            sequence: UInt64(sequence),
            type: type,
            time: time,
            tenant: tenant,
            user: user,
            requestID: requestID,
            action: action.flatMap(ModerationAction.init(rawValue:)),
            risks: risks,
            contentDigest: contentDigest,
            details: details
        )
        return (event, MerkleHash(hex: leafHash))
    }

    /// The highest sequence number in the log, `nil` when it is empty.
    func highestAuditSequence() async throws -> UInt64? {
        try await self.rows("SELECT MAX(seq) AS top FROM audit_events", "read the audit log") { row in
            try row.decode(column: "top", as: Int64?.self).map { UInt64(max($0, 0)) }
        }.first ?? nil
    }

    /// The number of events in the log.
    package func auditEventCount() async throws -> UInt64 {
        do {
            let row = try await self.serialized { database in
                try await database.raw("SELECT COUNT(*) AS count FROM audit_events").firstRow()
            }
            return UInt64(try row?.decode(column: "count", as: Int64.self) ?? 0)
        } catch {
            throw StoreError(.unavailable, "cannot count the audit log", cause: error)
        }
    }

    /// Records a signed tree head, with where its signer stood when there is one; a second head
    /// for a size already signed is not recorded (the first stands).
    package func recordTreeHead(_ head: SignedTreeHead, checkpoint: AuditSignerCheckpoint? = nil) async throws {
        do {
            try await self.serialized { database in
                try await database.raw(
                    """
                    INSERT INTO audit_tree_heads (tree_size, root, time, signature, frontier, next_seq)
                    VALUES (\(bind: Int64(head.treeSize)), \(bind: head.root.hex), \(bind: head.time), \(bind: HexEncoding.encode(head.signature)), \(bind: checkpoint?.frontierText), \(bind: checkpoint.map { Int64($0.nextSequence) }))
                    ON CONFLICT (tree_size) DO NOTHING
                    """
                ).run()
            }
        } catch {
            throw StoreError(.unavailable, "cannot record a tree head", cause: error)
        }
    }

    /// The largest signed tree head recorded with its signer's checkpoint, if any. A checkpoint
    /// that does not decode is passed over (the signer then reads the log from the start).
    package func latestTreeHeadCheckpoint() async throws -> (SignedTreeHead, AuditSignerCheckpoint)? {
        try await self.rows(
            """
            SELECT tree_size, root, time, signature, frontier, next_seq FROM audit_tree_heads
            WHERE frontier IS NOT NULL AND next_seq IS NOT NULL ORDER BY tree_size DESC LIMIT 1
            """,
            "read the tree heads"
        ) { row -> (SignedTreeHead, AuditSignerCheckpoint)? in
            let size = try row.decode(column: "tree_size", as: Int64.self)
            let next = try row.decode(column: "next_seq", as: Int64.self)
            guard size >= 0, next >= size,
                let root = MerkleHash(hex: try row.decode(column: "root", as: String.self)),
                let signature = HexEncoding.decode(try row.decode(column: "signature", as: String.self)),
                let frontier = AuditSignerCheckpoint.frontier(
                    fromText: try row.decode(column: "frontier", as: String.self)
                )
            else { return nil }
            return (
                SignedTreeHead(
                    treeSize: UInt64(size),
                    root: root,
                    time: try row.decode(column: "time", as: Int64.self),
                    signature: signature
                ),
                AuditSignerCheckpoint(frontier: frontier, nextSequence: UInt64(next))
            )
        }.first ?? nil
    }

    /// Every signed tree head, smallest first.
    package func treeHeads() async throws -> [SignedTreeHead] {
        do {
            let rows = try await self.serialized { database in
                try await database.raw("SELECT * FROM audit_tree_heads ORDER BY tree_size").rows()
            }
            return try rows.map { row in
                guard let root = MerkleHash(hex: try row.decode(column: "root", as: String.self)),
                    let signature = HexEncoding.decode(try row.decode(column: "signature", as: String.self))
                else { throw StoreError(.corrupt, "a tree head row does not decode") }
                return SignedTreeHead(
                    treeSize: UInt64(try row.decode(column: "tree_size", as: Int64.self)),
                    root: root,
                    time: try row.decode(column: "time", as: Int64.self),
                    signature: signature
                )
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot read the tree heads", cause: error)
        }
    }

    /// The evidence kept beside an event, if any (and not erased).
    package func evidence(sequence: UInt64) async throws -> String? {
        do {
            let row = try await self.serialized { database in
                try await database.raw(
                    "SELECT content FROM audit_evidence WHERE seq = \(bind: Int64(sequence))"
                ).firstRow()
            }
            return try row?.decode(column: "content", as: String.self)
        } catch {
            throw StoreError(.unavailable, "cannot read evidence", cause: error)
        }
    }

    /// Erases the evidence of events older than `cutoff` (milliseconds since 1970); returns how
    /// many were erased. The events and the tree stay.
    package func purgeEvidence(olderThan cutoff: Int64) async throws -> Int {
        do {
            let row = try await self.serialized { database in
                try await database.raw(Self.countEvidenceSQL(olderThan: cutoff)).firstRow()
            }
            let count = Int(try row?.decode(column: "count", as: Int64.self) ?? 0)
            guard count > 0 else { return 0 }
            try await self.serialized { database in
                try await database.raw(Self.deleteEvidenceSQL(olderThan: cutoff)).run()
            }
            return count
        } catch {
            throw StoreError(.unavailable, "cannot purge evidence", cause: error)
        }
    }

    package func latestAuditEvent(type: String) async throws -> AuditEvent? {
        let rows = try await self.rows(
            """
            SELECT seq FROM audit_events WHERE type = \(bind: type) AND purged_at IS NULL ORDER BY seq DESC LIMIT 1
            """,
            "find an audit event"
        ) { UInt64(try $0.decode(column: "seq", as: Int64.self)) }
        guard let sequence = rows.first else { return nil }
        return try await self.auditEvents(from: sequence, limit: 1).first?.0
    }

    package func purgeAuditMetadata(olderThan cutoff: Int64, now: Int64) async throws -> (count: Int, through: UInt64?)
    {
        do {
            return try await self.transaction { database in
                let row = try await database.raw(Self.countUnpurgedSQL(olderThan: cutoff)).firstRow()
                let count = Int(try row?.decode(column: "count", as: Int64.self) ?? 0)
                guard count > 0, let through = try row?.decode(column: "through", as: Int64?.self) else {
                    return (0, nil)
                }
                try await database.raw(Self.deleteUnpurgedEvidenceSQL(olderThan: cutoff)).run()
                try await database.raw(Self.purgeMetadataSQL(olderThan: cutoff, now: now)).run()
                return (count, UInt64(through))
            }
        } catch {
            throw StoreError(.unavailable, "cannot purge audit metadata", cause: error)
        }
    }

    // The retention purges' statements. They run under the log's write lock every hour, so none
    // may scan the log (a six-month log holds hundreds of millions of rows): evidence is found
    // from the evidence table (violations only) by each event's primary key, unpurged events
    // through the partial index `audit_events_unpurged_time` (migration 8).

    /// The evidence of events older than `cutoff` that no hold keeps.
    static func countEvidenceSQL(olderThan cutoff: Int64) -> SQLQueryString {
        """
        SELECT COUNT(*) AS count FROM audit_evidence
        WHERE (SELECT a.time FROM audit_events a WHERE a.seq = audit_evidence.seq) < \(bind: cutoff)
            AND seq NOT IN (SELECT seq FROM evidence_holds)
        """
    }

    static func deleteEvidenceSQL(olderThan cutoff: Int64) -> SQLQueryString {
        """
        DELETE FROM audit_evidence
        WHERE (SELECT a.time FROM audit_events a WHERE a.seq = audit_evidence.seq) < \(bind: cutoff)
            AND seq NOT IN (SELECT seq FROM evidence_holds)
        """
    }

    /// How many events older than `cutoff` still keep their metadata, and the highest of them.
    static func countUnpurgedSQL(olderThan cutoff: Int64) -> SQLQueryString {
        """
        SELECT COUNT(*) AS count, MAX(seq) AS through FROM audit_events
        WHERE time < \(bind: cutoff) AND purged_at IS NULL
        """
    }

    static func deleteUnpurgedEvidenceSQL(olderThan cutoff: Int64) -> SQLQueryString {
        """
        DELETE FROM audit_evidence
        WHERE seq IN (SELECT seq FROM audit_events WHERE time < \(bind: cutoff) AND purged_at IS NULL)
            AND seq NOT IN (SELECT seq FROM evidence_holds)
        """
    }

    static func purgeMetadataSQL(olderThan cutoff: Int64, now: Int64) -> SQLQueryString {
        """
        UPDATE audit_events SET type = '', tenant = NULL, end_user = NULL, request_id = NULL, action = NULL,
            risks = '', content_sha256 = NULL, details = '{}', purged_at = \(bind: now)
        WHERE time < \(bind: cutoff) AND purged_at IS NULL
        """
    }

    /// Erases the evidence kept beside an event (the event and the tree stay).
    package func eraseEvidence(sequence: UInt64) async throws {
        do {
            try await self.serialized { database in
                try await database.raw("DELETE FROM audit_evidence WHERE seq = \(bind: Int64(sequence))").run()
            }
        } catch {
            throw StoreError(.unavailable, "cannot erase evidence", cause: error)
        }
    }
}

/// Gathers rows from the driver's row callback (which may run on another thread).
private final class RowCollector: Sendable {
    private let rows = NIOLockedValueBox<[SQLiteRow]>([])

    func append(_ row: SQLiteRow) {
        self.rows.withLockedValue { $0.append(row) }
    }

    func take() -> [SQLiteRow] {
        self.rows.withLockedValue { rows in
            defer { rows = [] }
            return rows
        }
    }
}
