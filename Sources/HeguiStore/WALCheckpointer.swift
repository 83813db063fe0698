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
/// that moment may not come, and the log would grow without bound. When a checkpoint finds it
/// past ``Policy/maximumLogPages``, the checkpointer catches up with further passive passes,
/// then restarts the log on the writer connection (`wal_checkpoint(RESTART)`): that holds the
/// writer for the pages committed during the last pass and for readers of the old log to finish
/// (at most ``Policy/restartWait``; a restart that cannot wait longer is tried again later).
/// The log file keeps its size for the next round, so commits do not pay for growing it again.
package final class WALCheckpointer: Sendable {
    /// When checkpoints run.
    package struct Policy: Sendable {
        /// Writer operations between two checkpoints (an audit append is one; it adds about six
        /// pages to the log).
        package var writesPerCheckpoint = 64
        /// Log pages past which the log is restarted on the writer connection (4,096 pages of
        /// 4 KiB: 16 MiB).
        package var maximumLogPages = 4_096
        /// How long a restart waits for readers of the old log before it gives up for this round.
        package var restartWait: Duration = .milliseconds(100)

        package init(
            writesPerCheckpoint: Int = 64,
            maximumLogPages: Int = 4_096,
            restartWait: Duration = .milliseconds(100)
        ) {
            self.writesPerCheckpoint = writesPerCheckpoint
            self.maximumLogPages = maximumLogPages
            self.restartWait = restartWait
        }
    }

    private struct State {
        var writesSinceCheckpoint = 0
        var running: Task<Void, Never>?
        var connection: (SQLiteConnection, NIOThreadPool)?
        var isClosed = false
        /// Checkpoints that ran, and restarts of the log.
        var checkpoints = 0
        var restarts = 0
    }

    /// Pages left to copy below which the log is restarted on the writer without another pass,
    /// and the most passes a checkpoint makes to catch up.
    private static let catchUpPages = 256
    private static let catchUpPasses = 8

    private let path: String
    private let policy: Policy
    private let logger: Logger
    /// Restarts the log on the writer connection (``SQLStore/serialized(_:)``), waiting at most
    /// the given time for readers; `false` when they kept it from restarting.
    private let restart: @Sendable (Duration) async throws -> Bool
    private let state = NIOLockedValueBox(State())

    init(path: String, policy: Policy, logger: Logger, restart: @escaping @Sendable (Duration) async throws -> Bool) {
        self.path = path
        self.policy = policy
        self.logger = logger
        self.restart = restart
    }

    /// How many checkpoints ran, and how many of them restarted the log on the writer.
    var counts: (checkpoints: Int, restarts: Int) {
        self.state.withLockedValue { ($0.checkpoints, $0.restarts) }
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
            var pages = try await self.passiveCheckpoint()
            // Catch up off the commit path first: each pass copies what was committed during the
            // one before, so the writer is held only for the last few pages.
            var passes = 1
            while pages.log > self.policy.maximumLogPages, pages.log - pages.copied > Self.catchUpPages,
                passes < Self.catchUpPasses
            {
                pages = try await self.passiveCheckpoint()
                passes += 1
            }
            self.state.withLockedValue { $0.checkpoints += 1 }
            if pages.log > self.policy.maximumLogPages {
                if try await self.restart(self.policy.restartWait) {
                    self.state.withLockedValue { $0.restarts += 1 }
                    self.logger.notice(
                        "SQLite's write-ahead log outgrew its bound; restarted it",
                        metadata: ["store.wal_pages": "\(pages.log)"]
                    )
                } else {
                    self.logger.notice(
                        "SQLite's write-ahead log outgrew its bound; readers kept it from restarting",
                        metadata: ["store.wal_pages": "\(pages.log)"]
                    )
                }
            }
        } catch {
            // The log stays as it is; the next checkpoint tries again, and nothing is lost.
            self.logger.warning("SQLite checkpoint failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Runs a passive checkpoint: the log's size in pages, and how many of them are copied.
    private func passiveCheckpoint() async throws -> (log: Int, copied: Int) {
        let connection = try await self.connection()
        let pages = NIOLockedValueBox((log: 0, copied: 0))
        try await connection.query("PRAGMA wal_checkpoint(PASSIVE)", []) { row in
            // Columns: busy, log (pages in the log), checkpointed (pages copied).
            pages.withLockedValue {
                $0 = (Int(row.column("log")?.integer ?? 0), Int(row.column("checkpointed")?.integer ?? 0))
            }
        }
        return pages.withLockedValue { $0 }
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
