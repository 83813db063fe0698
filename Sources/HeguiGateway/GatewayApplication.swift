import HeguiCore
import HeguiReports
package import HeguiStore
package import Hummingbird
package import Logging
package import NIOCore
package import Prometheus

/// Builds the gateway's HTTP application. The CLI, the tests and any other entry point share it.
///
/// ```swift
/// let app = buildApplication(
///     configuration: configuration, upstream: DemoModel(), tenants: tenants,
///     metricsRegistry: PrometheusCollectorRegistry(), dataDirectory: nil,
///     enforcement: enforcement, logger: logger
/// )
/// try await app.runService()
/// ```
/// - Parameters:
///   - configuration: the validated configuration (address, limits, aliases).
///   - upstream: where model requests go.
///   - tenants: the apps allowed to call (configured ones, or the development tenant).
///   - metricsRegistry: the registry `/metrics` renders and the gateway's metrics record into.
///   - dataDirectory: checked by `/readyz`; `nil` when the gateway keeps no state.
///   - enforcement: the moderation engine in force and where its decisions are recorded.
///   - admin: the admin API's token and audit log; `nil` serves no `/admin` routes.
///   - users: tenants and keys from the store, the end-user API and public pages (issue 6);
///     `nil` for configured tenants only.
///   - labels: labels generated content; `nil` labels chat answers under `configuration.labels`
///     without sealing files.
///   - logger: the application's logger; requests get children of it.
///   - onServerRunning: called with the listening channel (tests read the bound port from it).
package func buildApplication(
    configuration: GatewayConfiguration,
    upstream: any ModelUpstream,
    tenants: [GatewayConfiguration.Tenant],
    metricsRegistry: PrometheusCollectorRegistry,
    dataDirectory: DataDirectory?,
    store: SQLStore? = nil,
    enforcement: Enforcement,
    admin: AdminAccess? = nil,
    users: UserServices? = nil,
    labels: LabelService? = nil,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(
            configuration: configuration,
            upstream: upstream,
            tenants: tenants,
            metricsRegistry: metricsRegistry,
            dataDirectory: dataDirectory,
            store: store,
            enforcement: enforcement,
            admin: admin,
            users: users,
            labels: labels
        ),
        configuration: .init(
            address: .hostname(configuration.server.host, port: configuration.server.port),
            serverName: "Hegui"
        ),
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The gateway's routes and middleware (see ``buildApplication(configuration:upstream:tenants:metricsRegistry:dataDirectory:store:enforcement:admin:users:labels:logger:onServerRunning:)``):
/// every route the gateway serves, which the OpenAPI document at `/openapi.yaml` must describe.
package func buildRouter(
    configuration: GatewayConfiguration,
    upstream: any ModelUpstream,
    tenants: [GatewayConfiguration.Tenant],
    metricsRegistry: PrometheusCollectorRegistry,
    dataDirectory: DataDirectory?,
    store: SQLStore? = nil,
    enforcement: Enforcement,
    admin: AdminAccess? = nil,
    users: UserServices? = nil,
    labels: LabelService? = nil
) -> Router<GatewayRequestContext> {
    let metrics = GatewayMetrics(factory: GatewayMetrics.makeFactory(registry: metricsRegistry))
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    router.add(middleware: ErrorMiddleware(maximumBodyBytes: configuration.server.maximumBodyBytes))

    OperationsController(
        readiness: ReadinessProbe(upstream: upstream, dataDirectory: dataDirectory, store: store),
        registry: metricsRegistry
    ).addRoutes(to: router)
    OpenAPIDocument.addRoutes(to: router)

    let authentication =
        users.map { TenantAuthMiddleware(directory: $0.directory) } ?? TenantAuthMiddleware(tenants: tenants)
    let api = router.group("v1").add(middleware: authentication)
    let modelAPI = ModelAPIController(
        configuration: configuration,
        upstream: upstream,
        metrics: metrics,
        enforcement: enforcement,
        labels: labels
    )
    modelAPI.addRoutes(to: api)
    // Generated images and speech, labelled (IM-12, LBL-4, LBL-5).
    let generated = GeneratedFiles(dataDirectory: dataDirectory, lifetimeHours: configuration.labels.fileLifetimeHours)
    MediaAPIController(model: modelAPI, files: generated, configuration: configuration).addRoutes(to: api)
    MediaAPIController.addPublicRoutes(to: router, files: generated, labels: modelAPI.labels)
    ModerationAPIController(enforcement: enforcement, metrics: metrics).addRoutes(to: api)
    let userAPI = users.map {
        UserAPIController(
            users: $0.users,
            sanctions: $0.sanctions,
            gate: $0.gate,
            directory: $0.directory,
            maximumBodyBytes: configuration.server.maximumBodyBytes
        )
    }
    let complaintAPI = users.map {
        ComplaintAPIController(complaints: $0.complaints, maximumBodyBytes: configuration.server.maximumBodyBytes)
    }
    if let users, let userAPI, let complaintAPI {
        userAPI.addTenantRoutes(to: api.group("hegui"))
        complaintAPI.addTenantRoutes(to: api)
        TakedownAPIController(takedowns: users.takedowns, maximumBodyBytes: configuration.server.maximumBodyBytes)
            .addTenantRoutes(to: api)
        PublicPagesController(store: users.store).addRoutes(to: router)
        ComplaintPagesController(
            complaints: users.complaints,
            key: users.key,
            trustsForwardedFor: configuration.complaints.trustForwardedFor
        ).addRoutes(to: router)
    }

    DisclosurePageController(configuration: configuration, hasUserPages: users != nil).addRoutes(to: router)

    if let admin {
        let group = router.group("admin").add(
            middleware: AdminAuthMiddleware(tokenDigest: admin.tokenDigest, auditLog: admin.auditLog)
        )
        AdminAuditController(auditLog: admin.auditLog).addRoutes(to: group.group("audit"))
        AdminPolicyController(moderation: enforcement.moderation, auditLog: admin.auditLog)
            .addRoutes(to: group.group("policy"))
        FilingStatus(schedule: configuration.filing, calendar: configuration.users.calendar).addRoutes(to: group)
        if let store = store ?? users?.store {
            ReportsController(
                collector: StatisticsCollector(store: store),
                store: store,
                configuration: configuration,
                moderation: enforcement.moderation,
                auditLog: admin.auditLog
            ).addRoutes(to: group)
        }
        if let users, let userAPI {
            AdminTenantController(
                store: users.store,
                directory: users.directory,
                auditLog: admin.auditLog,
                maximumBodyBytes: configuration.server.maximumBodyBytes
            ).addRoutes(to: group.group("tenants"))
            userAPI.addAdminRoutes(to: group)
            complaintAPI?.addAdminRoutes(to: group)
            TakedownAPIController(takedowns: users.takedowns, maximumBodyBytes: configuration.server.maximumBodyBytes)
                .addAdminRoutes(to: group)
        }
    }

    return router
}

/// What the admin API needs: the SHA-256 of its bearer token and the audit log every call is
/// recorded in.
package struct AdminAccess: Sendable {
    package var tokenDigest: String
    package var auditLog: AuditLog

    package init(tokenDigest: String, auditLog: AuditLog) {
        self.tokenDigest = tokenDigest
        self.auditLog = auditLog
    }
}
