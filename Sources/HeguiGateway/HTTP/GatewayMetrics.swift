package import CoreMetrics
package import HTTPTypes
import NIOConcurrencyHelpers
package import Prometheus

/// The gateway's metrics, created through an injected factory (no global state, so tests and
/// several gateways in one process keep theirs apart).
///
/// Names follow Prometheus conventions; labels are low-cardinality (route template, method,
/// status, error code) and never hold a user, tenant key or prompt.
package final class GatewayMetrics: Sendable {
    private let factory: any MetricsFactory
    private let requestMetrics = NIOLockedValueBox<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])
    private let upstreamErrors = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    private let moderationDecisions = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])
    /// Streams being relayed right now.
    package let activeStreams: CoreMetrics.Meter
    /// Time from sending a request upstream to its response head.
    package let upstreamLatency: CoreMetrics.Timer

    package init(factory: any MetricsFactory) {
        self.factory = factory
        self.activeStreams = CoreMetrics.Meter(label: "hegui_active_streams", factory: factory)
        self.upstreamLatency = CoreMetrics.Timer(label: "hegui_upstream_response_seconds", factory: factory)
    }

    /// A Prometheus factory whose duration buckets resolve the sub-millisecond overhead of the
    /// gateway as well as minute-long streams.
    package static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30),
            .seconds(60), .seconds(120),
        ]
        return factory
    }

    private struct RequestKey: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    /// Records one finished request.
    package func recordRequest(route: String, method: HTTPRequest.Method, status: Int, nanoseconds: UInt64) {
        let key = RequestKey(route: route, method: method, status: status)
        let (counter, timer) = self.requestMetrics.withLockedValue { cache in
            if let metrics = cache[key] { return metrics }
            let dimensions = [("route", route), ("method", method.rawValue), ("status", String(status))]
            let metrics = (
                CoreMetrics.Counter(label: "hegui_http_requests_total", dimensions: dimensions, factory: self.factory),
                CoreMetrics.Timer(
                    label: "hegui_http_request_duration_seconds",
                    dimensions: dimensions,
                    factory: self.factory
                )
            )
            cache[key] = metrics
            return metrics
        }
        counter.increment()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Counts one upstream failure by its code.
    package func recordUpstreamError(_ code: String) {
        let counter = self.upstreamErrors.withLockedValue { cache in
            if let counter = cache[code] { return counter }
            let counter = CoreMetrics.Counter(
                label: "hegui_upstream_errors_total",
                dimensions: [("code", code)],
                factory: self.factory
            )
            cache[code] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts one moderation decision other than a plain allow, by direction and action.
    package func recordModeration(direction: String, action: String) {
        let key = direction + "/" + action
        let counter = self.moderationDecisions.withLockedValue { cache in
            if let counter = cache[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "hegui_moderation_decisions_total",
                dimensions: [("direction", direction), ("action", action)],
                factory: self.factory
            )
            cache[key] = counter
            return counter
        }
        counter.increment()
    }
}
