package import HTTPTypes
import HeguiCore
package import HeguiGateway
package import HeguiStore
package import Hummingbird
package import Logging
package import NIOCore
package import Prometheus

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

extension GatewayFixtures {
    /// The gateway application as production builds it, over the given upstream.
    package static func application(
        configuration: GatewayConfiguration = GatewayFixtures.configuration(),
        upstream: any ModelUpstream,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        enforcement: Enforcement = GatewayFixtures.enforcement(),
        admin: AdminAccess? = nil,
        users: UserServices? = nil,
        labels: LabelService? = nil,
        dataDirectory: DataDirectory? = nil,
        store: SQLStore? = nil,
        logger: Logger = Logger(label: "hegui.test"),
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        buildApplication(
            configuration: configuration,
            upstream: upstream,
            tenants: configuration.tenants,
            metricsRegistry: registry,
            dataDirectory: dataDirectory,
            store: store,
            enforcement: enforcement,
            admin: admin,
            users: users,
            labels: labels,
            logger: logger,
            onServerRunning: onServerRunning
        )
    }

    /// Moderation with the built-in sample lexicon and policy (or `moderation`), recording
    /// decisions in `auditLog` when one is given.
    package static func enforcement(
        moderation: GatewayConfiguration.Moderation = GatewayConfiguration.Moderation(),
        auditLog: AuditLog? = nil,
        store: SQLStore? = nil
    ) -> Enforcement {
        let loaded: ModerationLoader.Loaded
        do {
            loaded = try ModerationLoader.load(moderation)
        } catch {
            fatalError("test moderation does not load: \(error)")
        }
        return Enforcement(
            moderation: ModerationState(loaded, configuration: moderation),
            inputRoles: moderation.inputRoles,
            recorder: DecisionRecorder(
                auditLog: auditLog,
                store: store,
                key: UserPseudonym.makeKey(),
                logger: Logger(label: "test")
            )
        )
    }

    /// A chat-completion request body.
    package static func chatBody(
        _ prompt: String = "你好",
        stream: Bool = false,
        user: String? = "user-1",
        extra: String = ""
    )
        -> String
    {
        var body = #"{"model":"test-model","messages":[{"role":"user","content":"\#(prompt)"}]"#
        if stream { body += #","stream":true"# }
        if let user { body += #","user":"\#(user)""# }
        return body + extra + "}"
    }

    /// Headers of an authenticated JSON request.
    package static var headers: HTTPFields {
        [.authorization: "Bearer \(Self.tenantKey)", .contentType: "application/json"]
    }
}
