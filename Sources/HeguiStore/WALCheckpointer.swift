import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLiteNIO

/// Copies SQLite's write-ahead log back into the database file on a connection and a thread of
/// its own, so that no commit waits for a checkpoint.
///
/// An answer goes out only once its audit event is committed (OPS-1). With SQLite's automatic
/// checkpoints, the commit that took the log past 1,000 pages also copied them into the database
/// and synced it before returning: about one commit in 135 at moderate load took a millisecond
/// or more longer, and so did the answers queued behind it. The writer connection therefore
/// turns automatic checkpoints off (`wal_autocheckpoint = 0`), and this checkpointer runs a
/// `PASSIVE` checkpoint, which never blocks the writer, after every ``Policy/writesPerCheckpoint``
/// writes. Its connection opens at the first checkpoint: a short-lived command that writes
/// little never starts it.
///
/// A passive checkpoint copies only the pages committed before it began, and the log starts
/// over only when a write begins after everything in it was copied. Under writes without pause
/// the log could grow without bound; when a checkpoint finds it past ``Policy/maximumLogPages``,
/// the store truncates it on the writer connection (`wal_checkpoint(TRUNCATE)`), which holds
/// that connection's writes for the time it takes, as every checkpoint did before.
package final class WALCheckpointer: Sendable {
    /// When checkpoints run.
    package struct Policy: Sendable {
        /// Writer operations between two checkpoints (an audit append is one; it adds about six
        /// pages to the log).
        package var writesPerCheckpoint = 64
        /// Log pages past which the log is truncated on the writer connection.
        package var maximumLogPages = 16_384

        package init(writesPerCheckpoint: Int = 64, maximumLogPages: Int = 16_384) {
            self.writesPerCheckpoint = writesPerCheckpoint
            self.maximumLogPages = maximumLogPages
        }
    }

    private struct State {
        var writesSinceCheckpoint = 0
        var running: Task<Void, Never>?
        var connection: (SQLiteConnection, NIOThreadPool)?
        var isClosed = false
        /// Checkpoints that ran, and log truncations.
        var checkpoints = 0
        var truncations = 0
    }

    private let path: String
    private let policy: Policy
    private let logger: Logger
    /// Truncates the log on the writer connection (``SQLStore/serialized(_:)``).
    private let truncate: @Sendable () async throws -> Void
    private let state = NIOLockedValueBox(State())

    init(path: String, policy: Policy, logger: Logger, truncate: @escaping @Sendable () async throws -> Void) {
        self.path = path
        self.policy = policy
        self.logger = logger
        self.truncate = truncate
    }

    /// How many checkpoints ran, and how many times the log was truncated after one.
    var counts: (checkpoints: Int, truncations: Int) {
        self.state.withLockedValue { ($0.checkpoints, $0.truncations) }
    }

    /// Counts a write on the writer connection; starts a checkpoint when enough have gone by and
    /// none is running.
    func noteWrite() {
        self.state.withLockedValue { state in
            state.writesSinceCheckpoint += 1
            guard !state.isClosed, state.running == nil,
                state.writesSinceCheckpoint >= self.policy.writesPerCheckpoint
            else { return }
            state.writesSinceCheckpoint = 0
            state.running = Task { await self.checkpoint() }
        }
    }

    /// Runs a checkpoint now, after the one running if any, and returns once it is done.
    func checkpointNow() async {
        while true {
            let (task, isOwn) = self.state.withLockedValue { state -> (Task<Void, Never>?, Bool) in
                if let running = state.running { return (running, false) }
                guard !state.isClosed else { return (nil, false) }
                state.writesSinceCheckpoint = 0
                let task = Task { await self.checkpoint() }
                state.running = task
                return (task, true)
            }
            guard let task else { return }
            await task.value
            if isOwn { return }
        }
    }

    private func checkpoint() async {
        defer { self.state.withLockedValue { $0.running = nil } }
        do {
            let logPages = try await self.passiveCheckpoint()
            self.state.withLockedValue { $0.checkpoints += 1 }
            if logPages > self.policy.maximumLogPages {
                try await self.truncate()
                self.state.withLockedValue { $0.truncations += 1 }
                self.logger.notice(
                    "SQLite's write-ahead log outgrew its bound; truncated it",
                    metadata: ["store.wal_pages": "\(logPages)"]
                )
            }
        } catch {
            // The log stays as it is; the next checkpoint tries again, and nothing is lost.
            self.logger.warning("SQLite checkpoint failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Runs a passive checkpoint; returns the log's size in pages.
    private func passiveCheckpoint() async throws -> Int {
        let connection = try await self.connection()
        let logPages = NIOLockedValueBox(0)
        try await connection.query("PRAGMA wal_checkpoint(PASSIVE)", []) { row in
            // Columns: busy, log (pages in the log), checkpointed (pages copied so far).
            logPages.withLockedValue { $0 = Int(row.column("log")?.integer ?? 0) }
        }
        return logPages.withLockedValue { $0 }
    }

    private func connection() async throws -> SQLiteConnection {
        if let (connection, _) = self.state.withLockedValue({ $0.connection }) { return connection }
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        do {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: self.path),
                threadPool: threadPool,
                logger: self.logger,
                on: MultiThreadedEventLoopGroup.singleton.any()
            )
            self.state.withLockedValue { $0.connection = (connection, threadPool) }
            return connection
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    /// Waits for a running checkpoint, then closes the connection and its thread; no checkpoint
    /// starts after.
    func close() async {
        let running = self.state.withLockedValue { state in
            state.isClosed = true
            return state.running
        }
        await running?.value
        guard let (connection, threadPool) = self.state.withLockedValue({ $0.connection }) else { return }
        try? await connection.close()
        try? await threadPool.shutdownGracefully()
    }
}
