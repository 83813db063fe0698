import Foundation
import SQLKit

/// The schema's versions, applied in order and recorded in `hegui_migrations`. Append-only:
/// a released migration is never edited; a change is a new one (STYLE rule 20).
enum Migrations {
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// Every migration, oldest first. The SQL is portable between SQLite and PostgreSQL.
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "audit log",
            statements: [
                """
                CREATE TABLE audit_events (
                    seq BIGINT PRIMARY KEY,
                    type TEXT NOT NULL,
                    time BIGINT NOT NULL,
                    tenant TEXT,
                    end_user TEXT,
                    request_id TEXT,
                    action TEXT,
                    risks TEXT NOT NULL,
                    content_sha256 TEXT,
                    details TEXT NOT NULL,
                    leaf_hash TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE audit_tree_heads (
                    tree_size BIGINT PRIMARY KEY,
                    root TEXT NOT NULL,
                    time BIGINT NOT NULL,
                    signature TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE audit_evidence (
                    seq BIGINT PRIMARY KEY REFERENCES audit_events (seq),
                    content TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_events_tenant_time ON audit_events (tenant, time)",
            ]
        ),
        Migration(
            version: 2,
            name: "user pseudonyms",
            statements: [
                """
                CREATE TABLE user_pseudonyms (
                    pseudonym TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX user_pseudonyms_tenant_user ON user_pseudonyms (tenant, user_id)",
            ]
        ),
        Migration(
            version: 3,
            name: "tenants, end users, agreements, sanctions, complaints, incidents, usage; audit metadata purge",
            statements: [
                // When an event's metadata was purged at the end of its retention (OPS-1): the row
                // keeps its sequence number and leaf hash, so the tree still verifies.
                "ALTER TABLE audit_events ADD COLUMN purged_at BIGINT",
                """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    policy_set TEXT,
                    requests_per_minute BIGINT,
                    tokens_per_day BIGINT,
                    created_at BIGINT NOT NULL,
                    disabled_at BIGINT
                )
                """,
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL REFERENCES tenants (id),
                    key_sha256 TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    label TEXT,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX api_keys_tenant ON api_keys (tenant)",
                """
                CREATE TABLE end_users (
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    first_seen BIGINT NOT NULL,
                    birth_year BIGINT,
                    minor BIGINT,
                    identity_verified BIGINT NOT NULL,
                    training_consent BIGINT,
                    locale TEXT,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (tenant, pseudonym)
                )
                """,
                """
                CREATE TABLE agreements (
                    version TEXT PRIMARY KEY,
                    major BIGINT NOT NULL,
                    published_at BIGINT NOT NULL,
                    text_zh TEXT NOT NULL,
                    text_en TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE agreement_acceptances (
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    version TEXT NOT NULL REFERENCES agreements (version),
                    accepted_at BIGINT NOT NULL,
                    ip_sha256 TEXT,
                    PRIMARY KEY (tenant, pseudonym, version)
                )
                """,
                """
                CREATE TABLE violations (
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    time BIGINT NOT NULL,
                    risks TEXT NOT NULL,
                    audit_seq BIGINT
                )
                """,
                "CREATE INDEX violations_user_time ON violations (tenant, pseudonym, time)",
                """
                CREATE TABLE sanctions (
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    level TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    imposed_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    lifted_at BIGINT,
                    lift_reason TEXT,
                    audit_seq BIGINT
                )
                """,
                "CREATE INDEX sanctions_user ON sanctions (tenant, pseudonym)",
                """
                CREATE TABLE complaints (
                    id TEXT PRIMARY KEY,
                    tenant TEXT,
                    category TEXT NOT NULL,
                    status TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    due_at BIGINT NOT NULL,
                    contact_sha256 TEXT,
                    audit_seq BIGINT,
                    resolution TEXT,
                    updated_at BIGINT NOT NULL,
                    closed_at BIGINT
                )
                """,
                "CREATE INDEX complaints_status_due ON complaints (status, due_at)",
                """
                CREATE TABLE incidents (
                    id TEXT PRIMARY KEY,
                    severity TEXT NOT NULL,
                    title TEXT NOT NULL,
                    status TEXT NOT NULL,
                    opened_at BIGINT NOT NULL,
                    reported_at BIGINT,
                    closed_at BIGINT,
                    summary TEXT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE usage_counters (
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    day BIGINT NOT NULL,
                    requests BIGINT NOT NULL,
                    prompt_tokens BIGINT NOT NULL,
                    completion_tokens BIGINT NOT NULL,
                    active_seconds BIGINT NOT NULL,
                    PRIMARY KEY (tenant, pseudonym, day)
                )
                """,
            ]
        ),
        Migration(
            version: 4,
            name: "end-user gates: age bands, consecutive violations, active time, rate windows, rights requests",
            statements: [
                "ALTER TABLE end_users ADD COLUMN age_band TEXT",
                "ALTER TABLE end_users ADD COLUMN consecutive_violations BIGINT NOT NULL DEFAULT 0",
                // When the user was last sanctioned: the gate reads sanctions only for such users.
                "ALTER TABLE end_users ADD COLUMN sanctioned_at BIGINT",
                // Use time in milliseconds and the last request's time, for sessions with an idle gap.
                "ALTER TABLE usage_counters ADD COLUMN active_ms BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE usage_counters ADD COLUMN last_active_at BIGINT",
                "ALTER TABLE sanctions ADD COLUMN note TEXT",
                "ALTER TABLE sanctions ADD COLUMN reported_at BIGINT",
                // An appeal is a complaint about a sanction (IM-14.4 measures are open to appeal).
                "ALTER TABLE complaints ADD COLUMN sanction_id TEXT",
                """
                CREATE TABLE rate_counters (
                    scope TEXT NOT NULL,
                    window_start BIGINT NOT NULL,
                    count BIGINT NOT NULL,
                    PRIMARY KEY (scope, window_start)
                )
                """,
                """
                CREATE TABLE rights_requests (
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    due_at BIGINT NOT NULL,
                    completed_at BIGINT,
                    outcome TEXT
                )
                """,
                "CREATE INDEX rights_requests_due ON rights_requests (completed_at, due_at)",
                "CREATE INDEX rights_requests_user ON rights_requests (tenant, pseudonym)",
                "CREATE INDEX audit_events_end_user ON audit_events (end_user)",
                "CREATE INDEX violations_audit_seq ON violations (audit_seq)",
            ]
        ),
        Migration(
            version: 5,
            name: "complaint workflow: access codes, assignees, timelines",
            statements: [
                "ALTER TABLE complaints ADD COLUMN access_sha256 TEXT",
                "ALTER TABLE complaints ADD COLUMN assignee TEXT",
                "ALTER TABLE complaints ADD COLUMN content_ref TEXT",
                "ALTER TABLE complaints ADD COLUMN language TEXT",
                """
                CREATE TABLE complaint_events (
                    complaint_id TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    time BIGINT NOT NULL,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    public BIGINT NOT NULL,
                    text TEXT,
                    PRIMARY KEY (complaint_id, seq)
                )
                """,
                // Takedowns (IM-14): evidence held for the authorities (retention and deletion pass
                // it by), content marked removed, rectification samples.
                """
                CREATE TABLE evidence_holds (
                    seq BIGINT PRIMARY KEY,
                    takedown_id TEXT NOT NULL,
                    held_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE takedowns (
                    id TEXT PRIMARY KEY,
                    tenant TEXT,
                    content_id TEXT NOT NULL,
                    complaint_id TEXT,
                    incident_id TEXT NOT NULL,
                    end_user TEXT,
                    risks TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    audit_seq BIGINT
                )
                """,
                "CREATE INDEX takedowns_content ON takedowns (content_id)",
                """
                CREATE TABLE rectification_samples (
                    id TEXT PRIMARY KEY,
                    takedown_id TEXT NOT NULL,
                    risks TEXT NOT NULL,
                    prompt TEXT,
                    bad_output TEXT,
                    reference_answer TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX audit_events_request ON audit_events (request_id)",
                // Notifications to the provider's systems, written before they are sent and
                // retried until delivered (each at most once per key).
                """
                CREATE TABLE webhook_outbox (
                    id TEXT PRIMARY KEY,
                    dedupe_key TEXT NOT NULL UNIQUE,
                    event TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    attempts BIGINT NOT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    delivered_at BIGINT,
                    last_error TEXT
                )
                """,
                "CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at)",
                // Files a complainant attached (type- and size-checked), base64 in a text column so
                // that the same SQL serves both databases.
                """
                CREATE TABLE complaint_attachments (
                    complaint_id TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    filename TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    sha256 TEXT NOT NULL,
                    data TEXT NOT NULL,
                    PRIMARY KEY (complaint_id, seq)
                )
                """,
            ]
        ),
        Migration(
            version: 6,
            name: "tenants' chat labels",
            statements: [
                // Where a tenant's chat answers carry the explicit label, and its text (IM-12,
                // LBL-4.1); NULL for the gateway's setting.
                "ALTER TABLE tenants ADD COLUMN label_placement TEXT",
                "ALTER TABLE tenants ADD COLUMN label_text TEXT",
            ]
        ),
        Migration(
            version: 7,
            name: "tree heads the signer goes on from",
            statements: [
                // The Merkle frontier at a signed head (hex hashes, largest subtree first) and the
                // sequence number of the next leaf: the next signing reads only the events since.
                "ALTER TABLE audit_tree_heads ADD COLUMN frontier TEXT",
                "ALTER TABLE audit_tree_heads ADD COLUMN next_seq BIGINT",
            ]
        ),
        Migration(
            version: 8,
            name: "audit events by time until their metadata is purged",
            statements: [
                // The retention purges find old events through this index instead of scanning the
                // log under its write lock; purged rows leave it, so it spans the retention period.
                "CREATE INDEX audit_events_unpurged_time ON audit_events (time) WHERE purged_at IS NULL"
            ]
        ),
    ]

    /// Applies the migrations the database has not seen, each in its own transaction.
    /// - Throws: ``StoreError`` (`migration`), naming the migration but not its SQL.
    static func apply(to store: SQLStore) async throws {
        let database = store.database
        do {
            try await database.raw(
                """
                CREATE TABLE IF NOT EXISTS hegui_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """
            ).run()
        } catch {
            throw StoreError(.migration, "cannot create the migrations table", cause: error)
        }
        let applied: Set<Int>
        do {
            let rows = try await database.raw("SELECT version FROM hegui_migrations").rows()
            applied = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
        } catch {
            throw StoreError(.migration, "cannot read the applied migrations", cause: error)
        }
        if let newest = applied.max(), newest > (Self.all.last?.version ?? 0) {
            throw StoreError(
                .migration,
                "the database has schema version \(newest), newer than this build knows; upgrade Hegui"
            )
        }
        for migration in Self.all where !applied.contains(migration.version) {
            do {
                for statement in store.beginWriting.prefix(1) {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                for statement in migration.statements {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try await database.raw(
                    "INSERT INTO hegui_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))"
                ).run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw StoreError(
                    .migration,
                    "migration \(migration.version) (\(migration.name)) failed",
                    cause: error
                )
            }
        }
    }
}
