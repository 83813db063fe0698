import HeguiCore
import SQLKit

// The SQL behind the store protocols other than the audit log's (StoreProtocols.swift). Queries
// are portable between SQLite and PostgreSQL; errors name the operation, never the SQL or values.

extension SQLStore {
    func run(_ query: SQLQueryString, _ what: String) async throws {
        do {
            try await self.serialized { database in try await database.raw(query).run() }
        } catch {
            throw StoreError(.unavailable, "cannot \(what)", cause: error)
        }
    }

    func rows<Record>(
        _ query: SQLQueryString,
        _ what: String,
        _ decode: (any SQLRow) throws -> Record
    ) async throws -> [Record] {
        try await self.rows(query, what, onReader: false, decode)
    }

    /// Like ``rows(_:_:_:)`` on the reader connection: for the request path's reads.
    func readRows<Record>(
        _ query: SQLQueryString,
        _ what: String,
        _ decode: (any SQLRow) throws -> Record
    ) async throws -> [Record] {
        try await self.rows(query, what, onReader: true, decode)
    }

    private func rows<Record>(
        _ query: SQLQueryString,
        _ what: String,
        onReader: Bool,
        _ decode: (any SQLRow) throws -> Record
    ) async throws -> [Record] {
        let rows: [any SQLRow]
        do {
            rows =
                onReader
                ? try await self.reading { database in try await database.raw(query).rows() }
                : try await self.serialized { database in try await database.raw(query).rows() }
        } catch {
            throw StoreError(.unavailable, "cannot \(what)", cause: error)
        }
        do {
            return try rows.map(decode)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, "a row does not decode (\(what))", cause: error)
        }
    }

    /// Runs an `INSERT … ON CONFLICT DO NOTHING RETURNING <column>`; whether a row went in.
    func inserted(_ query: SQLQueryString, _ what: String) async throws -> Bool {
        do {
            return try await self.serialized { database in try await database.raw(query).firstRow() } != nil
        } catch {
            throw StoreError(.unavailable, "cannot \(what)", cause: error)
        }
    }

    /// Runs an `UPDATE … RETURNING <column>`; whether a row matched.
    func updated(_ query: SQLQueryString, _ what: String) async throws -> Bool {
        try await self.inserted(query, what)
    }
}

private func flag(_ value: Bool?) -> Int64? { value.map { $0 ? 1 : 0 } }
private func int(_ value: Int?) -> Int64? { value.map(Int64.init) }

extension SQLStore {
    // MARK: Tenants and keys

    package func createTenant(_ tenant: TenantRecord) async throws {
        let added = try await self.inserted(
            """
            INSERT INTO tenants (id, name, policy_set, requests_per_minute, tokens_per_day, label_placement, label_text,
                created_at, disabled_at)
            VALUES (\(bind: tenant.id), \(bind: tenant.name), \(bind: tenant.policySet), \(bind: int(tenant.requestsPerMinute)),
                \(bind: int(tenant.tokensPerDay)), \(bind: tenant.labelPlacement), \(bind: tenant.labelText),
                \(bind: tenant.createdAt), \(bind: tenant.disabledAt))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """,
            "create a tenant"
        )
        guard added else { throw StoreError(.conflict, "tenant '\(tenant.id)' exists already") }
    }

    package func tenant(id: String) async throws -> TenantRecord? {
        try await self.readRows("SELECT * FROM tenants WHERE id = \(bind: id)", "read a tenant", Self.tenantRecord)
            .first
    }

    package func tenants() async throws -> [TenantRecord] {
        try await self.rows("SELECT * FROM tenants ORDER BY id", "read tenants", Self.tenantRecord)
    }

    package func updateTenant(_ tenant: TenantRecord) async throws {
        let found = try await self.updated(
            """
            UPDATE tenants SET name = \(bind: tenant.name), policy_set = \(bind: tenant.policySet),
                requests_per_minute = \(bind: int(tenant.requestsPerMinute)), tokens_per_day = \(bind: int(tenant.tokensPerDay)),
                label_placement = \(bind: tenant.labelPlacement), label_text = \(bind: tenant.labelText),
                disabled_at = \(bind: tenant.disabledAt)
            WHERE id = \(bind: tenant.id) RETURNING id
            """,
            "update a tenant"
        )
        guard found else { throw StoreError(.notFound, "no tenant '\(tenant.id)'") }
    }

