package import HeguiCore
package import HeguiStore

/// Keeps a ``ServiceStatistics`` up to date with the audit log: each ``refresh()`` reads only the
/// events appended since the last, so the dashboard costs one pass over the log in all.
package actor StatisticsCollector {
    private let store: any AuditStore
    private var statistics: ServiceStatistics
    private let pageSize: Int

    package init(store: any AuditStore, zone: LocalTime = .beijing, pageSize: Int = 5_000) {
        self.store = store
        self.statistics = ServiceStatistics(zone: zone)
        self.pageSize = pageSize
    }

    /// Reads the events appended since the last refresh and returns the figures.
    package func refresh() async throws -> ServiceStatistics {
        while true {
            let page = try await self.store.auditEvents(from: self.statistics.nextSequence, limit: self.pageSize)
            guard let last = page.last else { break }
            for (event, _) in page { self.statistics.add(event) }
            self.statistics.skip(to: last.0.sequence + 1)
            if page.count < self.pageSize { break }
        }
        return self.statistics
    }
}

/// How requests with a time limit fared: complaints (IM-15.3) and personal-information requests
/// (IM-11.5), counted over those received in a period.
package struct DeadlineFigures: Sendable, Hashable {
    /// Received in the period.
    package var received = 0
    /// Decided (or completed) by their time limit.
    package var onTime = 0
    /// Decided after it.
    package var late = 0
    /// Still waiting, within the limit.
    package var open = 0
    /// Still waiting, past the limit.
    package var overdue = 0

    package init() {}

    /// The share decided on time of those whose outcome is known (decided, or overdue);
    /// `nil` when there are none.
    package var onTimeRate: Double? {
        let settled = self.onTime + self.late + self.overdue
        return settled == 0 ? nil : Double(self.onTime) / Double(settled)
    }

    /// Counts one request: its limit, and when it was decided (`nil` while waiting).
    package mutating func count(dueAt: Int64, decidedAt: Int64?, now: Int64) {
        self.received += 1
        if let decidedAt {
            if decidedAt <= dueAt { self.onTime += 1 } else { self.late += 1 }
        } else if now > dueAt {
            self.overdue += 1
        } else {
            self.open += 1
        }
    }

    /// Complaints received from `from` to `through` (milliseconds, inclusive), of one tenant or
    /// all; a complaint's decision is when it was resolved or rejected.
    package static func complaints(
        in store: any ComplaintStore,
        from: Int64,
        through: Int64,
        tenant: String? = nil,
        now: Int64
    ) async throws -> DeadlineFigures {
        var figures = DeadlineFigures()
        for complaint in try await store.complaints(status: nil, limit: 1_000_000)
        where complaint.receivedAt >= from && complaint.receivedAt <= through {
            if let tenant, complaint.tenant != tenant { continue }
            var decidedAt: Int64?
            if complaint.status.isDecided {
                let steps = try await store.complaintEvents(id: complaint.id)
                decidedAt = steps.first { $0.action == "resolve" || $0.action == "reject" }?.time ?? complaint.updatedAt
            }
            figures.count(dueAt: complaint.dueAt, decidedAt: decidedAt, now: now)
        }
        return figures
    }

    /// Personal-information requests received from `from` to `through` (milliseconds, inclusive).
    package static func rightsRequests(
        in store: any RightsRequestStore,
        from: Int64,
        through: Int64,
        tenant: String? = nil,
        now: Int64
    ) async throws -> DeadlineFigures {
        var figures = DeadlineFigures()
        for request in try await store.rightsRequests(tenant: tenant, pseudonym: nil, openOnly: false)
        where request.receivedAt >= from && request.receivedAt <= through {
            figures.count(dueAt: request.dueAt, decidedAt: request.completedAt, now: now)
        }
        return figures
    }
}
