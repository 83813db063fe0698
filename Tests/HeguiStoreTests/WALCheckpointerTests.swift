import Foundation
import HeguiCore
import HeguiStore
import Logging
import NIOConcurrencyHelpers
import SQLiteNIO
import Testing

/// SQLite's write-ahead log is copied into the database off the commit path (OPS-1: an answer
/// waits for its audit event's commit, and must not also wait for a checkpoint), without losing
/// or reordering anything, and with the log kept within its bound.
@Suite struct WALCheckpointerTests {
    /// Runs `body` with a fresh SQLite store under `policy`, its audit log and its file's path.
    static func withStore(
        _ policy: WALCheckpointer.Policy,
        _ body: (SQLStore, AuditLog, String) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "hegui-wal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/hegui.sqlite"
        let store = try await SQLStore.openSQLite(path: path, logger: Logger(label: "test"), checkpoints: policy)
        do {
            let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
            try await body(store, log, path)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    static func append(_ count: Int, to log: AuditLog) async throws {
        for index in 0..<count {
            _ = try await log.append(
                AuditEventDraft(
                    type: "moderation.checked",
                    time: 1_764_000_000_000 + Int64(index),
                    tenant: "app",
                    user: "u\(index % 5)",
                    requestID: "req_\(UUID().uuidString)",
                    action: .allow,
                    contentDigest: String(repeating: "ab", count: 32),
                    details: ["direction": "output", "index": String(index)]
                )
            )
        }
    }

    /// Waits (up to 20 s) until the store's checkpoint counts satisfy `condition`.
    static func waitFor(
        _ store: SQLStore,
        _ condition: @escaping ((checkpoints: Int, restarts: Int)) -> Bool
    ) async throws -> (checkpoints: Int, restarts: Int)? {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let counts = store.walCheckpoints, condition(counts) { return counts }
            try await Task.sleep(for: .milliseconds(20))
        }
        return store.walCheckpoints
    }

    /// 300 commits put well over SQLite's automatic threshold (1,000 pages) in the log; with the
    /// checkpointer held back, none of it reaches the database file: the writer's commits copy
    /// nothing themselves.
    @Test func commitsDoNotCheckpoint() async throws {
        try await Self.withStore(.init(writesPerCheckpoint: 1_000_000)) { store, log, path in
            let before = Self.size(path)
            try await Self.append(300, to: log)
            #expect(Self.size(path + "-wal") > 1_000 * 4_096)
            #expect(Self.size(path) == before)
            #expect(store.walCheckpoints?.checkpoints == 0)
            #expect(try await store.auditEventCount() == 300)
        }
    }

    /// With checkpoints every 16 writes, the log reaches the database file while appends go on,
    /// and every event is there, in order, once the store is reopened.
    @Test func theCheckpointerCopiesTheLogIntoTheDatabase() async throws {
        try await Self.withStore(.init(writesPerCheckpoint: 16)) { store, log, path in
            let before = Self.size(path)
            try await Self.append(200, to: log)
            let counts = try await Self.waitFor(store) { $0.checkpoints >= 1 }
            #expect((counts?.checkpoints ?? 0) >= 1)
            #expect(counts?.restarts == 0)
            #expect(Self.size(path) > before)
            #expect(try await log.verify().isEmpty)
            let reopened = try await SQLStore.openSQLite(path: path, logger: Logger(label: "test"))
            let events = try await reopened.auditEvents(from: 0, limit: 500).map(\.0)
            await reopened.close()
            #expect(events.map(\.sequence) == Array(0..<200))
            #expect(events.map { $0.details["index"] } == (0..<200).map { String($0) })
        }
    }

    /// The log's size in pages and how many are copied, read by a passive checkpoint on a
    /// connection of the test's own.
    static func logPages(_ connection: SQLiteConnection) async throws -> (log: Int, copied: Int) {
        let pages = NIOLockedValueBox((log: -1, copied: -1))
        try await connection.query("PRAGMA wal_checkpoint(PASSIVE)", []) { row in
            pages.withLockedValue {
                $0 = (Int(row.column("log")?.integer ?? -1), Int(row.column("checkpointed")?.integer ?? -1))
            }
        }
        return pages.withLockedValue { $0 }
    }

    /// Runs `body` on a store whose log is past its 20-page bound while a reader of the test's
    /// own holds a snapshot of its first 30 events (60 are appended), so that a passive
    /// checkpoint cannot let the log start over by itself. `body` ends the reader's transaction
    /// and returns how many events it appended. Afterwards the log must have started over: the
    /// next commit is alone in it, and every event is there.
    static func withAReaderBehind(
        restartWait: Duration,
        _ body: (SQLStore, AuditLog, SQLiteConnection) async throws -> Int
    ) async throws {
        let policy = WALCheckpointer.Policy(
            writesPerCheckpoint: 1_000_000,
            maximumLogPages: 20,
            restartWait: restartWait
        )
        try await Self.withStore(policy) { store, log, path in
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
            try await Self.append(30, to: log)
            try await reader.query("BEGIN", []) { _ in }
            try await reader.query("SELECT COUNT(*) FROM audit_events", []) { _ in }
            try await Self.append(30, to: log)
            let appended = try await body(store, log, reader)
            try await Self.append(1, to: log)
            let pages = try await Self.logPages(reader)
            try await reader.close()
            #expect(pages.log > 0 && pages.log <= 10, "\(pages)")
            #expect(try await store.auditEventCount() == 61 + appended)
            #expect(try await log.verify().isEmpty)
        }
    }

    /// Past its bound, the log is restarted on the writer once the reader is done (the restart
    /// waits for it).
    @Test func anOvergrownLogIsRestartedOnTheWriterOnceReadersAreDone() async throws {
        try await Self.withAReaderBehind(restartWait: .seconds(10)) { store, _, reader in
            let release = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await reader.query("COMMIT", []) { _ in }
            }
            await store.checkpointWAL()
            try await release.value
            #expect(store.walCheckpoints?.checkpoints == 1)
            #expect(store.walCheckpoints?.restarts == 1)
            return 0
        }
    }

    /// A reader that outlasts the restart's wait keeps the log from starting over: the writer
    /// is let go after the wait, commits go on, and the next checkpoint restarts the log.
    @Test func aRestartThatReadersPreventIsTriedAgainAtTheNextCheckpoint() async throws {
        try await Self.withAReaderBehind(restartWait: .milliseconds(50)) { store, log, reader in
            await store.checkpointWAL()
            #expect(store.walCheckpoints?.checkpoints == 1)
            #expect(store.walCheckpoints?.restarts == 0)
            try await Self.append(5, to: log)
            try await reader.query("COMMIT", []) { _ in }
            await store.checkpointWAL()
            #expect(store.walCheckpoints?.checkpoints == 2)
            #expect(store.walCheckpoints?.restarts == 1)
            return 5
        }
    }

    /// Within its bound, a checkpoint copies the log and leaves the writer alone.
    @Test func aLogWithinItsBoundIsNotRestarted() async throws {
        try await Self.withStore(.init(writesPerCheckpoint: 1_000_000)) { store, log, path in
            let before = Self.size(path)
            try await Self.append(60, to: log)
            await store.checkpointWAL()
            #expect(store.walCheckpoints?.checkpoints == 1)
            #expect(store.walCheckpoints?.restarts == 0)
            #expect(Self.size(path) > before)
        }
    }
}