    static func tenantRecord(_ row: any SQLRow) throws -> TenantRecord {
        TenantRecord(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            policySet: try row.decode(column: "policy_set", as: String?.self),
            requestsPerMinute: try row.decode(column: "requests_per_minute", as: Int64?.self).map(Int.init),
            tokensPerDay: try row.decode(column: "tokens_per_day", as: Int64?.self).map(Int.init),
            labelPlacement: try row.decode(column: "label_placement", as: String?.self),
            labelText: try row.decode(column: "label_text", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            disabledAt: try row.decode(column: "disabled_at", as: Int64?.self)
        )
    }

    package func addAPIKey(_ key: APIKeyRecord) async throws {
        guard try await self.tenant(id: key.tenant) != nil else {
            throw StoreError(.notFound, "no tenant '\(key.tenant)'")
        }
        let added = try await self.inserted(
            """
            INSERT INTO api_keys (id, tenant, key_sha256, hint, label, created_at, revoked_at)
            VALUES (\(bind: key.id), \(bind: key.tenant), \(bind: key.keySHA256), \(bind: key.hint), \(bind: key.label),
                \(bind: key.createdAt), \(bind: key.revokedAt))
            ON CONFLICT DO NOTHING RETURNING id
            """,
            "add an API key"
        )
        guard added else { throw StoreError(.conflict, "the API key or its id is stored already") }
    }

    package func apiKey(sha256: String) async throws -> APIKeyRecord? {
        try await self.readRows(
            "SELECT * FROM api_keys WHERE key_sha256 = \(bind: sha256)",
            "read an API key",
            Self.apiKeyRecord
        ).first
    }

    package func apiKeys(tenant: String) async throws -> [APIKeyRecord] {
        try await self.rows(
            "SELECT * FROM api_keys WHERE tenant = \(bind: tenant) ORDER BY created_at, id",
            "read API keys",
            Self.apiKeyRecord
        )
    }

    package func revokeAPIKey(id: String, tenant: String, at time: Int64) async throws {
        let found = try await self.updated(
            """
            UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(bind: time))
            WHERE id = \(bind: id) AND tenant = \(bind: tenant) RETURNING id
            """,
            "revoke an API key"
        )
        guard found else { throw StoreError(.notFound, "tenant '\(tenant)' has no key '\(id)'") }
    }

    static func apiKeyRecord(_ row: any SQLRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.decode(column: "id", as: String.self),
            tenant: try row.decode(column: "tenant", as: String.self),
            keySHA256: try row.decode(column: "key_sha256", as: String.self),
            hint: try row.decode(column: "hint", as: String.self),
            label: try row.decode(column: "label", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self)
        )
    }

    // MARK: End users

    package func recordEndUser(tenant: String, pseudonym: String, time: Int64) async throws -> EndUserRecord {
        // A known user is one read; a new one is inserted (a race with another replica is settled
        // by the key) and read back.
        if let user = try await self.endUser(tenant: tenant, pseudonym: pseudonym) { return user }
        try await self.run(
            """
            INSERT INTO end_users (tenant, pseudonym, first_seen, identity_verified, updated_at)
            VALUES (\(bind: tenant), \(bind: pseudonym), \(bind: time), 0, \(bind: time))
            ON CONFLICT (tenant, pseudonym) DO NOTHING
            """,
            "record an end user"
        )
        guard let user = try await self.endUser(tenant: tenant, pseudonym: pseudonym) else {
            throw StoreError(.corrupt, "an end user vanished as it was recorded")
        }
        return user
    }

    package func endUser(tenant: String, pseudonym: String) async throws -> EndUserRecord? {
        try await self.readRows(
            "SELECT * FROM end_users WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym)",
            "read an end user",
            Self.endUserRecord
        ).first
    }

