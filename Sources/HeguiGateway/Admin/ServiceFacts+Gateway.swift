package import HeguiCore
package import HeguiReports
package import HeguiStore

extension ServiceFacts {
    /// The facts the configuration and the moderation engine in force give.
    package init(configuration: GatewayConfiguration, engine: ModerationEngine, policyVersion: String) {
        self.init()
        let service = configuration.service
        self.name = service.name
        self.provider = service.provider
        self.purpose = service.purpose
        self.purposeEN = service.purposeEN
        self.publicURL = configuration.server.publicURL
        self.models =
            configuration.models.isEmpty
            ? (configuration.upstream == nil ? [("hegui-demo", "hegui-demo")] : [])
            : configuration.models.map { ($0.id, $0.upstreamModel) }
        self.filingNumbers = configuration.filing.numbers

        self.policyName = engine.policies.defaultPolicy
        self.policyVersion = policyVersion
        self.termsByRisk = Dictionary(
            uniqueKeysWithValues: engine.lexicon.termCounts.map { ($0.key.rawValue, $0.value) }
        )
        self.allowedTerms = engine.lexicon.allowedTermCount
        self.classifiers = configuration.moderation.classifiers.map { "\($0.name) (\($0.kind.rawValue))" }
        self.inputRoles = configuration.moderation.inputRoles.map { $0.sorted().joined(separator: ", ") } ?? "user"

        let labels = configuration.labels
        self.labelProducer = labels.producer
        self.labelProducerIsPlaceholder = labels.isPlaceholderProducer
        self.chatLabel = DisclosurePageController.labelling(labels.chat)
        self.imageMark = labels.imageMark ? labels.imageMarkText : nil
        self.audioCue = labels.audioCue
        self.labelSeal = labels.seal

        if let base = configuration.server.publicURL {
            self.complaintsURL = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/complaints"
        } else {
            self.complaintsURL = "/complaints"
        }
        self.complaintWorkingDays = configuration.complaints.feedbackWorkingDays
        let users = configuration.users
        self.rightsRequestWorkingDays = users.rightsRequestWorkingDays
        self.appealWorkingDays = users.appealWorkingDays
        self.requireUser = configuration.requireUser
        self.requireAgreement = users.requireAgreement
        self.requestsPerMinute = users.requestsPerMinute
        self.tokensPerDay = users.tokensPerDay
        self.trainingConsentDefault = users.trainingConsentDefault
        if users.minors.isEnabled {
            let limits = users.minors.bands.compactMap { band in
                band.dailyMinutes.map { "\(DisclosurePageController.bandName(band.name)) \($0)" }
            }
            let curfew = users.minors.curfew.map {
                "\(DisclosurePageController.clock($0.startMinute))–\(DisclosurePageController.clock($0.endMinute))"
            }
            self.minors = (
                "已开启；每日时长（分钟）\(limits.joined(separator: "，"))" + (curfew.map { "；夜间 \($0) 暂停" } ?? ""),
                "on; daily minutes \(limits.joined(separator: ", "))" + (curfew.map { "; no service \($0)" } ?? "")
            )
        } else {
            self.minors = ("未开启", "off")
        }
        self.sanctionsLadder = Self.describe(users.sanctions)
        self.metadataRetentionDays = configuration.audit.metadataRetentionDays
        self.evidenceRetentionDays = configuration.audit.evidenceRetentionDays
    }

    /// Adds what the store and the audit log hold: end users, the log's size and newest signed head.
    package mutating func read(store: SQLStore, treeHeads: [SignedTreeHead], publicKey: [UInt8]?) async throws {
        let counts = try await store.endUserCounts(tenant: nil)
        self.endUsers = (counts.total, counts.verified, counts.minors)
        self.auditEvents = try await store.auditEventCount()
        self.treeHead = treeHeads.max { $0.treeSize < $1.treeSize }
        self.auditPublicKey = publicKey.map { HexEncoding.encode($0) }
    }

    /// The ladder in words, rung by rung.
    static func describe(_ ladder: SanctionsLadder) -> (zh: String, en: String) {
        guard ladder.isEnabled else { return ("未开启自动处置。", "no automatic sanctions.") }
        var zh: [String] = []
        var en: [String] = []
        for rule in ladder.rules {
            let (levelZH, levelEN): (String, String) =
                switch rule.level {
                case .warning: ("警示", "warning")
                case .restriction: ("限制功能", "restriction")
                case .suspension: ("暂停服务", "suspension")
                case .termination: ("终止服务", "termination")
                }
            let (whenZH, whenEN): (String, String) =
                switch rule.trigger {
                case .daily(let count): ("单日违规 \(count) 次", "\(count) violations in a day")
                case .consecutive(let count): ("连续违规 \(count) 次", "\(count) violations in a row")
                case .suspensions(let count, let days):
                    ("\(days) 天内暂停 \(count) 次", "\(count) suspensions in \(days) days")
                }
            zh.append("\(whenZH)→\(levelZH)")
            en.append("\(whenEN) → \(levelEN)")
        }
        return (zh.joined(separator: "；") + "。", en.joined(separator: "; ") + ".")
    }
}
