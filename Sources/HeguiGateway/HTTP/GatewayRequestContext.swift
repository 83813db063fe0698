package import Hummingbird
import Logging
import NIOConcurrencyHelpers

/// The per-request context of the gateway: Hummingbird's core storage plus what the gateway's
/// middleware establishes (request id, authenticated tenant).
package struct GatewayRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The id returned in `X-Request-Id` and attached to every log line of the request.
    package var requestID: String = ""
    /// The tenant whose key authenticated the request, once ``TenantAuthMiddleware`` has run.
    package var tenant: GatewayConfiguration.Tenant? {
        get { self.facts.tenant }
        nonmutating set { self.facts.tenant = newValue }
    }
    /// Facts learnt while handling the request, shared with the outer middleware (contexts are
    /// copied inward, so the access log could not otherwise see what an inner layer learnt).
    package let facts = RequestFacts()

    /// The client's IP address as the socket saw it (a proxy's, behind one).
    package var remoteIP: String?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteIP = source.channel.remoteAddress?.ipAddress
    }
}

/// What inner layers learn about a request, readable by the outer ones.
package final class RequestFacts: Sendable {
    private let state = NIOLockedValueBox<GatewayConfiguration.Tenant?>(nil)

    package init() {}

    /// The authenticated tenant.
    package var tenant: GatewayConfiguration.Tenant? {
        get { self.state.withLockedValue { $0 } }
        set { self.state.withLockedValue { $0 = newValue } }
    }
}
