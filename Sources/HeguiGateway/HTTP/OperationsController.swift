import HTTPTypes
import HeguiCore
package import HeguiStore
package import Hummingbird
package import Logging
import NIOCore
package import Prometheus

/// `GET /healthz` (the process answers), `GET /readyz` (the upstream answers and the store can be
/// written) and `GET /metrics` (Prometheus text format).
package struct OperationsController: Sendable {
    let readiness: ReadinessProbe
    let registry: PrometheusCollectorRegistry

    package init(readiness: ReadinessProbe, registry: PrometheusCollectorRegistry) {
        self.readiness = readiness
        self.registry = registry
    }

    package func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("healthz") { _, _ in Response.json(#"{"status":"ok"}"#) }
        router.get("readyz") { _, context in
            let report = await self.readiness.check(logger: context.logger)
            var checks: JSONObject = [
                "upstream": .string(report.upstream ? "ok" : "failing"),
                "store": .string(report.store ? "ok" : "failing"),
            ]
            if !report.upstreams.isEmpty {
                // Each backend of a pool: up, unhealthy, open or half_open (IM-13).
                checks["upstreams"] = .object(
                    JSONObject(report.upstreams.map { (key: $0.name, value: .string($0.status)) })
                )
            }
            let body: JSONValue = [
                "status": .string(report.isReady ? "ready" : "not_ready"),
                "checks": .object(checks),
            ]
            return Response.json(body.serialized, status: report.isReady ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.registry.emitToBuffer()))
            )
        }
    }
}

/// Checks readiness, caching the upstream probe briefly so that frequent `/readyz` polls by a load
/// balancer do not each reach the model.
package actor ReadinessProbe {
    private let upstream: any ModelUpstream
    private let dataDirectory: DataDirectory?
    private let store: SQLStore?
    private let cacheDuration: Duration
    private let clock = ContinuousClock()
    private var lastUpstreamCheck: (at: ContinuousClock.Instant, healthy: Bool)?

    /// The outcome of one check.
    package struct Report: Sendable {
        package var upstream: Bool
        package var store: Bool
        /// The backends of an upstream pool and where each stands.
        package var upstreams: [(name: String, status: String)] = []
        package var isReady: Bool { self.upstream && self.store }
    }

    package init(
        upstream: any ModelUpstream,
        dataDirectory: DataDirectory?,
        store: SQLStore? = nil,
        cacheDuration: Duration = .seconds(2)
    ) {
        self.upstream = upstream
        self.dataDirectory = dataDirectory
        self.store = store
        self.cacheDuration = cacheDuration
    }

    package func check(logger: Logger) async -> Report {
        let now = self.clock.now
        let upstreamHealthy: Bool
        if let last = self.lastUpstreamCheck, now - last.at < self.cacheDuration {
            upstreamHealthy = last.healthy
        } else {
            upstreamHealthy = await self.upstream.checkHealth(logger: logger)
            self.lastUpstreamCheck = (self.clock.now, upstreamHealthy)
        }
        var storeHealthy = self.dataDirectory?.isWritable ?? true
        if storeHealthy, let store = self.store {
            storeHealthy = await store.isReachable()
        }
        let upstreams = (self.upstream as? UpstreamPool)?.statuses.map { ($0.name, $0.status.rawValue) } ?? []
        return Report(upstream: upstreamHealthy, store: storeHealthy, upstreams: upstreams)
    }
}
