import Foundation
package import HeguiStore
package import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Counts requests and tokens per user and day, and records users (and which id each pseudonym
/// stands for) on first sight, in batches: a
/// replica adds up what its requests used and writes it in one transaction every
/// `users.usage_flush_ms` (250 ms), instead of one synced write per request. Budgets read the
/// store plus what is still pending here, so one replica is exact at once and replicas agree
/// within one flush. The last batch is written at shutdown.
package final class UsageLedger: Sendable {
    struct Key: Hashable, Sendable {
        var tenant: String
        var pseudonym: String
        var day: Int
    }

    private struct State {
        var pending: [Key: UsageRecord] = [:]
        /// The batch being written: still counted until its transaction commits.
        var writing: [Key: UsageRecord] = [:]
        /// Whether a batch is being written (one at a time; a batch of new users only leaves
        /// `writing` empty).
        var isWriting = false
        var newUsers: [Key: Int64] = [:]
        var pseudonyms: [String: (tenant: String, user: String, time: Int64)] = [:]
        var isFlushScheduled = false
        /// Batch writes begun and ended: a read of the store that no write overlapped saw exactly
        /// the batches ended before it.
        var writesBegun = 0
        var writesEnded = 0
        /// Reads of the store that a write disturbed; no write begins until they are done.
        var readersWaiting = 0
    }

    private let store: SQLStore
    private let interval: Duration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    package init(store: SQLStore, flushMilliseconds: Int, logger: Logger) {
        self.store = store
        self.interval = .milliseconds(flushMilliseconds)
        self.logger = logger
    }

    /// Adds a request's use.
    package func add(_ usage: UsageRecord, tenant: String, pseudonym: String, day: Int) {
        let key = Key(tenant: tenant, pseudonym: pseudonym, day: day)
        self.state.withLockedValue { state in
            var total = state.pending[key] ?? UsageRecord()
            total.requests += usage.requests
            total.promptTokens += usage.promptTokens
            total.completionTokens += usage.completionTokens
            state.pending[key] = total
        }
        self.scheduleFlush()
    }

    /// Records a user seen for the first time (with the next batch).
    package func noteNewUser(tenant: String, pseudonym: String, time: Int64) {
        self.state.withLockedValue { state in
            state.newUsers[Key(tenant: tenant, pseudonym: pseudonym, day: 0)] = time
        }
        self.scheduleFlush()
    }

    /// Records which user a pseudonym stands for (for personal-information requests), with the
    /// next batch.
    package func notePseudonym(_ pseudonym: String, tenant: String, user: String, time: Int64) {
        self.state.withLockedValue { state in
            if state.pseudonyms[pseudonym] == nil { state.pseudonyms[pseudonym] = (tenant, user, time) }
        }
        self.scheduleFlush()
    }

    /// Use of the day not yet written.
    package func pending(tenant: String, pseudonym: String, day: Int) -> UsageRecord {
        let key = Key(tenant: tenant, pseudonym: pseudonym, day: day)
        return self.state.withLockedValue { state in
            Self.sum(state.pending[key] ?? UsageRecord(), state.writing[key] ?? UsageRecord())
        }
    }

    static func sum(_ first: UsageRecord, _ second: UsageRecord) -> UsageRecord {
        UsageRecord(
            requests: first.requests + second.requests,
            promptTokens: first.promptTokens + second.promptTokens,
            completionTokens: first.completionTokens + second.completionTokens,
            activeSeconds: first.activeSeconds + second.activeSeconds
        )
    }

    /// The day's use: written plus pending, each batch counted once.
    ///
    /// A batch's commit becomes visible in the store before the ledger stops counting it as being
    /// written, so the store is read while no batch is being written. A read that a write
    /// overlapped is made again, and until it succeeds no new write begins (writes are batched,
    /// so one that waits a moment loses nothing); the write in flight ends and the next read is
    /// undisturbed.
    package func usage(tenant: String, pseudonym: String, day: Int) async throws -> UsageRecord {
        let key = Key(tenant: tenant, pseudonym: pseudonym, day: day)
        var waiting = false
        defer {
            if waiting { self.state.withLockedValue { $0.readersWaiting -= 1 } }
        }
        while true {
            let (pending, begun, idle) = self.state.withLockedValue { state in
                (
                    Self.sum(state.pending[key] ?? UsageRecord(), state.writing[key] ?? UsageRecord()),
                    state.writesBegun, state.writesBegun == state.writesEnded
                )
            }
            if idle {
                let written = try await self.store.usage(tenant: tenant, pseudonym: pseudonym, day: day)
                if self.state.withLockedValue({ $0.writesBegun == begun }) { return Self.sum(written, pending) }
            }
            if !waiting {
                waiting = true
                self.state.withLockedValue { $0.readersWaiting += 1 }
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    private func scheduleFlush() {
        let due = self.state.withLockedValue { state in
            guard !state.isFlushScheduled else { return false }
            state.isFlushScheduled = true
            return true
        }
        guard due else { return }
        Task {
            try? await Task.sleep(for: self.interval)
            await self.flush()
        }
    }

    /// Writes everything pending now (also at shutdown and before an export).
    package func flush() async {
        // One batch at a time: a flush while another is written waits for it.
        var batch = self.takeBatch()
        while batch == nil {
            try? await Task.sleep(for: .milliseconds(2))
            batch = self.takeBatch()
        }
        guard let (pending, newUsers, pseudonyms) = batch,
            !pending.isEmpty || !newUsers.isEmpty || !pseudonyms.isEmpty
        else { return }
        await self.write(pending, newUsers, pseudonyms)
    }

    private typealias Batch = (
        pending: [Key: UsageRecord], newUsers: [Key: Int64],
        pseudonyms: [String: (tenant: String, user: String, time: Int64)]
    )

    /// The pending batch, now marked as being written; `nil` while another is written, empty when
    /// there is nothing to write (then nothing is marked: an empty batch must not end the
    /// counting of one another flush is writing).
    private func takeBatch() -> Batch? {
        self.state.withLockedValue { state -> Batch? in
            guard !state.isWriting else { return nil }
            state.isFlushScheduled = false
            guard !state.pending.isEmpty || !state.newUsers.isEmpty || !state.pseudonyms.isEmpty else {
                return ([:], [:], [:])
            }
            state.isWriting = true
            defer {
                state.writing = state.pending
                state.pending = [:]
                state.newUsers = [:]
                state.pseudonyms = [:]
            }
            return (state.pending, state.newUsers, state.pseudonyms)
        }
    }

    private func write(
        _ pending: [Key: UsageRecord],
        _ newUsers: [Key: Int64],
        _ pseudonyms: [String: (tenant: String, user: String, time: Int64)]
    ) async {
        while true {
            // A cancelled flush (shutdown) writes at once: a read may then count its batch twice.
            let cancelled = Task.isCancelled
            let began = self.state.withLockedValue { state in
                guard state.readersWaiting == 0 || cancelled else { return false }
                state.writesBegun += 1
                return true
            }
            if began { break }
            try? await Task.sleep(for: .milliseconds(1))
        }
        do {
            try await self.store.addUsage(
                pending.map { ($0.key.tenant, $0.key.pseudonym, $0.key.day, $0.value) },
                newUsers: newUsers.map { ($0.key.tenant, $0.key.pseudonym, $0.value) },
                pseudonyms: pseudonyms.map { ($0.key, $0.value.tenant, $0.value.user, $0.value.time) }
            )
            self.state.withLockedValue { state in
                state.writing = [:]
                state.isWriting = false
                state.writesEnded += 1
            }
        } catch let error as StoreError where error.code == .closed {
            // Shut down under the ledger (its own service writes the last batch before the store
            // closes): there is no next batch to keep this for.
            self.state.withLockedValue { state in
                state.writing = [:]
                state.isWriting = false
                state.writesEnded += 1
            }
            self.logger.error("usage not written: the store is closed", metadata: ["usage.entries": "\(pending.count)"])
        } catch {
            // Kept for the next batch: nothing counted is lost while the store is away.
            self.state.withLockedValue { state in
                state.writing = [:]
                state.isWriting = false
                state.writesEnded += 1
                for (key, usage) in pending {
                    var total = state.pending[key] ?? UsageRecord()
                    total.requests += usage.requests
                    total.promptTokens += usage.promptTokens
                    total.completionTokens += usage.completionTokens
                    state.pending[key] = total
                }
                for (key, time) in newUsers where state.newUsers[key] == nil { state.newUsers[key] = time }
                for (key, value) in pseudonyms where state.pseudonyms[key] == nil { state.pseudonyms[key] = value }
            }
            self.logger.error("usage not written; kept for the next batch", metadata: ["store.error": "\(error)"])
            self.scheduleFlush()
        }
    }
}

/// Writes the ledger's last batch when the gateway shuts down.
package struct UsageLedgerService: Service {
    let ledger: UsageLedger

    package init(ledger: UsageLedger) {
        self.ledger = ledger
    }

    package func run() async throws {
        try? await gracefulShutdown()
        await self.ledger.flush()
    }
}
