import ArgumentParser
import AsyncHTTPClient
import Foundation
import HeguiCore
import HeguiGateway
import HeguiReports
import HeguiStore
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `hegui serve`: runs the gateway until SIGTERM or SIGINT, then shuts down gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway.",
        discussion: """
            With no configuration the gateway listens on http://127.0.0.1:8080, keeps its state in \
            ./hegui-data, serves the built-in demo model and creates a development tenant whose key \
            it prints once and keeps in ./hegui-data/dev-tenant-key.

            Configuration is read from --config, else $HEGUI_CONFIG, else ./hegui.yaml when present; \
            HEGUI_* environment variables override the file and these flags override both.

            Lexicons and the policy are read at start and again on SIGHUP (kill -HUP); a reload that \
            fails keeps the previous ones.
            """
    )

    @Option(help: "Configuration file (YAML). Environment: HEGUI_CONFIG.")
    var config: String?

    @Option(help: "Interface to listen on. Environment: HEGUI_HOST. Default: 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on (0 picks a free one). Environment: HEGUI_PORT. Default: 8080.")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "State directory. Environment: HEGUI_DATA_DIR. Default: ./hegui-data.")
    var dataDirectory: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical. Environment: HEGUI_LOG_LEVEL."
    )
    var logLevel: String?

    @Option(
        name: .customLong("lexicon"),
        help: """
            Lexicon file or directory of .txt/.tsv files (repeatable). Environment: HEGUI_LEXICONS \
            (colon-separated). Default: the built-in sample lexicon.
            """
    )
    var lexicons: [String] = []

    @Option(help: "Moderation policy file (YAML). Environment: HEGUI_POLICY. Default: the built-in policy.")
    var policy: String?

    func run() async throws {
        // A log collector or terminal that goes away must not end the gateway: with SIGPIPE's
        // default action the next log line would kill it. Writes to a closed pipe fail instead
        // (and the log sink drops them).
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let configFile = self.configFile(environment: environment)
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.load(
                file: configFile,
                environment: environment,
                overrides: .init(
                    host: self.host,
                    port: self.port,
                    dataDirectory: self.dataDirectory,
                    logLevel: self.logLevel,
                    lexicons: self.lexicons,
                    policyFile: self.policy
                )
            )
        } catch let error as ConfigurationError {
            Self.fail("configuration error: \(error)")
        }

        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        // Log lines go to standard error from a thread of their own: a stalled log reader must
        // not stall the gateway (LogSink).
        let format: LineLogHandler.Format = configuration.logFormat == .json ? .json : .text
        let sink = LogSink { count in
            LineLogHandler.line(
                format,
                level: .warning,
                label: "hegui",
                source: "hegui",
                message: "\(count) log lines dropped: standard error was not read fast enough",
                metadata: [:]
            )
        }
        Self.logSink.withLockedValue { $0 = sink }
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, level: level, write: sink.write)
        }
        var logger = Logger(label: "hegui")
        logger.logLevel = level

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(GatewayMetrics.makeFactory(registry: registry))

        let dataDirectory: DataDirectory
        let tenants: [GatewayConfiguration.Tenant]
        do {
            dataDirectory = try DataDirectory.prepare(at: configuration.dataDirectory)
            if configuration.tenants.isEmpty {
                let development = try DevelopmentTenant.ensure(in: dataDirectory)
                tenants = [development.tenant]
                let keyPath = dataDirectory.filePath(DevelopmentTenant.keyFileName)
                if let key = development.newKey {
                    Self.say(
                        """
                        Created a development tenant. Its API key (shown once, kept in \(keyPath)):
                        创建了开发租户，API 密钥（仅显示一次，保存在 \(keyPath)）：

                            \(key)

                        """
                    )
                } else {
                    logger.notice("using the development tenant", metadata: ["tenant.key_file": .string(keyPath)])
                }
            } else {
                tenants = configuration.tenants
            }
        } catch {
            Self.fail("\(error)")
        }

        // The store and the tamper-evident audit log (OPS-1, IM-14, IM-19).
        let store: SQLStore
        let auditLog: AuditLog
        do {
            if let url = configuration.storeURL {
                store = try await SQLStore.openPostgres(url: url, logger: logger)
                logger.info("store: PostgreSQL")
            } else {
                store = try await SQLStore.openSQLite(
                    path: dataDirectory.filePath(StoreLocation.sqliteFileName),
                    logger: logger
                )
            }
            auditLog = try AuditLog(
                store: store,
                signingKey: AuditSigningKey.load(file: configuration.audit.signingKeyFile, in: dataDirectory)
            )
            // Tenants whose own interface shows the label are on record: the duty stays with the provider.
            let interfaceLabelled = configuration.tenants.filter {
                ($0.chatLabels ?? configuration.labels.chat).placement == .interface
            }
            _ = try await auditLog.append(
                AuditEventDraft(
                    type: "gateway.started",
                    time: Int64(Date().timeIntervalSince1970 * 1000),
                    details: [
                        "version": Hegui.version,
                        "labels.producer": configuration.labels.producer,
                        "labels.chat_placement": configuration.labels.chat.placement.rawValue,
                        "labels.interface_tenants": interfaceLabelled.map(\.id).joined(separator: ","),
                        "labels.seal": configuration.labels.seal,
                    ]
                )
            )
        } catch {
            Self.fail("store: \(error)")
        }

        // Labels on generated content (IM-12, LBL-4, LBL-5).
        let labels: LabelService
        do {
            labels = try LabelService.load(configuration: configuration.labels, dataDirectory: dataDirectory)
        } catch {
            Self.fail("labels: \(error)")
        }
        if configuration.labels.isPlaceholderProducer {
            logger.warning(
                "labels.producer is not set: labels carry the placeholder provider code \(configuration.labels.producer); set the code from your compliance team (LBL-CODE)"
            )
        }

        // The admin API's token: configured, or kept in the data directory (created once).
        let adminTokenDigest: String
        do {
            let admin = try AdminToken.ensure(configured: configuration.adminToken, in: dataDirectory)
            adminTokenDigest = admin.digest
            let tokenPath = dataDirectory.filePath(AdminToken.fileName)
            if let token = admin.newToken {
                Self.say(
                    """
                    Created the admin API token (shown once, kept in \(tokenPath)):
                    创建了管理接口令牌（仅显示一次，保存在 \(tokenPath)）：

                        \(token)

                    """
                )
            }
        } catch {
            Self.fail("\(error)")
        }

        // The text engine (IM-4, TC-7.7): lexicons and policies, reloaded on SIGHUP.
        let moderation: ModerationState
        do {
            let loaded = try ModerationLoader.load(configuration.moderation)
            moderation = ModerationState(loaded, configuration: configuration.moderation)
            for diagnostic in loaded.diagnostics.prefix(20) {
                logger.warning(
                    "lexicon diagnostic",
                    metadata: ["moderation.diagnostic": .string(diagnostic.locationDescription)]
                )
            }
            if configuration.moderation.lexicons.isEmpty {
                logger.warning(
                    "no lexicon configured: using the built-in SAMPLE lexicon (pass --lexicon for a real one)",
                    metadata: ModerationReloadService.metadata(loaded)
                )
            } else {
                logger.info("moderation loaded", metadata: ModerationReloadService.metadata(loaded))
            }
        } catch {
            Self.fail("moderation: \(error)")
        }

        if let days = configuration.audit.metadataRetentionDays, days < AuditLog.minimumMetadataRetentionDays {
            logger.warning(
                "audit metadata retention is shorter than the six months OPS-1 requires (allowed by audit.allow_short_metadata_retention)",
                metadata: ["audit.metadata_retention_days": "\(days)"]
            )
        }

        // Enforcement in the request path (IM-4, IM-14): decisions recorded in the audit log,
        // users and content named by keyed hashes (IM-11).
        // Classifier models beside the lexicon (TC-8), on their own pooled client.
        var classifierClient: HTTPClient?
        var classifiers: ClassifierSet?
        if !configuration.moderation.classifiers.isEmpty {
            var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            clientConfiguration.timeout.connect = .seconds(2)
            let client = HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: clientConfiguration
            )
            classifierClient = client
            classifiers = ClassifierSet(classifiers: configuration.moderation.classifiers, client: client)
            logger.info(
                "classifier models configured",
                metadata: [
                    "moderation.classifiers": .string(
                        configuration.moderation.classifiers.map(\.name).joined(separator: ",")
                    )
                ]
            )
        }
        let enforcement: Enforcement
        let users: UserServices
        do {
            let pseudonymKey = try PseudonymKey.loadOrCreate(in: dataDirectory)
            // The duties toward end users (issue 6): tenants and keys from the store, the gate
            // (sanctions, agreement, minors' mode, quotas) and the user API.
            users = UserServices(
                configuration: configuration,
                tenants: tenants,
                store: store,
                auditLog: auditLog,
                pseudonymKey: pseudonymKey,
                logger: logger
            )
            enforcement = Enforcement(
                moderation: moderation,
                inputRoles: configuration.moderation.inputRoles,
                recorder: DecisionRecorder(
                    auditLog: auditLog,
                    store: store,
                    key: pseudonymKey,
                    logger: logger,
                    sanctions: users.sanctions,
                    ledger: users.ledger,
                    awaitsCommit: configuration.audit.awaitCommit
                ),
                classifiers: classifiers,
                gate: users.gate
            )
        } catch {
            Self.fail("\(error)")
        }

        // Services stop in reverse order: the HTTP server first, the store last.
        var services: [any Service] = [StoreService(store: store)]
        services.append(
            AuditTreeHeadService(
                log: auditLog,
                interval: .seconds(configuration.audit.treeHeadIntervalSeconds),
                logger: logger
            )
        )
        services.append(
            EvidenceRetentionService(
                log: auditLog,
                retentionDays: configuration.audit.evidenceRetentionDays,
                metadataRetentionDays: configuration.audit.metadataRetentionDays,
                interval: .seconds(3_600),
                logger: logger
            )
        )
        services.append(await ModerationReloadService(state: moderation, logger: logger, auditLog: auditLog))
        services.append(UsageLedgerService(ledger: users.ledger))
        if let url = configuration.complaints.webhookURL, let secret = configuration.complaints.webhookSecret {
            var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            clientConfiguration.timeout.connect = .seconds(5)
            let client = HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: clientConfiguration
            )
            services.append(HTTPClientService(client: client))
            services.append(
                WebhookDeliveryService(
                    store: store,
                    url: url,
                    secret: Array(secret.utf8),
                    client: client,
                    logger: logger
                )
            )
            logger.info("notifications go to a webhook", metadata: ["webhook.url": .string(Self.redactedURL(url))])
        }
        services.append(
            ComplaintSLAService(
                complaints: users.complaints,
                factory: GatewayMetrics.makeFactory(registry: registry),
                interval: .seconds(60),
                logger: logger
            )
        )
        if !configuration.filing.events.isEmpty {
            services.append(
                FilingReminderService(
                    status: FilingStatus(schedule: configuration.filing, calendar: configuration.users.calendar),
                    factory: GatewayMetrics.makeFactory(registry: registry),
                    interval: .seconds(3_600),
                    logger: logger
                )
            )
        }
        if let classifierClient { services.append(HTTPClientService(client: classifierClient)) }
        let upstream: any ModelUpstream
        if let upstreamConfiguration = configuration.upstream {
            let client = HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: HTTPModelUpstream.clientConfiguration(for: upstreamConfiguration)
            )
            services.append(HTTPClientService(client: client))
            let primary = HTTPModelUpstream(configuration: upstreamConfiguration, client: client)
            if upstreamConfiguration.backends.isEmpty {
                upstream = primary
            } else {
                // Several upstreams for the same models: shared by weight, with failover, circuit
                // breaking and active health checks (IM-13).
                var members = [
                    UpstreamPool.Member(
                        name: UpstreamPool.name(of: upstreamConfiguration.url),
                        upstream: primary,
                        weight: upstreamConfiguration.weight
                    )
                ]
                for backend in upstreamConfiguration.backends {
                    var settings = upstreamConfiguration
                    settings.url = backend.url
                    settings.apiKey = backend.apiKey
                    members.append(
                        UpstreamPool.Member(
                            name: UpstreamPool.name(of: backend.url),
                            upstream: HTTPModelUpstream(configuration: settings, client: client),
                            weight: backend.weight
                        )
                    )
                }
                let pool = UpstreamPool(
                    members: members,
                    failureThreshold: upstreamConfiguration.failureThreshold,
                    openDuration: .seconds(upstreamConfiguration.openSeconds),
                    factory: GatewayMetrics.makeFactory(registry: registry)
                )
                services.append(
                    UpstreamHealthService(
                        pool: pool,
                        interval: .seconds(upstreamConfiguration.healthCheckSeconds),
                        logger: logger
                    )
                )
                upstream = pool
            }
            logger.info(
                "forwarding to upstream model",
                metadata: [
                    "upstream.url": .string(Self.redactedURL(upstreamConfiguration.url)),
                    "upstream.backends": .stringConvertible(upstreamConfiguration.backends.count + 1),
                ]
            )
        } else {
            upstream = DemoModel(
                chunkCharacters: configuration.demo.chunkCharacters,
                chunkDelay: .milliseconds(configuration.demo.chunkDelayMilliseconds)
            )
            logger.warning(
                "no upstream configured: serving the built-in DEMO model (set HEGUI_UPSTREAM_URL for a real one)"
            )
        }

        let app = buildApplication(
            configuration: configuration,
            upstream: upstream,
            tenants: tenants,
            metricsRegistry: registry,
            dataDirectory: dataDirectory,
            store: store,
            enforcement: enforcement,
            admin: AdminAccess(tokenDigest: adminTokenDigest, auditLog: auditLog),
            users: users,
            labels: labels,
            logger: logger,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.server.port
                Self.say("Hegui is listening on http://\(configuration.server.host):\(port)  (网关已启动)")
            }
        )
        services.append(app)

        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.server.shutdownGraceSeconds)
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("stopped")
        sink.flush()
    }

    /// The process's log sink once `serve` has set it up, flushed before a failure exits.
    static let logSink = NIOLockedValueBox<LogSink?>(nil)

    /// --config, else $HEGUI_CONFIG, else ./hegui.yaml when it exists.
    func configFile(environment: [String: String]) -> String? {
        configurationFile(self.config, environment: environment)
    }

    /// The URL without any user-info part, for logs.
    static func redactedURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "(unparseable)" }
        components.user = nil
        components.password = nil
        components.query = nil
        return components.string ?? "(unparseable)"
    }

    /// Writes a line to standard output unbuffered, so it reaches a pipe or log collector at once.
    static func say(_ line: String) {
        // Nobody may be reading any more (see SIGPIPE above): then the line is lost, nothing else.
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }

    static func fail(_ message: String) -> Never {
        Self.logSink.withLockedValue { $0 }?.flush()
        try? FileHandle.standardError.write(contentsOf: Data("hegui: \(message)\n".utf8))
        Foundation.exit(78)  // EX_CONFIG
    }
}

/// Closes the store after every other service has stopped.
struct StoreService: Service {
    let store: SQLStore

    func run() async throws {
        try? await gracefulShutdown()
        await self.store.close()
    }
}

/// Owns the upstream HTTP client's lifetime: it shuts the client down after the HTTP server, which
/// stands later in the service group, has stopped.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await self.client.shutdown()
    }
}
