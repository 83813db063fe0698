package import CoreMetrics
import Foundation
import HTTPTypes
package import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Several upstreams serving the same models (IM-13 service continuity): requests are shared by
/// weight (smooth weighted round robin), a backend that refuses the connection is skipped for the
/// next one (the request never reached it, so nothing is sent twice; a request a backend may have
/// started to answer is never retried), and a backend that keeps failing is taken out — its
/// circuit opens for `openDuration`, then one request tries it again — or put back early by an
/// active health check (``UpstreamHealthService``).
package final class UpstreamPool: ModelUpstream {
    /// One backend and its share.
    package struct Member: Sendable {
        package var name: String
        package var upstream: any ModelUpstream
        package var weight: Int

        package init(name: String, upstream: any ModelUpstream, weight: Int) {
            self.name = name
            self.upstream = upstream
            self.weight = max(1, weight)
        }
    }

    /// Where a backend stands.
    package enum Status: String, Sendable, Hashable {
        /// Takes requests.
        case up
        /// Failed its health check: takes none until it passes one.
        case unhealthy
        /// Failed too often: takes none until its circuit half-opens.
        case open
        /// Its circuit has half-opened: the next request tries it.
        case halfOpen = "half_open"
    }

    struct State {
        var current = 0
        var failures = 0
        var openUntil: ContinuousClock.Instant?
        var probing = false
        var healthy = true
    }

    package let members: [Member]
    private let state: NIOLockedValueBox<[State]>
    private let failureThreshold: Int
    private let openDuration: Duration
    private let failovers: CoreMetrics.Counter
    private let upGauges: [CoreMetrics.Gauge]

    package init(members: [Member], failureThreshold: Int, openDuration: Duration, factory: any MetricsFactory) {
        precondition(!members.isEmpty, "a pool needs a backend")
        self.members = members
        self.state = NIOLockedValueBox(Array(repeating: State(), count: members.count))
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
        self.failovers = CoreMetrics.Counter(label: "hegui_upstream_failovers_total", factory: factory)
        self.upGauges = members.map {
            CoreMetrics.Gauge(label: "hegui_upstream_up", dimensions: [("upstream", $0.name)], factory: factory)
        }
        for gauge in self.upGauges { gauge.record(1) }
    }

    /// The first backend's API base.
    package var baseURL: String { self.members[0].upstream.baseURL }

    /// A file URL in an answer is fetched from the backend whose API base it is under.
    package func fileSource(for url: String) -> (upstream: any ModelUpstream, path: String)? {
        for member in self.members {
            if let source = member.upstream.fileSource(for: url) { return source }
        }
        return nil
    }

    /// Each backend's status, for `/readyz`.
    package var statuses: [(name: String, status: Status)] {
        let now = ContinuousClock.now
        return self.state.withLockedValue { states in
            zip(self.members, states).map { member, state in (member.name, Self.status(of: state, at: now)) }
        }
    }

    static func status(of state: State, at now: ContinuousClock.Instant) -> Status {
        if !state.healthy { return .unhealthy }
        guard let until = state.openUntil else { return .up }
        return now < until || state.probing ? .open : .halfOpen
    }

    /// Picks the next backend among those not yet tried: by weight among those up, a half-open
    /// one taking its single trial request. `nil` when none can take the request.
    func choose(excluding tried: Set<Int>, at now: ContinuousClock.Instant = .now) -> Int? {
        self.state.withLockedValue { states in
            let available = states.indices.filter { index in
                guard !tried.contains(index), states[index].healthy else { return false }
                guard let until = states[index].openUntil else { return true }
                return now >= until && !states[index].probing
            }
            guard !available.isEmpty else { return nil }
            if let probe = available.first(where: { states[$0].openUntil != nil }) {
                states[probe].probing = true
                return probe
            }
            let total = available.reduce(0) { $0 + self.members[$1].weight }
            var best = available[0]
            for index in available {
                states[index].current += self.members[index].weight
                if states[index].current > states[best].current { best = index }
            }
            states[best].current -= total
            return best
        }
    }

    /// Counts a success: the backend's circuit closes.
    func recordSuccess(_ index: Int) {
        self.state.withLockedValue { states in
            states[index].failures = 0
            states[index].openUntil = nil
            states[index].probing = false
        }
        self.upGauges[index].record(1)
    }

    /// Counts a failure: the circuit opens at the threshold, or again after a failed trial.
    func recordFailure(_ index: Int, at now: ContinuousClock.Instant = .now) {
        let opened = self.state.withLockedValue { states -> Bool in
            states[index].failures += 1
            if states[index].probing || states[index].failures >= self.failureThreshold {
                states[index].openUntil = now + self.openDuration
                states[index].probing = false
                return true
            }
            return false
        }
        if opened { self.upGauges[index].record(0) }
    }

    /// Records a health check's outcome: a failed one takes the backend out, a passed one puts
    /// it back and lets an open circuit try a request at once.
    func recordHealth(_ index: Int, healthy: Bool, at now: ContinuousClock.Instant = .now) {
        let status = self.state.withLockedValue { states -> Status in
            states[index].healthy = healthy
            if healthy, let until = states[index].openUntil, until > now { states[index].openUntil = now }
            return Self.status(of: states[index], at: now)
        }
        self.upGauges[index].record(status == .up || status == .halfOpen ? 1 : 0)
    }

    package func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
        var tried = Set<Int>()
        var lastError = UpstreamError(.connectionFailed)
        while let index = self.choose(excluding: tried) {
            tried.insert(index)
            let member = self.members[index]
            do {
                let response = try await member.upstream.send(request, logger: logger)
                if response.status.code >= 500 { self.recordFailure(index) } else { self.recordSuccess(index) }
                return response
            } catch let error as UpstreamError where error.code == .connectionFailed {
                // Not connected: the backend never saw the request, so the next one may have it.
                self.recordFailure(index)
                self.failovers.increment()
                logger.warning(
                    "upstream refused the connection; trying the next",
                    metadata: ["upstream": .string(member.name)]
                )
                lastError = error
            } catch {
                self.recordFailure(index)
                throw error
            }
        }
        throw lastError
    }

    /// Checks every backend at once and records the outcomes; ready when any backend is.
    package func checkHealth(logger: Logger) async -> Bool {
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, member) in self.members.enumerated() {
                group.addTask { (index, await member.upstream.checkHealth(logger: logger)) }
            }
            var results: [(Int, Bool)] = []
            for await result in group { results.append(result) }
            return results
        }
        for (index, healthy) in results {
            self.recordHealth(index, healthy: healthy)
            if !healthy {
                logger.warning(
                    "upstream failed its health check",
                    metadata: ["upstream": .string(self.members[index].name)]
                )
            }
        }
        return results.contains { $0.1 }
    }

    /// A backend's name for logs and metrics: scheme, host and port of its URL (never a key).
    package static func name(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "upstream" }
        return "\(components.scheme ?? "http")://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}

/// Checks a pool's backends every interval (``UpstreamPool/checkHealth(logger:)``).
package struct UpstreamHealthService: Service {
    let pool: UpstreamPool
    let interval: Duration
    let logger: Logger

    package init(pool: UpstreamPool, interval: Duration, logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        while true {
            _ = await self.pool.checkHealth(logger: self.logger)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
        }
    }
}
