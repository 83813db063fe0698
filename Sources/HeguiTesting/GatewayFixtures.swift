import HeguiCore
package import HeguiGateway

/// Shared test fixtures: a configuration on an ephemeral port and two tenants with known keys.
package enum GatewayFixtures {
    /// The key of tenant `app-one`.
    package static let tenantKey = "hg-test-key-one"
    /// The key of tenant `app-two`.
    package static let otherTenantKey = "hg-test-key-two"

    package static var tenants: [GatewayConfiguration.Tenant] {
        [
            .init(id: "app-one", name: "App One", keySHA256: APIKeyDigest.hex(of: Self.tenantKey)),
            .init(id: "app-two", name: "App Two", keySHA256: APIKeyDigest.hex(of: Self.otherTenantKey)),
        ]
    }

    /// Defaults with port 0 and the test tenants.
    package static func configuration() -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.server.port = 0
        configuration.tenants = Self.tenants
        return configuration
    }
}
