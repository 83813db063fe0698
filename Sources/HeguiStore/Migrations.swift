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
            let rows = try await database.raw("SELECT version FROM hegui_migrations").all()
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
