import Dispatch
import HTTPTypes
package import Hummingbird
import Logging

/// Counts and times every request by route template, method and status, and writes one access-log
/// line per request (method, route, status, duration, tenant; never the body or the key).
///
/// A streamed body is measured to its last byte, not to its head.
package struct RequestMetricsMiddleware: RouterMiddleware {
    package typealias Context = GatewayRequestContext

    let metrics: GatewayMetrics

    package init(metrics: GatewayMetrics) {
        self.metrics = metrics
    }

    package func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @concurrent (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response = try await next(request, context)
        let status = response.status.code
        let route = context.endpointPath ?? "unmatched"
        let method = request.method
        let metrics = self.metrics
        let logger = context.logger
        let tenant = context.tenant?.id ?? "-"
        @Sendable func finish() {
            let elapsed = DispatchTime.now().uptimeNanoseconds &- start
            metrics.recordRequest(route: route, method: method, status: status, nanoseconds: elapsed)
            logger.info(
                "request completed",
                metadata: [
                    "http.method": .string(method.rawValue),
                    "http.route": .string(route),
                    "http.status": .stringConvertible(status),
                    "http.duration_ms": .stringConvertible(Double(elapsed / 1_000) / 1_000),
                    "gateway.tenant": .string(tenant),
                ]
            )
        }
        if response.body.contentLength == nil {
            // A streamed body: measure when its last byte has been written (or the client left).
            let body = response.body
            response.body = ResponseBody { writer in
                defer { finish() }
                try await body.write(writer)
            }
        } else {
            finish()
        }
        return response
    }
}
