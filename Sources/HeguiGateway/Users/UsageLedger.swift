import Foundation
package import HeguiStore
package import Logging
import ServiceLifecycle
import Synchronization

/// Counts requests and tokens per user and day, and records users on first sight, in batches: a
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
        var newUsers: [Key: Int64] = [:]
        var isFlushScheduled = false
    }

    private let store: SQLStore
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    package init(store: SQLStore, flushMilliseconds: Int, logger: Logger) {
        self.store = store
        self.interval = .milliseconds(flushMilliseconds)
        self.logger = logger
    }

    /// Adds a request's use.
    package func add(_ usage: UsageRecord, tenant: String, pseudonym: String, day: Int) {
        let key = Key(tenant: tenant, pseudonym: pseudonym, day: day)
        self.state.withLock { state in
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
        self.state.withLock { state in
            state.newUsers[Key(tenant: tenant, pseudonym: pseudonym, day: 0)] = time
        }
        self.scheduleFlush()
    }

    /// Use of the day not yet written.
    package func pending(tenant: String, pseudonym: String, day: Int) -> UsageRecord {
        self.state.withLock { $0.pending[Key(tenant: tenant, pseudonym: pseudonym, day: day)] } ?? UsageRecord()
    }

    /// The day's use: written plus pending.
    package func usage(tenant: String, pseudonym: String, day: Int) async throws -> UsageRecord {
        let written = try await self.store.usage(tenant: tenant, pseudonym: pseudonym, day: day)
        let pending = self.pending(tenant: tenant, pseudonym: pseudonym, day: day)
        return UsageRecord(
            requests: written.requests + pending.requests,
            promptTokens: written.promptTokens + pending.promptTokens,
            completionTokens: written.completionTokens + pending.completionTokens,
            activeSeconds: written.activeSeconds
        )
    }

    private func scheduleFlush() {
        let due = self.state.withLock { state in
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
        let (pending, newUsers) = self.state.withLock { state in
            defer {
                state.pending = [:]
                state.newUsers = [:]
                state.isFlushScheduled = false
            }
            return (state.pending, state.newUsers)
        }
        guard !pending.isEmpty || !newUsers.isEmpty else { return }
        do {
            try await self.store.addUsage(
                pending.map { ($0.key.tenant, $0.key.pseudonym, $0.key.day, $0.value) },
                newUsers: newUsers.map { ($0.key.tenant, $0.key.pseudonym, $0.value) }
            )
        } catch {
            // Kept for the next batch: nothing counted is lost while the store is away.
            self.state.withLock { state in
                for (key, usage) in pending {
                    var total = state.pending[key] ?? UsageRecord()
                    total.requests += usage.requests
                    total.promptTokens += usage.promptTokens
                    total.completionTokens += usage.completionTokens
                    state.pending[key] = total
                }
                for (key, time) in newUsers where state.newUsers[key] == nil { state.newUsers[key] = time }
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
