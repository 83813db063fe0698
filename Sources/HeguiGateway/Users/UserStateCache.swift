import NIOConcurrencyHelpers

/// What a replica read of each end user lately (attributes, sanctions in force, acceptances), kept
/// for a short time so that a busy user costs one read per interval, not one per request. Changes
/// made through this replica drop the entry at once; other replicas see them within the interval
/// (`users.state_cache_ms`).
package final class UserStateCache: Sendable {
    struct Entry: Sendable {
        var state: EndUserGate.UserState
        var expires: Int64
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let lifetime: Int64
    private let capacity: Int

    package init(lifetimeMilliseconds: Int, capacity: Int = 100_000) {
        self.lifetime = Int64(lifetimeMilliseconds)
        self.capacity = capacity
    }

    static func key(tenant: String, pseudonym: String) -> String { tenant + "\u{1F}" + pseudonym }

    func state(tenant: String, pseudonym: String, at time: Int64) -> EndUserGate.UserState? {
        guard self.lifetime > 0 else { return nil }
        let key = Self.key(tenant: tenant, pseudonym: pseudonym)
        return self.entries.withLockedValue { entries in
            guard let entry = entries[key], entry.expires > time else { return nil }
            return entry.state
        }
    }

    func store(_ state: EndUserGate.UserState, tenant: String, pseudonym: String, at time: Int64) {
        guard self.lifetime > 0 else { return }
        self.entries.withLockedValue { entries in
            if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[Self.key(tenant: tenant, pseudonym: pseudonym)] = Entry(state: state, expires: time + self.lifetime)
        }
    }

    /// Forgets a user, after a change through this replica.
    package func invalidate(tenant: String, pseudonym: String) {
        _ = self.entries.withLockedValue { $0.removeValue(forKey: Self.key(tenant: tenant, pseudonym: pseudonym)) }
    }
}
