import Foundation
import HeguiCore
import HeguiMedia
import Yams

extension GatewayConfiguration {
    /// Values given on the command line; they win over the environment and the file.
    package struct Overrides: Sendable {
        package var host: String?
        package var port: Int?
        package var dataDirectory: String?
        package var logLevel: String?
        /// `--lexicon` values; when any are given they replace the configured lexicons.
        package var lexicons: [String]
        package var policyFile: String?

        package init(
            host: String? = nil,
            port: Int? = nil,
            dataDirectory: String? = nil,
            logLevel: String? = nil,
            lexicons: [String] = [],
            policyFile: String? = nil
        ) {
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.logLevel = logLevel
            self.lexicons = lexicons
            self.policyFile = policyFile
        }
    }

    /// Loads the configuration: defaults, then `file` (if any), then `environment`, then `overrides`.
    ///
    /// - Parameters:
    ///   - file: path of `hegui.yaml`, or `nil` to run on defaults.
    ///   - environment: the process environment (`HEGUI_…` variables are read).
    ///   - overrides: command-line values.
    /// - Returns: a validated configuration.
    /// - Throws: ``ConfigurationError`` naming the key and, for the file, the line.
    package static func load(
        file: String?,
        environment: [String: String],
        overrides: Overrides = Overrides()
    ) throws -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(source: file, message: "cannot read the configuration file")
            }
            try configuration.apply(yaml: text, source: file)
        }
        try configuration.apply(environment: environment)
        configuration.apply(overrides)
        try configuration.validate()
        return configuration
    }

    /// Applies a YAML document on top of this configuration.
    package mutating func apply(yaml text: String, source: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.configurationError(for: error, source: source)
        }
        guard let root else { return }  // an empty file leaves the defaults
        var reader = YAMLReader(source: source)
        try reader.read(root, into: &self)
    }

    /// Applies `HEGUI_…` environment variables on top of this configuration.
    package mutating func apply(environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func fail(_ name: String, _ message: String) -> ConfigurationError {
            ConfigurationError(source: name, message: message)
        }
        if let host = value("HEGUI_HOST") { self.server.host = host }
        if let port = value("HEGUI_PORT") {
            guard let number = Int(port), (0...65_535).contains(number) else {
                throw fail("HEGUI_PORT", "must be a port number from 0 to 65535, got '\(port)'")
            }
            self.server.port = number
        }
        if let limit = value("HEGUI_MAX_BODY_BYTES") {
            guard let number = Int(limit), number > 0 else {
                throw fail("HEGUI_MAX_BODY_BYTES", "must be a positive number of bytes, got '\(limit)'")
            }
            self.server.maximumBodyBytes = number
        }
        if let directory = value("HEGUI_DATA_DIR") { self.dataDirectory = directory }
        if let level = value("HEGUI_LOG_LEVEL") { self.logLevel = level }
        if let format = value("HEGUI_LOG_FORMAT") {
            guard let parsed = LogFormat(rawValue: format) else {
                throw fail("HEGUI_LOG_FORMAT", "must be text or json, got '\(format)'")
            }
            self.logFormat = parsed
        }
        if let flag = value("HEGUI_REQUIRE_USER") {
            guard let parsed = Self.parseBool(flag) else {
                throw fail("HEGUI_REQUIRE_USER", "must be true or false, got '\(flag)'")
            }
            self.requireUser = parsed
        }
        if let url = value("HEGUI_UPSTREAM_URL") {
            if self.upstream == nil {
                self.upstream = Upstream(url: url)
            } else {
                self.upstream?.url = url
            }
        }
        if let keyFile = value("HEGUI_UPSTREAM_API_KEY_FILE") {
            self.upstream?.apiKey = try Self.readSecret(path: keyFile, source: "HEGUI_UPSTREAM_API_KEY_FILE", key: nil)
        }
        if let key = value("HEGUI_UPSTREAM_API_KEY") {
            self.upstream?.apiKey = key
        }
        if let lexicons = value("HEGUI_LEXICONS") {
            self.moderation.lexicons = lexicons.split(separator: ":").map(String.init)
        }
        if let policy = value("HEGUI_POLICY") { self.moderation.policyFile = policy }
        if let url = value("HEGUI_STORE_URL") { self.storeURL = url }
        if let url = value("HEGUI_WEBHOOK_URL") { self.complaints.webhookURL = url }
        if let url = value("HEGUI_PUBLIC_URL") { self.server.publicURL = url }
        if let producer = value("HEGUI_LABEL_PRODUCER") {
            do {
                _ = try ProviderCode(producer)
            } catch {
                throw ConfigurationError(source: "HEGUI_LABEL_PRODUCER", message: "\(error)")
            }
            self.labels.producer = producer
        }
        if let secret = value("HEGUI_WEBHOOK_SECRET") { self.complaints.webhookSecret = secret }
        if let flag = value("HEGUI_REQUIRE_AGREEMENT") {
            guard let parsed = Self.parseBool(flag) else {
                throw fail("HEGUI_REQUIRE_AGREEMENT", "must be true or false, got '\(flag)'")
            }
            self.users.requireAgreement = parsed
        }
        if let keyFile = value("HEGUI_AUDIT_SIGNING_KEY_FILE") { self.audit.signingKeyFile = keyFile }
        if let tokenFile = value("HEGUI_ADMIN_TOKEN_FILE") {
            self.adminToken = try Self.readSecret(path: tokenFile, source: "HEGUI_ADMIN_TOKEN_FILE", key: nil)
        }
        if let token = value("HEGUI_ADMIN_TOKEN") { self.adminToken = token }
        if let token = self.adminToken, token.utf8.count < 16 {
            throw fail("HEGUI_ADMIN_TOKEN", "the admin token must be at least 16 characters")
        }
    }

    /// Applies command-line values.
    package mutating func apply(_ overrides: Overrides) {
        if let host = overrides.host { self.server.host = host }
        if let port = overrides.port { self.server.port = port }
        if let directory = overrides.dataDirectory { self.dataDirectory = directory }
        if let level = overrides.logLevel { self.logLevel = level }
        if !overrides.lexicons.isEmpty { self.moderation.lexicons = overrides.lexicons }
        if let policy = overrides.policyFile { self.moderation.policyFile = policy }
    }

    /// Checks values whose validity depends on more than one source.
    package func validate() throws {
        if self.complaints.webhookURL != nil, (self.complaints.webhookSecret?.utf8.count ?? 0) < 16 {
            throw ConfigurationError(
                source: "complaints.webhook_url",
                message:
                    "a webhook needs a secret of at least 16 characters (HEGUI_WEBHOOK_SECRET or complaints.webhook_secret_file)"
            )
        }
        guard (0...65_535).contains(self.server.port) else {
            throw ConfigurationError(source: "configuration", key: "server.port", message: "must be from 0 to 65535")
        }
        guard Self.logLevels.contains(self.logLevel) else {
            throw ConfigurationError(
                source: "configuration",
                key: "log_level",
                message: "must be one of \(Self.logLevels.joined(separator: ", ")), got '\(self.logLevel)'"
            )
        }
        if let upstream = self.upstream {
            guard let url = URL(string: upstream.url), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else {
                throw ConfigurationError(
                    source: "configuration",
                    key: "upstream.url",
                    message:
                        "must be an http:// or https:// URL such as http://127.0.0.1:8000/v1, got '\(upstream.url)'"
                )
            }
        }
        if let days = self.audit.metadataRetentionDays, days < 184, !self.audit.allowShortMetadataRetention {
            throw ConfigurationError(
                source: "configuration",
                key: "audit.metadata_retention_days",
                message: """
                    is \(days) days; OPS-1 requires audit logs to be kept at least six months (184 days). \
                    Set audit.allow_short_metadata_retention: true to accept a shorter period
                    """
            )
        }
        var seen = Set<String>()
        for tenant in self.tenants {
            guard seen.insert(tenant.id).inserted else {
                throw ConfigurationError(
                    source: "configuration",
                    key: "tenants",
                    message: "tenant id '\(tenant.id)' appears twice"
                )
            }
        }
        let digests = self.tenants.map(\.keySHA256)
        guard Set(digests).count == digests.count else {
            throw ConfigurationError(source: "configuration", key: "tenants", message: "two tenants share one key")
        }
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    /// Reads a secret from a file, trimming one trailing newline. The secret never enters an error.
    static func readSecret(path: String, source: String, key: String?, line: Int? = nil) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(source: source, line: line, key: key, message: "cannot read the file '\(path)'")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw ConfigurationError(source: source, line: line, key: key, message: "the file '\(path)' is empty")
        }
        return secret
    }

    private static func configurationError(for error: YamlError, source: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ConfigurationError(
                source: source,
                line: mark.line,
                column: mark.column,
                message: "invalid YAML: \(problem)"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigurationError(
                source: source,
                line: context.mark.line,
                column: context.mark.column,
                message: "duplicate key '\(duplicates.joined(separator: "', '"))'"
            )
        case .reader(let problem, _, _, _):
            return ConfigurationError(source: source, message: "cannot read YAML: \(problem)")
        default:
            return ConfigurationError(source: source, message: "invalid YAML")
        }
    }
}

