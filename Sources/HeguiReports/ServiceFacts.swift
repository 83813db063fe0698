package import HeguiCore

/// What the gateway knows of the service, in the words a report uses: read from the
/// configuration, the moderation engine in force, the store and the audit log by the caller
/// (the gateway or the CLI), so that the reports here depend on none of them.
package struct ServiceFacts: Sendable {
    package var name = ""
    package var provider = ""
    package var purpose = ""
    package var purposeEN = ""
    /// Where the gateway is reached from outside (`server.public_url`), if configured.
    package var publicURL: String?
    /// The model names apps ask for, each with what it is sent to upstream.
    package var models: [(name: String, upstream: String)] = []
    /// The filing numbers (OPS-4.5).
    package var filingNumbers: [String] = []

    /// Moderation (IM-14, TC-7, TC-8).
    package var policyName = ""
    package var policyVersion = ""
    /// Lexicon terms per risk code (TC-8.1), allowed terms left out.
    package var termsByRisk: [String: Int] = [:]
    package var allowedTerms = 0
    /// The classifier models, by name and kind.
    package var classifiers: [String] = []
    /// Whether inputs, answers and streams are checked (always, in Hegui), and which roles of a
    /// conversation the input check reads.
    package var inputRoles = "user"

    /// Labels (IM-12, LBL-4, LBL-5).
    package var labelProducer = ""
    package var labelProducerIsPlaceholder = false
    package var chatLabel = (zh: "", en: "")
    package var imageMark: String?
    package var audioCue: String?
    package var labelSeal = ""

    /// The complaint channel (IM-15) and the time limits for users (IM-11.5).
    package var complaintsURL: String?
    package var complaintWorkingDays = 0
    package var rightsRequestWorkingDays = 0
    package var appealWorkingDays = 0

    /// End users (IM-9, IM-10, IM-14.4).
    package var requireUser = true
    package var requireAgreement = false
    package var minors = (zh: "未开启", en: "off")
    package var sanctionsLadder = (zh: "", en: "")
    package var requestsPerMinute: Int?
    package var tokensPerDay: Int?
    package var trainingConsentDefault = false

    /// Retention (OPS-1).
    package var metadataRetentionDays: Int?
    package var evidenceRetentionDays: Int?

    /// End users known to the store: all, with verified identity, and minors.
    package var endUsers: (total: Int, verified: Int, minors: Int)?
    /// The audit log: events, and the newest signed tree head with the key that verifies it.
    package var auditEvents: UInt64?
    package var treeHead: SignedTreeHead?
    package var auditPublicKey: String?

    package init() {}

    /// All lexicon terms that flag, redact or block.
    package var totalTerms: Int { self.termsByRisk.values.reduce(0, +) }
}

/// The provider's own words for the parts of a report Hegui cannot know (who is responsible, how
/// identities are checked, how it works with the authorities…); `hegui.yaml`'s `filing` and
/// `assessment` sections. An empty text is shown as still to be written, never made up.
package struct OperatorText: Sendable, Hashable {
    /// Filing (OPS-4.1): the algorithm's type, where it is used, its principle and mechanism, and
    /// the provider's security measures beyond Hegui's.
    package var algorithmType = ""
    package var scenarios: [String] = []
    package var principle = ""
    package var securityMeasures = ""
    /// The models behind the service with their versions and registrations (TC-6.1).
    package var models: [Model] = []

    /// The security assessment (OPS-5, SA-3, SA-5).
    package var trigger: AssessmentTrigger?
    package var securityOfficer = ""
    package var reviewers = ""
    package var organisation = ""
    package var identityVerification = ""
    package var logRetention = ""
    package var cooperationCAC = ""
    package var cooperationPolice = ""
    package var conclusion = ""

    package struct Model: Sendable, Hashable {
        package var name: String
        package var version: String
        package var baseModel: String
        /// The large-model filing or registration number of the model (or its base model).
        package var registration: String

        package init(name: String, version: String = "", baseModel: String = "", registration: String = "") {
            self.name = name
            self.version = version
            self.baseModel = baseModel
            self.registration = registration
        }
    }

    package init() {}
}

/// Why a security self-assessment is due (SA-3, items 1–5).
package enum AssessmentTrigger: String, Sendable, Hashable, CaseIterable {
    case launch
    case majorChange = "major_change"
    case userGrowth = "user_growth"
    case harmfulSpread = "harmful_spread"
    case authorityRequest = "authority_request"

    package var names: (zh: String, en: String) {
        switch self {
        case .launch: ("具有舆论属性或社会动员能力的信息服务上线", "the service or feature goes online")
        case .majorChange:
            ("新技术新应用导致功能、技术实现或基础资源重大变更", "new technology causes a major change")
        case .userGrowth: ("用户规模显著增加", "user numbers grow markedly")
        case .harmfulSpread:
            ("发生违法有害信息传播扩散，现有措施难以控制风险", "illegal or harmful information spreads")
        case .authorityRequest: ("地市级以上网信部门或公安机关书面要求", "a written request of the authorities")
        }
    }

    /// Its item in SA-3.
    package var item: Int {
        switch self {
        case .launch: 1
        case .majorChange: 2
        case .userGrowth: 3
        case .harmfulSpread: 4
        case .authorityRequest: 5
        }
    }
}
