package import Hummingbird
import Logging

/// The per-request context of the gateway: Hummingbird's core storage plus what the gateway's
/// middleware establishes (request id, authenticated tenant).
package struct GatewayRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The id returned in `X-Request-Id` and attached to every log line of the request.
    package var requestID: String = ""
    /// The tenant whose key authenticated the request, once ``TenantAuthMiddleware`` has run.
    package var tenant: GatewayConfiguration.Tenant?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