/// Walks the YAML tree into a ``GatewayConfiguration``, rejecting unknown keys and wrong types with
/// the line they stand on.
struct YAMLReader {
    let source: String

    func error(_ node: Node, _ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(
            source: self.source,
            line: node.mark?.line,
            column: node.mark?.column,
            key: key,
            message: message
        )
    }

    /// The members of a mapping, after checking that every key is one of `allowed`.
    func mapping(_ node: Node, _ key: String, allowed: [String]) throws -> [(String, Node)] {
        guard case .mapping(let mapping) = node else {
            throw self.error(node, key.isEmpty ? "(top level)" : key, "must be a mapping of keys to values")
        }
        var members: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw self.error(keyNode, key, "keys must be plain names")
            }
            let name = scalar.string
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                var message = "unknown key"
                if let suggestion = allowed.min(by: { Self.distance($0, name) < Self.distance($1, name) }),
                    Self.distance(suggestion, name) <= 2
                {
                    message += " (did you mean '\(suggestion)'?)"
                } else {
                    message += "; allowed keys are \(allowed.joined(separator: ", "))"
                }
                throw self.error(keyNode, path, message)
            }
            members.append((path, value))
        }
        return members
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node, scalar.style != .plain || scalar.string != "~" else {
            throw self.error(node, key, "must be a string")
        }
        return scalar.string
    }

    /// A list of strings, or one string.
    func strings(_ node: Node, _ key: String) throws -> [String] {
        if case .sequence(let sequence) = node {
            return try sequence.enumerated().map { index, item in try self.string(item, "\(key)[\(index)]") }
        }
        return [try self.string(node, key)]
    }

    func integer(_ node: Node, _ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string), range.contains(value) else {
            throw self.error(
                node,
                key,
                "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(Self.show(node))"
            )
        }
        return value
    }

    func bool(_ node: Node, _ key: String) throws -> Bool {
        guard case .scalar(let scalar) = node, let value = GatewayConfiguration.parseBool(scalar.string) else {
            throw self.error(node, key, "must be true or false, got \(Self.show(node))")
        }
        return value
    }

    mutating func read(_ root: Node, into configuration: inout GatewayConfiguration) throws {
        let topKeys = [
            "server", "data_dir", "log_level", "log_format", "require_user", "upstream", "models", "tenants", "demo",
            "moderation", "audit", "store", "admin", "users", "minors", "sanctions", "complaints", "labels", "filing",
            "service", "scope", "assessment",
        ]
        for (key, node) in try self.mapping(root, "", allowed: topKeys) {
            switch key {
            case "server":
                let allowed = ["host", "port", "max_body_bytes", "shutdown_grace_seconds", "public_url"]
                for (key, node) in try self.mapping(node, key, allowed: allowed) {
                    switch key {
                    case "server.host": configuration.server.host = try self.string(node, key)
                    case "server.public_url":
                        let url = try self.string(node, key)
                        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                            throw self.error(node, key, "must be an http:// or https:// URL")
                        }
                        configuration.server.publicURL = String(url.reversed().drop { $0 == "/" }.reversed())
                    case "server.port": configuration.server.port = try self.integer(node, key, in: 0...65_535)
                    case "server.max_body_bytes":
                        configuration.server.maximumBodyBytes = try self.integer(node, key, in: 1...(1 << 30))
                    default: configuration.server.shutdownGraceSeconds = try self.integer(node, key, in: 0...3_600)
                    }
                }
            case "data_dir": configuration.dataDirectory = try self.string(node, key)
            case "log_level":
                let level = try self.string(node, key)
                guard GatewayConfiguration.logLevels.contains(level) else {
                    throw self.error(
                        node,
                        key,
                        "must be one of \(GatewayConfiguration.logLevels.joined(separator: ", ")), got '\(level)'"
                    )
                }
                configuration.logLevel = level
            case "log_format":
                let format = try self.string(node, key)
                guard let parsed = GatewayConfiguration.LogFormat(rawValue: format) else {
                    throw self.error(node, key, "must be text or json, got '\(format)'")
                }
                configuration.logFormat = parsed
            case "require_user": configuration.requireUser = try self.bool(node, key)
            case "upstream": configuration.upstream = try self.upstream(node, key)
            case "models": configuration.models = try self.models(node, key)
            case "tenants": configuration.tenants = try self.tenants(node, key)
            case "store":
                for (key, node) in try self.mapping(node, key, allowed: ["url_file"]) {
                    let path = try self.string(node, key)
                    configuration.storeURL = try GatewayConfiguration.readSecret(
                        path: path,
                        source: self.source,
                        key: key,
                        line: node.mark?.line
                    )
                }
            case "admin":
                for (key, node) in try self.mapping(node, key, allowed: ["token_file"]) {
                    let token = try GatewayConfiguration.readSecret(
                        path: try self.string(node, key),
                        source: self.source,
                        key: key,
                        line: node.mark?.line
                    )
                    guard token.utf8.count >= 16 else {
                        throw self.error(node, key, "the admin token must be at least 16 characters")
                    }
                    configuration.adminToken = token
                }
            case "audit":
                let allowed = [
                    "tree_head_interval_seconds", "evidence_retention_days", "metadata_retention_days",
                    "allow_short_metadata_retention", "signing_key_file", "await_commit",
                ]
                for (key, node) in try self.mapping(node, key, allowed: allowed) {
                    switch key {
                    case "audit.evidence_retention_days":
                        configuration.audit.evidenceRetentionDays = try self.integer(node, key, in: 1...36_500)
                    case "audit.metadata_retention_days":
                        // `forever` keeps metadata without end.
                        if node.scalar?.string == "forever" {
                            configuration.audit.metadataRetentionDays = nil
                        } else {
                            configuration.audit.metadataRetentionDays = try self.integer(node, key, in: 1...36_500)
                        }
                    case "audit.allow_short_metadata_retention":
                        configuration.audit.allowShortMetadataRetention = try self.bool(node, key)
                    case "audit.signing_key_file":
                        configuration.audit.signingKeyFile = try self.string(node, key)
                    case "audit.await_commit":
                        configuration.audit.awaitCommit = try self.bool(node, key)
                    default:
                        configuration.audit.treeHeadIntervalSeconds = try self.integer(node, key, in: 1...86_400)
                    }
                }
            case "moderation":
                let allowed = ["lexicons", "policy", "input_roles", "classifiers"]
                for (key, node) in try self.mapping(node, key, allowed: allowed) {
                    switch key {
                    case "moderation.classifiers":
                        configuration.moderation.classifiers = try self.classifiers(node, key)
                    case "moderation.policy": configuration.moderation.policyFile = try self.string(node, key)
                    case "moderation.input_roles":
                        let roles = try self.strings(node, key)
                        guard !roles.isEmpty else { throw self.error(node, key, "must name at least one role") }
                        configuration.moderation.inputRoles = Set(roles)
                    default: configuration.moderation.lexicons = try self.strings(node, key)
                    }
                }
            case "complaints":
                let allowed = [
                    "feedback_working_days", "submissions_per_hour", "trust_forwarded_for", "webhook_url",
                    "webhook_secret_file",
                ]
                for (key, node) in try self.mapping(node, key, allowed: allowed) {
                    switch key {
                    case "complaints.webhook_url":
                        let url = try self.string(node, key)
                        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                            throw self.error(node, key, "must be an http:// or https:// URL")
                        }
                        configuration.complaints.webhookURL = url
                    case "complaints.webhook_secret_file":
                        configuration.complaints.webhookSecret = try GatewayConfiguration.readSecret(
                            path: try self.string(node, key),
                            source: self.source,
                            key: key,
                            line: node.mark?.line
                        )
                    case "complaints.feedback_working_days":
                        configuration.complaints.feedbackWorkingDays = try self.integer(node, key, in: 1...60)
                    case "complaints.submissions_per_hour":
                        configuration.complaints.submissionsPerHour = try self.integer(node, key, in: 1...100_000)
                    default: configuration.complaints.trustForwardedFor = try self.bool(node, key)
                    }
                }
            case "labels": try self.labels(node, key, into: &configuration.labels)
            case "filing": configuration.filing = try self.filing(node, key, into: &configuration.reportText)
            case "assessment": try self.assessment(node, key, into: &configuration.reportText)
            case "scope": configuration.scope = try self.scope(node, key)
            case "service":
                for (key, node) in try self.mapping(node, key, allowed: ["name", "provider", "purpose", "purpose_en"]) {
                    switch key {
                    case "service.name": configuration.service.name = try self.string(node, key)
                    case "service.provider": configuration.service.provider = try self.string(node, key)
                    case "service.purpose": configuration.service.purpose = try self.string(node, key)
                    default: configuration.service.purposeEN = try self.string(node, key)
                    }
                }
            case "users": try self.users(node, key, into: &configuration.users)
            case "minors": try self.minors(node, key, into: &configuration.users.minors)
            case "sanctions": try self.sanctions(node, key, into: &configuration.users)
            default:
                for (key, node) in try self.mapping(node, key, allowed: ["chunk_chars", "chunk_delay_ms"]) {
                    if key == "demo.chunk_chars" {
                        configuration.demo.chunkCharacters = try self.integer(node, key, in: 1...1_000)
                    } else {
                        configuration.demo.chunkDelayMilliseconds = try self.integer(node, key, in: 0...10_000)
                    }
                }
            }
        }
    }

    func classifiers(_ node: Node, _ key: String) throws -> [GatewayConfiguration.Classifier] {
        guard case .sequence(let sequence) = node else { throw self.error(node, key, "must be a list") }
        let allowed = [
            "name", "kind", "url", "model", "api_key_file", "prompt", "unsafe_marker", "labels", "default_risk",
            "action", "directions", "timeout_ms", "max_concurrency", "on_failure", "hold_stream", "stream_characters",
        ]
        var classifiers: [GatewayConfiguration.Classifier] = []
        for (index, item) in sequence.enumerated() {
            let itemKey = "\(key)[\(index)]"
            var classifier = GatewayConfiguration.Classifier(name: "", kind: .httpJSON, url: "")
            var hasKind = false
            func risk(_ node: Node, _ key: String) throws -> RiskCode {
                let text = try self.string(node, key)
                guard let risk = RiskCode(text) else {
                    throw self.error(node, key, "must be a risk code such as A1d or custom.name, got '\(text)'")
                }
                return risk
            }
            for (key, node) in try self.mapping(item, itemKey, allowed: allowed) {
                let field = String(key.dropFirst(itemKey.count + 1))
                switch field {
                case "name": classifier.name = try self.string(node, key)
                case "kind":
                    let text = try self.string(node, key)
                    guard let kind = GatewayConfiguration.Classifier.Kind(rawValue: text) else {
                        throw self.error(node, key, "must be openai_chat or http_json, got '\(text)'")
                    }
                    classifier.kind = kind
                    hasKind = true
                case "url":
                    classifier.url = try self.string(node, key)
                    guard let url = URL(string: classifier.url),
                        ["http", "https"].contains(url.scheme?.lowercased() ?? "")
                    else {
                        throw self.error(node, key, "must be an http:// or https:// URL, got '\(classifier.url)'")
                    }
                case "model": classifier.model = try self.string(node, key)
                case "api_key_file":
                    classifier.apiKey = try GatewayConfiguration.readSecret(
                        path: try self.string(node, key),
                        source: self.source,
                        key: key,
                        line: node.mark?.line
                    )
                case "prompt": classifier.prompt = try self.string(node, key)
                case "unsafe_marker": classifier.unsafeMarker = try self.string(node, key)
                case "labels":
                    guard case .mapping(let mapping) = node else { throw self.error(node, key, "must be a mapping") }
                    classifier.labels = try mapping.map { pair in
                        (try self.string(pair.key, key), try risk(pair.value, key))
                    }
                case "default_risk": classifier.defaultRisk = try risk(node, key)
                case "action":
                    let text = try self.string(node, key)
                    guard let action = ModerationAction(rawValue: text) else {
                        throw self.error(node, key, "must be block, redact, flag or allow, got '\(text)'")
                    }
                    classifier.action = action
                case "directions":
                    let names = try self.strings(node, key)
                    var directions = Set<ModerationDirection>()
                    for name in names {
                        guard let direction = ModerationDirection(rawValue: name) else {
                            throw self.error(node, key, "must list input and/or output, got '\(name)'")
                        }
                        directions.insert(direction)
                    }
                    classifier.directions = directions
                case "timeout_ms": classifier.timeoutMilliseconds = try self.integer(node, key, in: 1...600_000)
                case "max_concurrency": classifier.maximumConcurrency = try self.integer(node, key, in: 1...10_000)
                case "on_failure":
                    let text = try self.string(node, key)
                    guard let failure = GatewayConfiguration.Classifier.Failure(rawValue: text) else {
                        throw self.error(node, key, "must be block or allow, got '\(text)'")
                    }
                    classifier.onFailure = failure
                case "hold_stream": classifier.holdsStream = try self.bool(node, key)
                default: classifier.streamCharacters = try self.integer(node, key, in: 1...100_000)
                }
            }
            guard !classifier.name.isEmpty else { throw self.error(item, "\(itemKey).name", "is required") }
            guard hasKind else { throw self.error(item, "\(itemKey).kind", "is required (openai_chat or http_json)") }
            guard !classifier.url.isEmpty else { throw self.error(item, "\(itemKey).url", "is required") }
            guard !classifiers.contains(where: { $0.name == classifier.name }) else {
                throw self.error(item, "\(itemKey).name", "'\(classifier.name)' appears twice")
            }
            classifiers.append(classifier)
        }
        return classifiers
    }

    func upstream(_ node: Node, _ key: String) throws -> GatewayConfiguration.Upstream? {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
            return nil
        }
        let allowed = [
            "url", "api_key_file", "connect_timeout_ms", "response_timeout_ms", "read_timeout_ms",
            "max_response_bytes", "max_connections", "weight", "backends", "health_check_seconds", "failure_threshold",
            "open_seconds",
        ]
        var upstream = GatewayConfiguration.Upstream(url: "")
        var hasURL = false
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            switch key {
            case "upstream.url":
                upstream.url = try self.string(node, key)
                hasURL = true
            case "upstream.api_key_file":
                let path = try self.string(node, key)
                upstream.apiKey = try GatewayConfiguration.readSecret(
                    path: path,
                    source: self.source,
                    key: key,
                    line: node.mark?.line
                )
            case "upstream.connect_timeout_ms":
                upstream.connectTimeoutMilliseconds = try self.integer(node, key, in: 1...600_000)
            case "upstream.response_timeout_ms":
                upstream.responseTimeoutMilliseconds = try self.integer(node, key, in: 1...3_600_000)
            case "upstream.read_timeout_ms":
                upstream.readTimeoutMilliseconds = try self.integer(node, key, in: 1...3_600_000)
            case "upstream.max_response_bytes":
                upstream.maximumResponseBytes = try self.integer(node, key, in: 1...(1 << 30))
            case "upstream.weight": upstream.weight = try self.integer(node, key, in: 1...1_000)
            case "upstream.health_check_seconds":
                upstream.healthCheckSeconds = try self.integer(node, key, in: 1...3_600)
            case "upstream.failure_threshold": upstream.failureThreshold = try self.integer(node, key, in: 1...1_000)
            case "upstream.open_seconds": upstream.openSeconds = try self.integer(node, key, in: 1...3_600)
            case "upstream.backends":
                guard case .sequence(let items) = node else {
                    throw self.error(node, key, "must be a list of upstreams")
                }
                upstream.backends = try items.enumerated().map { index, item in
                    let itemKey = "\(key)[\(index)]"
                    var backend = GatewayConfiguration.Upstream.Backend(url: "")
                    for (field, value) in try self.mapping(item, itemKey, allowed: ["url", "api_key_file", "weight"]) {
                        switch field.split(separator: ".").last ?? "" {
                        case "url": backend.url = try self.string(value, field)
                        case "weight": backend.weight = try self.integer(value, field, in: 1...1_000)
                        default:
                            backend.apiKey = try GatewayConfiguration.readSecret(
                                path: try self.string(value, field),
                                source: self.source,
                                key: field,
                                line: value.mark?.line
                            )
                        }
                    }
                    guard backend.url.hasPrefix("http://") || backend.url.hasPrefix("https://") else {
                        throw self.error(item, "\(itemKey).url", "must be an http:// or https:// URL")
                    }
                    return backend
                }
            default:
                upstream.maximumConnections = try self.integer(node, key, in: 1...10_000)
            }
        }
        guard hasURL else { throw self.error(node, "\(key).url", "is required when upstream is given") }
        return upstream
    }

    func models(_ node: Node, _ key: String) throws -> [GatewayConfiguration.ModelAlias] {
        guard case .sequence(let sequence) = node else { throw self.error(node, key, "must be a list") }
        var aliases: [GatewayConfiguration.ModelAlias] = []
        for (index, item) in sequence.enumerated() {
            let itemKey = "\(key)[\(index)]"
            var id: String?
            var upstreamModel: String?
            for (key, node) in try self.mapping(item, itemKey, allowed: ["id", "upstream_model"]) {
                if key.hasSuffix(".id") {
                    id = try self.string(node, key)
                } else {
                    upstreamModel = try self.string(node, key)
                }
            }
            guard let id, !id.isEmpty else { throw self.error(item, "\(itemKey).id", "is required") }
            guard !aliases.contains(where: { $0.id == id }) else {
                throw self.error(item, "\(itemKey).id", "'\(id)' appears twice")
            }
            aliases.append(.init(id: id, upstreamModel: upstreamModel ?? id))
        }
        return aliases
    }

    func labels(_ node: Node, _ key: String, into labels: inout GatewayConfiguration.Labels) throws {
        let allowed = [
            "producer", "seal", "key_file", "chat_placement", "chat_text", "image_mark", "image_mark_text",
            "image_mark_position", "image_mark_style", "audio_cue", "audio_cue_voice", "file_lifetime_hours",
        ]
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            switch key {
            case "labels.producer":
                let code = try self.string(node, key)
                do {
                    _ = try ProviderCode(code)
                } catch {
                    throw self.error(
                        node,
                        key,
                        "\(error) (LBL-CODE: 00 + 20-character subject id + 5-character service code)"
                    )
                }
                labels.producer = code
            case "labels.seal":
                let method = try self.string(node, key)
                guard ["ed25519", "hmac-sha256", "none"].contains(method) else {
                    throw self.error(node, key, "must be ed25519, hmac-sha256 or none, got '\(method)'")
                }
                labels.seal = method
            case "labels.key_file": labels.keyFile = try self.string(node, key)
            case "labels.image_mark": labels.imageMark = try self.bool(node, key)
            case "labels.image_mark_text":
                let text = try self.labelText(node, key)
                guard (try? VisibleLabel(text: text)) != nil else {
                    throw self.error(node, key, "uses characters the built-in glyphs lack")
                }
                labels.imageMarkText = text
            case "labels.image_mark_position":
                let text = try self.string(node, key)
                guard VisibleLabel.Position(rawValue: text) != nil else {
                    throw self.error(node, key, "must be top-left, top-right, bottom-left or bottom-right")
                }
                labels.imageMarkPosition = text
            case "labels.image_mark_style":
                let text = try self.string(node, key)
                guard VisibleLabel.Style(rawValue: text) != nil else {
                    throw self.error(node, key, "must be light or dark")
                }
                labels.imageMarkStyle = text
            case "labels.audio_cue":
                let text = try self.string(node, key)
                guard text == "none" || AudioCue.Placement(rawValue: text) != nil else {
                    throw self.error(node, key, "must be start, end, both or none")
                }
                labels.audioCue = text == "none" ? nil : text
            case "labels.audio_cue_voice": labels.audioCueVoice = try self.labelText(node, key)
            case "labels.file_lifetime_hours": labels.fileLifetimeHours = try self.integer(node, key, in: 1...8_760)
            case "labels.chat_placement": labels.chat.placement = try self.placement(node, key)
            default: labels.chat.text = try self.labelText(node, key)
            }
        }
    }

    func placement(_ node: Node, _ key: String) throws -> ChatLabelPolicy.Placement {
        let text = try self.string(node, key)
        guard let placement = ChatLabelPolicy.Placement(rawValue: text) else {
            let names = ChatLabelPolicy.Placement.allCases.map(\.rawValue).joined(separator: ", ")
            throw self.error(node, key, "must be one of \(names), got '\(text)'")
        }
        return placement
    }

    func labelText(_ node: Node, _ key: String) throws -> String {
        let text = try self.string(node, key)
        guard ChatLabelPolicy.isConforming(text) else {
            throw self.error(node, key, "must name AI (人工智能 or AI) and generation (生成 or 合成), GB 45438 5.1")
        }
        return text
    }

    func tenants(_ node: Node, _ key: String) throws -> [GatewayConfiguration.Tenant] {
        guard case .sequence(let sequence) = node else { throw self.error(node, key, "must be a list") }
        var tenants: [GatewayConfiguration.Tenant] = []
        for (index, item) in sequence.enumerated() {
            let itemKey = "\(key)[\(index)]"
            var id: String?
            var name: String?
            var digest: String?
            var refusal = GatewayConfiguration.Refusal.answer
            var policy: String?
            var requestsPerMinute: Int?
            var tokensPerDay: Int?
            var placement: ChatLabelPolicy.Placement?
            var labelText: String?
            let allowed = [
                "id", "name", "key_sha256", "key_file", "refusal", "policy", "requests_per_minute", "tokens_per_day",
                "label_placement", "label_text",
            ]
            for (key, node) in try self.mapping(item, itemKey, allowed: allowed) {
                switch key {
                case "\(itemKey).id": id = try self.string(node, key)
                case "\(itemKey).policy": policy = try self.string(node, key)
                case "\(itemKey).requests_per_minute":
                    requestsPerMinute = try self.integer(node, key, in: 1...10_000_000)
                case "\(itemKey).tokens_per_day": tokensPerDay = try self.integer(node, key, in: 1...Int(Int32.max))
                case "\(itemKey).label_placement": placement = try self.placement(node, key)
                case "\(itemKey).label_text": labelText = try self.labelText(node, key)
                case "\(itemKey).refusal":
                    let text = try self.string(node, key)
                    guard let parsed = GatewayConfiguration.Refusal(rawValue: text) else {
                        throw self.error(node, key, "must be answer or error, got '\(text)'")
                    }
                    refusal = parsed
                case "\(itemKey).name": name = try self.string(node, key)
                case "\(itemKey).key_sha256":
                    let text = try self.string(node, key).lowercased()
                    guard APIKeyDigest.isDigest(text) else {
                        throw self.error(node, key, "must be 64 hex digits (sha256sum of the key)")
                    }
                    digest = text
                default:
                    let path = try self.string(node, key)
                    let secret = try GatewayConfiguration.readSecret(
                        path: path,
                        source: self.source,
                        key: key,
                        line: node.mark?.line
                    )
                    digest = APIKeyDigest.hex(of: secret)
                }
            }
            guard let id, !id.isEmpty else { throw self.error(item, "\(itemKey).id", "is required") }
            guard let digest else { throw self.error(item, itemKey, "needs key_sha256 or key_file") }
            var tenant = GatewayConfiguration.Tenant(
                id: id,
                name: name ?? id,
                keySHA256: digest,
                refusal: refusal,
                policy: policy,
                requestsPerMinute: requestsPerMinute,
                tokensPerDay: tokensPerDay
            )
            if placement != nil || labelText != nil {
                tenant.chatLabels = ChatLabelPolicy(
                    placement: placement ?? .start,
                    text: labelText ?? ChatLabelPolicy.defaultText
                )
            }
            tenants.append(tenant)
        }
        return tenants
    }

    static func show(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// Edit distance, for "did you mean" suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