    package func endUserCounts(tenant: String?) async throws -> EndUserCounts {
        let query: SQLQueryString =
            if let tenant {
                """
                SELECT COUNT(*) AS total, COALESCE(SUM(identity_verified), 0) AS verified,
                COALESCE(SUM(CASE WHEN minor = 1 THEN 1 ELSE 0 END), 0) AS minors
                FROM end_users WHERE tenant = \(bind: tenant)
                """
            } else {
                """
                SELECT COUNT(*) AS total, COALESCE(SUM(identity_verified), 0) AS verified,
                COALESCE(SUM(CASE WHEN minor = 1 THEN 1 ELSE 0 END), 0) AS minors
                FROM end_users
                """
            }
        let rows = try await self.readRows(query, "count end users") { row in
            EndUserCounts(
                total: Int(try row.decode(column: "total", as: Int64.self)),
                verified: Int(try row.decode(column: "verified", as: Int64.self)),
                minors: Int(try row.decode(column: "minors", as: Int64.self))
            )
        }
        return rows.first ?? EndUserCounts(total: 0, verified: 0, minors: 0)
    }

    static func endUserRecord(_ row: any SQLRow) throws -> EndUserRecord {
        EndUserRecord(
            tenant: try row.decode(column: "tenant", as: String.self),
            pseudonym: try row.decode(column: "pseudonym", as: String.self),
            firstSeen: try row.decode(column: "first_seen", as: Int64.self),
            birthYear: try row.decode(column: "birth_year", as: Int64?.self).map(Int.init),
            ageBand: try row.decode(column: "age_band", as: String?.self),
            isMinor: try row.decode(column: "minor", as: Int64?.self).map { $0 != 0 },
            identityVerified: try row.decode(column: "identity_verified", as: Int64.self) != 0,
            trainingConsent: try row.decode(column: "training_consent", as: Int64?.self).map { $0 != 0 },
            locale: try row.decode(column: "locale", as: String?.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            consecutiveViolations: Int(try row.decode(column: "consecutive_violations", as: Int64.self)),
            sanctionedAt: try row.decode(column: "sanctioned_at", as: Int64?.self)
        )
    }

    package func updateEndUser(_ user: EndUserRecord) async throws {
        let found = try await self.updated(
            """
            UPDATE end_users SET birth_year = \(bind: int(user.birthYear)), age_band = \(bind: user.ageBand), minor = \(bind: flag(user.isMinor)),
                identity_verified = \(bind: flag(user.identityVerified)), training_consent = \(bind: flag(user.trainingConsent)),
                locale = \(bind: user.locale), updated_at = \(bind: user.updatedAt)
            WHERE tenant = \(bind: user.tenant) AND pseudonym = \(bind: user.pseudonym) RETURNING pseudonym
            """,
            "update an end user"
        )
        guard found else { throw StoreError(.notFound, "no such end user of tenant '\(user.tenant)'") }
    }

    package func deleteEndUser(tenant: String, pseudonym: String) async throws {
        _ = try await self.transaction { database in
            for table in ["end_users", "agreement_acceptances", "usage_counters"] {
                try await database.raw(
                    "DELETE FROM \(ident: table) WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym)"
                ).run()
            }
        }
    }

    // MARK: Agreements

    package func publishAgreement(_ agreement: AgreementRecord) async throws {
        let added = try await self.inserted(
            """
            INSERT INTO agreements (version, major, published_at, text_zh, text_en)
            VALUES (\(bind: agreement.version), \(bind: Int64(agreement.major)), \(bind: agreement.publishedAt),
                \(bind: agreement.textZH), \(bind: agreement.textEN))
            ON CONFLICT (version) DO NOTHING RETURNING version
            """,
            "publish an agreement"
        )
        guard added else { throw StoreError(.conflict, "agreement version \(agreement.version) is published already") }
    }

    package func agreement(version: String) async throws -> AgreementRecord? {
        try await self.rows(
            "SELECT * FROM agreements WHERE version = \(bind: version)",
            "read an agreement",
            Self.agreementRecord
        ).first
    }

    package func currentAgreement() async throws -> AgreementRecord? {
        try await self.readRows(
            "SELECT * FROM agreements ORDER BY published_at DESC, version DESC LIMIT 1",
            "read the current agreement",
            Self.agreementRecord
        ).first
    }

    static func agreementRecord(_ row: any SQLRow) throws -> AgreementRecord {
        AgreementRecord(
            version: try row.decode(column: "version", as: String.self),
            major: Int(try row.decode(column: "major", as: Int64.self)),
            publishedAt: try row.decode(column: "published_at", as: Int64.self),
            textZH: try row.decode(column: "text_zh", as: String.self),
            textEN: try row.decode(column: "text_en", as: String.self)
        )
    }

    package func recordAcceptance(_ acceptance: AcceptanceRecord) async throws {
        guard try await self.agreement(version: acceptance.version) != nil else {
            throw StoreError(.notFound, "no agreement version \(acceptance.version)")
        }
        try await self.run(
            """
            INSERT INTO agreement_acceptances (tenant, pseudonym, version, accepted_at, ip_sha256)
            VALUES (\(bind: acceptance.tenant), \(bind: acceptance.pseudonym), \(bind: acceptance.version),
                \(bind: acceptance.acceptedAt), \(bind: acceptance.ipSHA256))
            ON CONFLICT (tenant, pseudonym, version) DO NOTHING
            """,
            "record an acceptance"
        )
    }

    package func acceptances(tenant: String, pseudonym: String) async throws -> [AcceptanceRecord] {
        try await self.readRows(
            """
            SELECT * FROM agreement_acceptances WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym)
            ORDER BY accepted_at, version
            """,
            "read acceptances"
        ) { row in
            AcceptanceRecord(
                tenant: try row.decode(column: "tenant", as: String.self),
                pseudonym: try row.decode(column: "pseudonym", as: String.self),
                version: try row.decode(column: "version", as: String.self),
                acceptedAt: try row.decode(column: "accepted_at", as: Int64.self),
                ipSHA256: try row.decode(column: "ip_sha256", as: String?.self)
            )
        }
    }

    // MARK: Violations and sanctions

    package func recordViolation(_ violation: ViolationRecord) async throws {
        let added: Bool
        do {
            added = try await self.transaction { database in
                let row = try await database.raw(
                    """
                    INSERT INTO violations (id, tenant, pseudonym, time, risks, audit_seq)
                    VALUES (\(bind: violation.id), \(bind: violation.tenant), \(bind: violation.pseudonym), \(bind: violation.time),
                        \(bind: violation.risks.map(\.rawValue).sorted().joined(separator: ",")), \(bind: violation.auditSequence.map(Int64.init)))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """
                ).firstRow()
                guard row != nil else { return false }
                // The user is created on first sight; one seen only now starts its count here.
                try await database.raw(
                    """
                    INSERT INTO end_users (tenant, pseudonym, first_seen, identity_verified, updated_at)
                    VALUES (\(bind: violation.tenant), \(bind: violation.pseudonym), \(bind: violation.time), 0, \(bind: violation.time))
                    ON CONFLICT (tenant, pseudonym) DO NOTHING
                    """
                ).run()
                try await database.raw(
                    """
                    UPDATE end_users SET consecutive_violations = consecutive_violations + 1
                    WHERE tenant = \(bind: violation.tenant) AND pseudonym = \(bind: violation.pseudonym)
                    """
                ).run()
                return true
            }
        } catch {
            throw StoreError(.unavailable, "cannot record a violation", cause: error)
        }
        guard added else { throw StoreError(.conflict, "violation '\(violation.id)' is recorded already") }
    }

    package func violationCount(tenant: String, pseudonym: String, since: Int64) async throws -> Int {
        try await self.rows(
            """
            SELECT COUNT(*) AS count FROM violations
            WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym) AND time >= \(bind: since)
            """,
            "count violations"
        ) { Int(try $0.decode(column: "count", as: Int64.self)) }.first ?? 0
    }

    package func imposeSanction(_ sanction: SanctionRecord) async throws {
        let added: Bool
        do {
            added = try await self.transaction { database in
                let row = try await database.raw(
                    """
                    INSERT INTO sanctions (id, tenant, pseudonym, level, reason, imposed_at, expires_at, lifted_at, lift_reason,
                        audit_seq, note, reported_at)
                    VALUES (\(bind: sanction.id), \(bind: sanction.tenant), \(bind: sanction.pseudonym), \(bind: sanction.level.rawValue),
                        \(bind: sanction.reason), \(bind: sanction.imposedAt), \(bind: sanction.expiresAt), \(bind: sanction.liftedAt),
                        \(bind: sanction.liftReason), \(bind: sanction.auditSequence.map(Int64.init)), \(bind: sanction.note),
                        \(bind: sanction.reportedAt))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """
                ).firstRow()
                guard row != nil else { return false }
                // The user is marked, so that the gate reads sanctions of sanctioned users only.
                try await database.raw(
                    """
                    INSERT INTO end_users (tenant, pseudonym, first_seen, identity_verified, updated_at, sanctioned_at)
                    VALUES (\(bind: sanction.tenant), \(bind: sanction.pseudonym), \(bind: sanction.imposedAt), 0,
                        \(bind: sanction.imposedAt), \(bind: sanction.imposedAt))
                    ON CONFLICT (tenant, pseudonym) DO UPDATE SET sanctioned_at = excluded.sanctioned_at
                    """
                ).run()
                return true
            }
        } catch {
            throw StoreError(.unavailable, "cannot impose a sanction", cause: error)
        }
        guard added else { throw StoreError(.conflict, "sanction '\(sanction.id)' exists already") }
    }

    package func sanctions(tenant: String, pseudonym: String) async throws -> [SanctionRecord] {
        try await self.readRows(
            """
            SELECT * FROM sanctions WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym)
            ORDER BY imposed_at, id
            """,
            "read sanctions",
            Self.sanctionRecord
        )
    }

    static func sanctionRecord(_ row: any SQLRow) throws -> SanctionRecord {
        let levelText = try row.decode(column: "level", as: String.self)
        guard let level = SanctionRecord.Level(rawValue: levelText) else {
            throw StoreError(.corrupt, "a sanction has an unknown level")
        }
        return SanctionRecord(
            id: try row.decode(column: "id", as: String.self),
            tenant: try row.decode(column: "tenant", as: String.self),
            pseudonym: try row.decode(column: "pseudonym", as: String.self),
            level: level,
            reason: try row.decode(column: "reason", as: String.self),
            imposedAt: try row.decode(column: "imposed_at", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
            liftedAt: try row.decode(column: "lifted_at", as: Int64?.self),
            liftReason: try row.decode(column: "lift_reason", as: String?.self),
            auditSequence: try row.decode(column: "audit_seq", as: Int64?.self).map(UInt64.init),
            note: try row.decode(column: "note", as: String?.self),
            reportedAt: try row.decode(column: "reported_at", as: Int64?.self)
        )
    }

    package func activeSanctions(tenant: String, pseudonym: String, at time: Int64) async throws -> [SanctionRecord] {
        try await self.sanctions(tenant: tenant, pseudonym: pseudonym).filter { $0.isActive(at: time) }
    }

    package func liftSanction(id: String, at time: Int64, reason: String) async throws {
        let found = try await self.updated(
            """
            UPDATE sanctions SET lifted_at = \(bind: time), lift_reason = \(bind: reason)
            WHERE id = \(bind: id) AND lifted_at IS NULL RETURNING id
            """,
            "lift a sanction"
        )
        guard found else { throw StoreError(.notFound, "no sanction '\(id)' in force") }
    }

    // MARK: Complaints

    package func fileComplaint(_ complaint: ComplaintRecord) async throws {
        let added = try await self.inserted(
            """
            INSERT INTO complaints (id, tenant, category, status, received_at, due_at, contact_sha256, audit_seq,
                resolution, updated_at, closed_at, sanction_id, access_sha256, assignee, content_ref, language)
            VALUES (\(bind: complaint.id), \(bind: complaint.tenant), \(bind: complaint.category), \(bind: complaint.status.rawValue),
                \(bind: complaint.receivedAt), \(bind: complaint.dueAt), \(bind: complaint.contactSHA256),
                \(bind: complaint.auditSequence.map(Int64.init)), \(bind: complaint.resolution), \(bind: complaint.updatedAt),
                \(bind: complaint.closedAt), \(bind: complaint.sanctionID), \(bind: complaint.accessSHA256),
                \(bind: complaint.assignee), \(bind: complaint.contentRef), \(bind: complaint.language))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """,
            "file a complaint"
        )
        guard added else { throw StoreError(.conflict, "complaint '\(complaint.id)' exists already") }
    }

    package func complaint(id: String) async throws -> ComplaintRecord? {
        try await self.rows(
            "SELECT * FROM complaints WHERE id = \(bind: id)",
            "read a complaint",
            Self.complaintRecord
        ).first
    }

    package func complaints(status: ComplaintRecord.Status?, limit: Int) async throws -> [ComplaintRecord] {
        if let status {
            return try await self.rows(
                "SELECT * FROM complaints WHERE status = \(bind: status.rawValue) ORDER BY due_at, id LIMIT \(bind: limit)",
                "read complaints",
                Self.complaintRecord
            )
        }
        return try await self.rows(
            "SELECT * FROM complaints ORDER BY due_at, id LIMIT \(bind: limit)",
            "read complaints",
            Self.complaintRecord
        )
    }

    package func updateComplaint(_ complaint: ComplaintRecord) async throws {
        let found = try await self.updated(
            """
            UPDATE complaints SET tenant = \(bind: complaint.tenant), category = \(bind: complaint.category),
                status = \(bind: complaint.status.rawValue), due_at = \(bind: complaint.dueAt),
                audit_seq = \(bind: complaint.auditSequence.map(Int64.init)), resolution = \(bind: complaint.resolution),
                updated_at = \(bind: complaint.updatedAt), closed_at = \(bind: complaint.closedAt),
                assignee = \(bind: complaint.assignee)
            WHERE id = \(bind: complaint.id) RETURNING id
            """,
            "update a complaint"
        )
        guard found else { throw StoreError(.notFound, "no complaint '\(complaint.id)'") }
    }

    static func complaintRecord(_ row: any SQLRow) throws -> ComplaintRecord {
        guard let status = ComplaintRecord.Status(rawValue: try row.decode(column: "status", as: String.self)) else {
            throw StoreError(.corrupt, "a complaint has an unknown status")
        }
        return ComplaintRecord(
            id: try row.decode(column: "id", as: String.self),
            tenant: try row.decode(column: "tenant", as: String?.self),
            category: try row.decode(column: "category", as: String.self),
            status: status,
            receivedAt: try row.decode(column: "received_at", as: Int64.self),
            dueAt: try row.decode(column: "due_at", as: Int64.self),
            contactSHA256: try row.decode(column: "contact_sha256", as: String?.self),
            auditSequence: try row.decode(column: "audit_seq", as: Int64?.self).map(UInt64.init),
            resolution: try row.decode(column: "resolution", as: String?.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            closedAt: try row.decode(column: "closed_at", as: Int64?.self),
            sanctionID: try row.decode(column: "sanction_id", as: String?.self),
            accessSHA256: try row.decode(column: "access_sha256", as: String?.self),
            assignee: try row.decode(column: "assignee", as: String?.self),
            contentRef: try row.decode(column: "content_ref", as: String?.self),
            language: try row.decode(column: "language", as: String?.self)
        )
    }

    // MARK: Incidents

    package func openIncident(_ incident: IncidentRecord) async throws {
        let added = try await self.inserted(
            """
            INSERT INTO incidents (id, severity, title, status, opened_at, reported_at, closed_at, summary, updated_at)
            VALUES (\(bind: incident.id), \(bind: incident.severity), \(bind: incident.title), \(bind: incident.status.rawValue),
                \(bind: incident.openedAt), \(bind: incident.reportedAt), \(bind: incident.closedAt), \(bind: incident.summary),
                \(bind: incident.updatedAt))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """,
            "open an incident"
        )
        guard added else { throw StoreError(.conflict, "incident '\(incident.id)' exists already") }
    }

    package func incident(id: String) async throws -> IncidentRecord? {
        try await self.rows("SELECT * FROM incidents WHERE id = \(bind: id)", "read an incident", Self.incidentRecord)
            .first
    }

    package func incidents(status: IncidentRecord.Status?) async throws -> [IncidentRecord] {
        if let status {
            return try await self.rows(
                "SELECT * FROM incidents WHERE status = \(bind: status.rawValue) ORDER BY opened_at DESC, id",
                "read incidents",
                Self.incidentRecord
            )
        }
        return try await self.rows(
            "SELECT * FROM incidents ORDER BY opened_at DESC, id",
            "read incidents",
            Self.incidentRecord
        )
    }

    package func updateIncident(_ incident: IncidentRecord) async throws {
        let found = try await self.updated(
            """
            UPDATE incidents SET severity = \(bind: incident.severity), title = \(bind: incident.title),
                status = \(bind: incident.status.rawValue), reported_at = \(bind: incident.reportedAt),
                closed_at = \(bind: incident.closedAt), summary = \(bind: incident.summary), updated_at = \(bind: incident.updatedAt)
            WHERE id = \(bind: incident.id) RETURNING id
            """,
            "update an incident"
        )
        guard found else { throw StoreError(.notFound, "no incident '\(incident.id)'") }
    }

    static func incidentRecord(_ row: any SQLRow) throws -> IncidentRecord {
        guard let status = IncidentRecord.Status(rawValue: try row.decode(column: "status", as: String.self)) else {
            throw StoreError(.corrupt, "an incident has an unknown status")
        }
        return IncidentRecord(
            id: try row.decode(column: "id", as: String.self),
            severity: try row.decode(column: "severity", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            status: status,
            openedAt: try row.decode(column: "opened_at", as: Int64.self),
            reportedAt: try row.decode(column: "reported_at", as: Int64?.self),
            closedAt: try row.decode(column: "closed_at", as: Int64?.self),
            summary: try row.decode(column: "summary", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self)
        )
    }

    // MARK: Usage

    package func addUsage(
        _ usage: UsageRecord,
        tenant: String,
        pseudonym: String,
        day: Int
    ) async throws
        -> UsageRecord
    {
        // One statement, so concurrent replicas add rather than overwrite.
        let totals = try await self.rows(
            """
            INSERT INTO usage_counters (tenant, pseudonym, day, requests, prompt_tokens, completion_tokens, active_seconds)
            VALUES (\(bind: tenant), \(bind: pseudonym), \(bind: Int64(day)), \(bind: Int64(usage.requests)),
                \(bind: Int64(usage.promptTokens)), \(bind: Int64(usage.completionTokens)), \(bind: Int64(usage.activeSeconds)))
            ON CONFLICT (tenant, pseudonym, day) DO UPDATE SET
                requests = usage_counters.requests + excluded.requests,
                prompt_tokens = usage_counters.prompt_tokens + excluded.prompt_tokens,
                completion_tokens = usage_counters.completion_tokens + excluded.completion_tokens,
                active_seconds = usage_counters.active_seconds + excluded.active_seconds
            RETURNING requests, prompt_tokens, completion_tokens, active_seconds, active_ms
            """,
            "add usage",
            Self.usageRecord
        )
        guard let total = totals.first else { throw StoreError(.corrupt, "usage counters returned nothing") }
        return total
    }

    package func usage(tenant: String, pseudonym: String, day: Int) async throws -> UsageRecord {
        try await self.readRows(
            """
            SELECT requests, prompt_tokens, completion_tokens, active_seconds, active_ms FROM usage_counters
            WHERE tenant = \(bind: tenant) AND pseudonym = \(bind: pseudonym) AND day = \(bind: Int64(day))
            """,
            "read usage",
            Self.usageRecord
        ).first ?? UsageRecord()
    }

    package func tenantUsage(tenant: String, day: Int) async throws -> UsageRecord {
        try await self.rows(
            """
            SELECT CAST(COALESCE(SUM(requests), 0) AS BIGINT) AS requests, CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT) AS prompt_tokens,
                CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT) AS completion_tokens, CAST(COALESCE(SUM(active_seconds), 0) AS BIGINT) AS active_seconds,
                CAST(COALESCE(SUM(active_ms), 0) AS BIGINT) AS active_ms
            FROM usage_counters WHERE tenant = \(bind: tenant) AND pseudonym <> '*' AND day = \(bind: Int64(day))
            """,
            "read tenant usage",
            Self.usageRecord
        ).first ?? UsageRecord()
    }

    static func usageRecord(_ row: any SQLRow) throws -> UsageRecord {
        UsageRecord(
            requests: Int(try row.decode(column: "requests", as: Int64.self)),
            promptTokens: Int(try row.decode(column: "prompt_tokens", as: Int64.self)),
            completionTokens: Int(try row.decode(column: "completion_tokens", as: Int64.self)),
            activeSeconds: Int(try row.decode(column: "active_seconds", as: Int64.self))
                + Int(try row.decode(column: "active_ms", as: Int64.self) / 1_000)
        )
    }
}
