package import Logging
import SQLKit
import SQLiteKit

/// The store: one implementation over SQLKit. This release opens SQLite (the embedded default:
/// one file, WAL mode, every commit synced); PostgreSQL for replicas follows with the same
/// migrations and queries.
package final class SQLStore: Sendable {
    /// The database, for the store's own queries (never handed to callers).
    let database: any SQLDatabase
    let connection: SQLiteConnection

    private init(database: any SQLDatabase, connection: SQLiteConnection) {
        self.database = database
        self.connection = connection
    }

    /// Opens (creating when needed) an SQLite store at `path` and brings its schema up to date.
    /// - Throws: ``StoreError`` (`unavailable`, `migration`).
    package static func openSQLite(path: String, logger: Logger) async throws -> SQLStore {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StoreError(.unavailable, "cannot open the SQLite database at \(path)", cause: error)
        }
        let database = connection.sql(queryLogLevel: nil)
        do {
            // WAL lets readers run beside the writer; FULL syncs every commit, so an event the
            // gateway acknowledges is on disk.
            try await database.raw("PRAGMA journal_mode = WAL").run()
            try await database.raw("PRAGMA synchronous = FULL").run()
            try await database.raw("PRAGMA foreign_keys = ON").run()
            try await database.raw("PRAGMA busy_timeout = 5000").run()
        } catch {
            try? await connection.close()
            throw StoreError(.unavailable, "cannot configure the SQLite database at \(path)", cause: error)
        }
        let store = SQLStore(database: database, connection: connection)
        do {
            try await Migrations.apply(to: database)
        } catch {
            try? await connection.close()
            throw error
        }
        return store
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    package func isReachable() async -> Bool {
        (try? await self.database.raw("SELECT 1 AS one").first()) != nil
    }

    /// Closes the database.
    package func close() async {
        try? await self.connection.close()
    }

    /// Runs `body` in one transaction, committing when it returns and rolling back when it
    /// throws. SQLite's `BEGIN IMMEDIATE` takes the write lock at once, so appends are serialised.
    func transaction<Result: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await self.database.raw("BEGIN IMMEDIATE").run()
        do {
            let result = try await body(self.database)
            try await self.database.raw("COMMIT").run()
            return result
        } catch {
            try? await self.database.raw("ROLLBACK").run()
            throw error
        }
    }
}
