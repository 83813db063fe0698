import DequeModule
package import Logging
import NIOConcurrencyHelpers
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit

/// The store: one implementation over SQLKit with two drivers — SQLite (the embedded default:
/// one file, WAL mode, every commit synced) and PostgreSQL (several replicas sharing one
/// database). Both run the same migrations and queries; only the transaction's opening
/// statement and the bulk read of `audit verify` differ per driver.
package final class SQLStore: Sendable {
    enum Backend: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection)
    }

    /// The writer connection: the database, for the store's own queries (never handed to
    /// callers), reached through ``serialized(_:)`` once the store is open. On PostgreSQL it is
    /// replaced when the server has closed it (a restart, a failover), so the store recovers by
    /// itself once the database is back.
    private let writer: NIOLockedValueBox<(database: any SQLDatabase, backend: Backend)>
    /// Where to reconnect to (PostgreSQL only).
    private let postgres: (configuration: PostgresConnection.Configuration, logger: Logger)?

    var database: any SQLDatabase { self.writer.withLockedValue { $0.database } }
    var backend: Backend { self.writer.withLockedValue { $0.backend } }
    /// The store holds one connection; statements take turns on it, so that a statement issued
    /// while another task's transaction is open does not join (or leave with) that transaction.
    private let connectionLock = ConnectionLock()

    /// Whether the current task holds the connection (inside ``serialized(_:)``).
    @TaskLocal static var holdsConnection = false

    /// A second connection for the request path's reads (users, sanctions, usage, keys), so that
    /// they do not wait behind the writer while it commits (SQLite's WAL and PostgreSQL both let a
    /// reader see every committed write); `nil` until opened.
    private let reader: NIOLockedValueBox<(database: any SQLDatabase, backend: Backend)?> = NIOLockedValueBox(nil)
    private let readerLock = ConnectionLock()
    /// Set by ``close()``: later statements fail as `closed` instead of reaching a closed
    /// connection (or reopening one).
    private let isClosed = NIOLockedValueBox(false)
    /// On SQLite, the sequence number the next audit event takes, as this process last wrote it
    /// (`nil`: read it in a transaction). See ``appendAuditEvents(_:)``.
    let nextAuditSequence = NIOLockedValueBox<UInt64?>(nil)
    /// How long an SQLite statement waits for another process's lock (milliseconds).
    private static let busyTimeout = "5000"
    /// On SQLite, what copies the write-ahead log into the database, off the commit path.
    private let checkpointer = NIOLockedValueBox<WALCheckpointer?>(nil)

    private init(
        database: any SQLDatabase,
        backend: Backend,
        postgres: (configuration: PostgresConnection.Configuration, logger: Logger)? = nil
    ) {
        self.writer = NIOLockedValueBox((database, backend))
        self.postgres = postgres
    }

    /// A fresh connection in place of a PostgreSQL connection the server closed; the caller holds
    /// that connection's lock.
    private func reopened(
        _ current: (database: any SQLDatabase, backend: Backend),
        id: Int
    ) async throws -> (database: any SQLDatabase, backend: Backend)? {
        guard case .postgres(let connection) = current.backend, connection.isClosed, let postgres = self.postgres else {
            return nil
        }
        do {
            let fresh = try await PostgresConnection.connect(
                configuration: postgres.configuration,
                id: id,
                logger: postgres.logger
            )
            postgres.logger.notice("reconnected to PostgreSQL", metadata: ["store.connection": "\(id)"])
            return (fresh.sql(queryLogLevel: nil), .postgres(fresh))
        } catch {
            throw StoreError(.unavailable, "cannot connect to PostgreSQL", cause: error)
        }
    }

    /// Runs a read on the reader connection (the writer's when the task holds it, so that a
    /// transaction reads its own writes).
    func reading<Result: Sendable>(
        _ body: (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        guard !Self.holdsConnection, let reader = self.reader.withLockedValue({ $0 }) else {
            return try await self.serialized(body)
        }
        await self.readerLock.acquire()
        defer { self.readerLock.release() }
        try self.checkOpen()
        let current = self.reader.withLockedValue { $0 } ?? reader
        if let fresh = try await self.reopened(current, id: 2) {
            self.reader.withLockedValue { $0 = fresh }
            return try await body(fresh.database)
        }
        return try await body(current.database)
    }

    /// Opens (creating when needed) an SQLite store at `path` and brings its schema up to date.
    /// - Parameter checkpoints: when the write-ahead log is copied into the database (see
    ///   ``WALCheckpointer``).
    /// - Throws: ``StoreError`` (`unavailable`, `migration`).
    package static func openSQLite(
        path: String,
        logger: Logger,
        checkpoints: WALCheckpointer.Policy = .init()
    ) async throws -> SQLStore {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StoreError(.unavailable, "cannot open the SQLite database at \(path)", cause: error)
        }
        let database = connection.sql(queryLogLevel: nil)
        do {
            // WAL lets readers run beside the writer; FULL syncs every commit, so an event the
            // gateway acknowledges is on disk. The writer leaves checkpoints to the checkpointer.
            try await database.raw("PRAGMA journal_mode = WAL").run()
            try await database.raw("PRAGMA synchronous = FULL").run()
            try await database.raw("PRAGMA foreign_keys = ON").run()
            try await database.raw("PRAGMA busy_timeout = \(unsafeRaw: Self.busyTimeout)").run()
            try await database.raw("PRAGMA wal_autocheckpoint = 0").run()
        } catch {
            try? await connection.close()
            throw StoreError(.unavailable, "cannot configure the SQLite database at \(path)", cause: error)
        }
        let store = SQLStore(database: database, backend: .sqlite(connection))
        do {
            try await Migrations.apply(to: store)
        } catch {
            await store.close()
            throw error
        }
        store.checkpointer.withLockedValue {
            $0 = WALCheckpointer(path: path, policy: checkpoints, logger: logger) { [weak store] wait in
                try await store?.restartWAL(waitingAtMost: wait) ?? false
            }
        }
        do {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let readerDatabase = reader.sql(queryLogLevel: nil)
            try await readerDatabase.raw("PRAGMA busy_timeout = \(unsafeRaw: Self.busyTimeout)").run()
            try await readerDatabase.raw("PRAGMA query_only = 1").run()
            store.reader.withLockedValue { $0 = (readerDatabase, .sqlite(reader)) }
        } catch {
            await store.close()
            throw StoreError(.unavailable, "cannot open the SQLite database at \(path)", cause: error)
        }
        return store
    }

    /// Opens a PostgreSQL store from a URL (`postgres://user:password@host:port/database`,
    /// `?sslmode=require` for TLS) and brings its schema up to date.
    /// - Throws: ``StoreError`` (`unavailable`, `migration`); the URL's password never appears.
    package static func openPostgres(url: String, logger: Logger) async throws -> SQLStore {
        guard let configuration = try? SQLPostgresConfiguration(url: url) else {
            throw StoreError(.invalid, "the PostgreSQL URL cannot be read")
        }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: configuration.coreConfiguration,
                id: 1,
                logger: logger
            )
        } catch {
            throw StoreError(.unavailable, "cannot connect to PostgreSQL", cause: error)
        }
        let store = SQLStore(
            database: connection.sql(queryLogLevel: nil),
            backend: .postgres(connection),
            postgres: (configuration.coreConfiguration, logger)
        )
        do {
            try await Migrations.apply(to: store)
        } catch {
            try? await connection.close()
            throw error
        }
        do {
            let reader = try await PostgresConnection.connect(
                configuration: configuration.coreConfiguration,
                id: 2,
                logger: logger
            )
            store.reader.withLockedValue { $0 = (reader.sql(queryLogLevel: nil), .postgres(reader)) }
        } catch {
            await store.close()
            throw StoreError(.unavailable, "cannot connect to PostgreSQL", cause: error)
        }
        return store
    }

    /// The statements that open a transaction holding the audit log's write lock: SQLite takes
    /// the database's write lock at once; PostgreSQL locks the audit table, so that replicas
    /// append one after another and the sequence stays linear.
    var beginWriting: [String] {
        switch self.backend {
        case .sqlite: ["BEGIN IMMEDIATE"]
        case .postgres: ["BEGIN", "LOCK TABLE audit_events IN EXCLUSIVE MODE"]
        }
    }

    /// The statements that open a transaction that does not touch the audit log.
    var beginPlain: [String] {
        switch self.backend {
        case .sqlite: ["BEGIN IMMEDIATE"]
        case .postgres: ["BEGIN"]
        }
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    package func isReachable() async -> Bool {
        (try? await self.serialized { database in try await database.raw("SELECT 1 AS one").firstRow() }) != nil
    }

    /// Checkpoints SQLite's write-ahead log on the writer connection and has the next commit start
    /// it over, waiting at most `wait` for readers of the old log (the writer is held meanwhile).
    /// - Returns: `false` when readers kept the log from starting over.
    private func restartWAL(waitingAtMost wait: Duration) async throws -> Bool {
        let (seconds, attoseconds) = wait.components
        let milliseconds = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        return try await self.serialized { database in
            try await database.raw("PRAGMA busy_timeout = \(unsafeRaw: String(milliseconds))").run()
            let row: (any SQLRow)?
            do {
                row = try await database.raw("PRAGMA wal_checkpoint(RESTART)").firstRow()
            } catch {
                try await database.raw("PRAGMA busy_timeout = \(unsafeRaw: Self.busyTimeout)").run()
                throw error
            }
            try await database.raw("PRAGMA busy_timeout = \(unsafeRaw: Self.busyTimeout)").run()
            // Columns: busy (1: readers or another writer kept the log from starting over), log,
            // checkpointed.
            return try row?.decode(column: "busy", as: Int.self) == 0
        }
    }

    /// How many checkpoints of SQLite's write-ahead log ran off the commit path, and how many of
    /// them restarted an overgrown log on the writer connection; `nil` on PostgreSQL.
    package var walCheckpoints: (checkpoints: Int, restarts: Int)? {
        self.checkpointer.withLockedValue { $0 }?.counts
    }

    /// On SQLite, copies the write-ahead log into the database now (restarting it when past its
    /// bound) and returns once that is done; nothing on PostgreSQL.
    package func checkpointWAL() async {
        await self.checkpointer.withLockedValue { $0 }?.checkpointNow()
    }

    /// Closes the database once the statements in flight are done; later ones fail as `closed`.
    package func close() async {
        // First the checkpointer: a restart it runs takes the writer connection.
        await self.checkpointer.withLockedValue { $0 }?.close()
        await self.connectionLock.acquire()
        await self.readerLock.acquire()
        defer {
            self.readerLock.release()
            self.connectionLock.release()
        }
        guard
            !self.isClosed.withLockedValue({ closed in
                defer { closed = true }
                return closed
            })
        else { return }
        let reader = self.reader.withLockedValue { reader in
            defer { reader = nil }
            return reader?.backend
        }
        for backend in [self.backend] + (reader.map { [$0] } ?? []) {
            switch backend {
            case .sqlite(let connection): try? await connection.close()
            case .postgres(let connection): try? await connection.close()
            }
        }
    }

    private func checkOpen() throws {
        if self.isClosed.withLockedValue({ $0 }) { throw StoreError(.closed, "the store is closed") }
    }

    /// Runs `body` with the connection to itself; nested calls from inside `body` reuse it.
    func serialized<Result: Sendable>(
        _ body: (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        if Self.holdsConnection { return try await body(self.database) }
        await self.connectionLock.acquire()
        defer { self.connectionLock.release() }
        try self.checkOpen()
        if let fresh = try await self.reopened(self.writer.withLockedValue { $0 }, id: 1) {
            self.writer.withLockedValue { $0 = fresh }
        }
        let result = try await Self.$holdsConnection.withValue(true) { try await body(self.database) }
        self.checkpointer.withLockedValue { $0 }?.noteWrite()
        return result
    }

    /// Runs `body` in one transaction, committing when it returns and rolling back when it
    /// throws. The transaction takes the audit log's write lock (``beginWriting``), so appends are
    /// serialised across replicas too.
    func transaction<Result: Sendable>(
        locksAuditLog: Bool = true,
        _ body: @Sendable (any SQLDatabase) async throws -> Result
    ) async throws -> Result {
        try await self.serialized { database in
            for statement in locksAuditLog ? self.beginWriting : self.beginPlain {
                try await database.raw(SQLQueryString(statement)).run()
            }
            do {
                let result = try await body(database)
                try await database.raw("COMMIT").run()
                return result
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

/// A first-come, first-served lock for the store's connection.
final class ConnectionLock: Sendable {
    private struct State {
        var isLocked = false
        var waiters: Deque<CheckedContinuation<Void, Never>> = []
    }

    private let state = NIOLockedValueBox(State())

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = self.state.withLockedValue { state in
                if state.isLocked {
                    state.waiters.append(continuation)
                    return false
                }
                state.isLocked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    func release() {
        let next = self.state.withLockedValue { state in
            guard let next = state.waiters.popFirst() else {
                state.isLocked = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return next
        }
        next?.resume()
    }
}
