package import HeguiCore
package import HeguiReports

/// Everything `hegui serve` needs to start, already validated.
///
/// Built by ``GatewayConfiguration/load(file:environment:overrides:)`` from `hegui.yaml`, the
/// environment and command-line flags, in rising precedence; tests build it directly.
package struct GatewayConfiguration: Sendable {
    /// The listening socket and request limits.
    package struct Server: Sendable {
        /// Interface to bind (`127.0.0.1` by default; `0.0.0.0` for all).
        package var host: String = "127.0.0.1"
        /// Port to bind; 0 picks a free one.
        package var port: Int = 8080
        /// Largest request body accepted, in bytes (413 beyond).
        package var maximumBodyBytes: Int = 1 << 20
        /// The address apps reach the gateway at (`https://ai.example.com`), for the URLs of
        /// labelled files; `nil` uses the request's Host.
        package var publicURL: String?
        /// How long in-flight requests and streams may run on after SIGTERM/SIGINT.
        package var shutdownGraceSeconds: Int = 30

        package init() {}
    }

    /// The OpenAI-compatible model the gateway stands in front of.
    package struct Upstream: Sendable {
        /// The API base, e.g. `http://127.0.0.1:8000/v1`; `/chat/completions` is appended.
        package var url: String
        /// The upstream's API key, held by the gateway only (from the environment or a file).
        package var apiKey: String?
        /// Time allowed to open a connection.
        package var connectTimeoutMilliseconds: Int = 5_000
        /// Time allowed from sending a request to receiving the response head.
        package var responseTimeoutMilliseconds: Int = 120_000
        /// Longest silence allowed between two reads of a response (a stalled stream ends after it).
        package var readTimeoutMilliseconds: Int = 120_000
        /// Largest non-streaming response accepted from the upstream, in bytes.
        package var maximumResponseBytes: Int = 32 << 20
        /// Connections kept per upstream host.
        package var maximumConnections: Int = 64
        /// This upstream's share of requests when there are `backends` too.
        package var weight = 1
        /// More upstreams serving the same models (IM-13 service continuity): requests are shared
        /// by weight, a backend that refuses connections is skipped for the next, and a failing
        /// one is taken out until it recovers.
        package var backends: [Backend] = []
        /// Seconds between active health checks of each backend.
        package var healthCheckSeconds = 10
        /// Consecutive failures that take a backend out (its circuit opens).
        package var failureThreshold = 3
        /// Seconds a backend stays out before one request tries it again.
        package var openSeconds = 30

        /// One more upstream serving the same models.
        package struct Backend: Sendable, Hashable {
            package var url: String
            package var apiKey: String?
            package var weight: Int

            package init(url: String, apiKey: String? = nil, weight: Int = 1) {
                self.url = url
                self.apiKey = apiKey
                self.weight = weight
            }
        }

        package init(url: String, apiKey: String? = nil) {
            self.url = url
            self.apiKey = apiKey
        }
    }

    /// A model name offered to apps, and the upstream model it maps to.
    package struct ModelAlias: Sendable, Hashable {
        /// The name apps use.
        package var id: String
        /// The name sent to the upstream.
        package var upstreamModel: String

        package init(id: String, upstreamModel: String) {
            self.id = id
            self.upstreamModel = upstreamModel
        }
    }

    /// An app allowed to call the gateway, known by the SHA-256 of its key.
    package struct Tenant: Sendable, Hashable {
        /// Stable tenant id used in logs, metrics and (later) the audit log.
        package var id: String
        /// Display name.
        package var name: String
        /// Lower-case hex SHA-256 of the tenant's API key.
        package var keySHA256: String
        /// How a refused request is answered (issue 5 item 1).
        package var refusal: Refusal = .answer
        /// The moderation policy the tenant's traffic runs under; `nil` for the policy file's choice.
        package var policy: String?
        /// Requests allowed per minute over all the tenant's users; `nil` for no limit.
        package var requestsPerMinute: Int?
        /// Tokens (prompt and completion) allowed per local day; `nil` for no budget.
        package var tokensPerDay: Int?
        /// How this tenant's chat answers are labelled; `nil` for `labels.chat_*` (IM-12, LBL-4.1).
        package var chatLabels: ChatLabelPolicy?

        package init(
            id: String,
            name: String,
            keySHA256: String,
            refusal: Refusal = .answer,
            policy: String? = nil,
            requestsPerMinute: Int? = nil,
            tokensPerDay: Int? = nil
        ) {
            self.id = id
            self.name = name
            self.keySHA256 = keySHA256
            self.refusal = refusal
            self.policy = policy
            self.requestsPerMinute = requestsPerMinute
            self.tokensPerDay = tokensPerDay
        }
    }

    /// How a request refused by input moderation is answered.
    package enum Refusal: String, Sendable, Hashable, CaseIterable {
        /// A normal chat completion (or stream) whose answer is the compliant answer (代答), with
        /// `finish_reason: "content_filter"`: the app shows it like any answer.
        case answer
        /// A 400 error with code `content_filter`.
        case error
    }

    /// The built-in demo model's pacing.
    package struct Demo: Sendable {
        /// Characters per stream chunk.
        package var chunkCharacters: Int = 4
        /// Pause between stream chunks.
        package var chunkDelayMilliseconds: Int = 15

        package init() {}
    }

    /// The text engine's lexicons and policies (IM-4, TC-7.7, TC-8).
    package struct Moderation: Sendable {
        /// Lexicon files or directories of them; none loads the built-in sample lexicon.
        package var lexicons: [String] = []
        /// The policy file; `nil` runs the built-in policy.
        package var policyFile: String?
        /// The message roles whose content is checked on input; `nil` checks every role
        /// (system, developer, user, assistant, tool).
        package var inputRoles: Set<String>?
        /// External classifier models run beside the lexicon (TC-8 asks for both).
        package var classifiers: [Classifier] = []

        package init() {}
    }

    /// An external moderation service (issue 5 item 4): an OpenAI-compatible guard model
    /// (Qwen3Guard, Llama Guard served by vLLM…) or a generic HTTP JSON endpoint.
    package struct Classifier: Sendable {
        package enum Kind: String, Sendable, CaseIterable {
            /// `POST <url>/chat/completions` with the prompt template; the answer's text is read
            /// for ``unsafeMarker`` and ``labels``.
            case openaiChat = "openai_chat"
            /// `POST <url>` with `{"text","direction"}`; the answer is `{"flagged":bool,
            /// "categories":{"A1d":true,…}}` or `{"risks":["A1d",…]}`.
            case httpJSON = "http_json"
        }

        /// What to do when the classifier fails or times out.
        package enum Failure: String, Sendable, CaseIterable {
            /// Refuse what could not be checked (the default: fail-closed).
            case block
            /// Let it through; the failure is still audited.
            case allow
        }

        package var name: String
        package var kind: Kind
        package var url: String
        package var model: String = ""
        package var apiKey: String?
        /// The user message sent to a guard model; `{text}` stands for the text checked.
        package var prompt: String = "{text}"
        /// Text in the guard model's answer that means "unsafe" (case-insensitive).
        package var unsafeMarker: String = "unsafe"
        /// Text in the guard model's answer → the risk it stands for (case-insensitive).
        package var labels: [(label: String, risk: RiskCode)] = []
        /// The risk of an unsafe answer no label names.
        package var defaultRisk: RiskCode = RiskCode("A1h")!
        /// The action for a hit, before the policy's rules (`block` unless set).
        package var action: ModerationAction = .block
        package var directions: Set<ModerationDirection> = [.input, .output]
        package var timeoutMilliseconds = 3_000
        package var maximumConcurrency = 16
        package var onFailure: Failure = .block
        /// Streams: whether text waits for the classifier (sentence by sentence) before it is
        /// shown; otherwise it is checked alongside and a hit retracts what was shown.
        package var holdsStream = false
        /// Streams: check at least every this many characters (and at each sentence end).
        package var streamCharacters = 200

        package init(name: String, kind: Kind, url: String) {
            self.name = name
            self.kind = kind
            self.url = url
        }
    }

    /// The tamper-evident audit log.
    package struct Audit: Sendable {
        /// How often a tree head is signed over the log (and once more at shutdown).
        package var treeHeadIntervalSeconds = 300
        /// How long evidence (the content of a violation or complaint) is kept beside its event,
        /// in days; the events themselves are kept (OPS-1 asks for at least six months).
        package var evidenceRetentionDays = 180
        /// How long audit events keep their metadata, in days; then only each event's sequence
        /// number, time and leaf hash remain, so the log still verifies (OPS-1: at least six
        /// months; 186 covers any six calendar months with margin). `nil` keeps it for ever.
        package var metadataRetentionDays: Int? = 186
        /// Accepts a metadata retention shorter than six months (184 days). Off by default: OPS-1
        /// requires six months; turning it on is logged as a warning at every start.
        package var allowShortMetadataRetention = false
        /// The Ed25519 key that signs tree heads, from an operator's file (64 hex digits); `nil`
        /// keeps (and on first start creates) `<data dir>/audit-signing-key`. Replicas sharing one
        /// PostgreSQL log share one key.
        package var signingKeyFile: String?
        /// Whether an answer waits until its decision is committed (OPS-1: a crash, even SIGKILL,
        /// loses no event of an answer an app received). `false` queues the events of ordinary
        /// answers and gate refusals (violations, sanctions, complaints and admin calls are always
        /// committed first): about 1–3 ms less per request on SQLite, at the price of losing the
        /// records of the last moments' answers in a crash.
        package var awaitCommit = true

        package init() {}
    }

    /// The duties toward end users (issue 6): agreements, minors' mode, sanctions, quotas and
    /// personal-information requests.
    package struct Users: Sendable {
        /// Refuse users who have not accepted the current agreement's major version (IM-9):
        /// 403 `agreement_required`.
        package var requireAgreement = false
        /// Where apps send users to read the agreement; `/agreement` on this gateway by default.
        package var agreementURL = "/agreement"
        /// Requests allowed per minute per user; `nil` for no limit.
        package var requestsPerMinute: Int?
        /// Tokens allowed per local day per user; `nil` for no budget.
        package var tokensPerDay: Int?
        /// Whether a user who has not said otherwise consents to training use of inputs (TC-7.3).
        package var trainingConsentDefault = false
        /// How long a replica may use what it read of a user (sanctions, attributes, acceptance)
        /// before reading it again; changes made through this replica apply at once.
        package var stateCacheMilliseconds = 1_000
        /// How often a replica writes the requests and tokens it counted (in one transaction).
        package var usageFlushMilliseconds = 250
        /// Working days to answer a personal-information request (OPS-8.3, UNCONFIRMED default).
        package var rightsRequestWorkingDays = 15
        /// Working days to answer an appeal against a sanction (IM-15: the provider publishes its
        /// time limit).
        package var appealWorkingDays = 15
        /// Public holidays and make-up working days for the deadlines.
        package var calendar = WorkingDayCalendar()
        package var minors = MinorsPolicy()
        package var sanctions = SanctionsLadder()
        /// The per-user rate limit of a user under restriction.
        package var restrictedRequestsPerMinute = 5

        package init() {}
    }

    /// The complaint and report channel (IM-15).
    package struct Complaints: Sendable {
        /// The published feedback time limit, in working days (IM-15.2; the provider chooses it).
        package var feedbackWorkingDays = 15
        /// Public form submissions allowed per client address per hour.
        package var submissionsPerHour = 10
        /// Take the client's address from `X-Forwarded-For` (only behind a trusted reverse proxy).
        package var trustForwardedFor = false
        /// Where new tickets, overdue tickets and incidents are posted; `nil` for none.
        package var webhookURL: String?
        /// The webhook's HMAC secret, from `HEGUI_WEBHOOK_SECRET` or `complaints.webhook_secret_file`.
        package var webhookSecret: String?

        package init() {}
    }

    /// Labels on generated content (IM-12, LBL-4, LBL-5, GB 45438-2025).
    package struct Labels: Sendable {
        /// The placeholder producer code used until the operator configures its own (LBL-CODE),
        /// logged as a warning at start.
        package static let placeholderProducer = ProviderCode.placeholder

        /// `ContentProducer`: the provider code from the compliance team (27 characters).
        package var producer = Self.placeholderProducer
        /// How records are sealed in `ReservedCode1`: `ed25519` (default; verifiable with the public
        /// key), `hmac-sha256`, or `none`.
        package var seal = "ed25519"
        /// The seal key (hex); default `label-signing-key` in the data directory, made on first use.
        package var keyFile: String?
        /// How chat answers are labelled unless a tenant says otherwise.
        package var chat = ChatLabelPolicy()
        /// Whether generated PNG and JPEG images get the visible mark (LBL-4.3, GB-5.2).
        package var imageMark = true
        /// The visible mark's text, position and style.
        package var imageMarkText = "AI生成"
        package var imageMarkPosition = "bottom-right"
        package var imageMarkStyle = "light"
        /// Where generated WAV speech gets the short-long-short-short cue (LBL-4.2, GB-5.3);
        /// `nil` for none (the app's interface shows the prompt).
        package var audioCue: String? = "start"
        /// Speak the audio label (espeak-ng) with this text instead of the tones; `nil` for tones.
        package var audioCueVoice: String?
        /// How long labelled copies of URL results are served, in hours.
        package var fileLifetimeHours = 24

        package init() {}

        package var isPlaceholderProducer: Bool { self.producer == Self.placeholderProducer }
    }

    package var server = Server()
    package var labels = Labels()
    /// The algorithm filing: its numbers and the launch, changes and end that start its
    /// deadlines (IM-17.2, OPS-4).
    package var filing = FilingSchedule()
    /// What the service is, as `/about` tells users (IM-4, IM-10.1, OPS-4.5).
    package var service = Service()
    /// The provider's answers to the scope questions (`hegui scope`).
    package var scope = ScopeAnswers()
    /// The provider's texts of the filing dossier and the security assessment (`filing` and
    /// `assessment` sections).
    package var reportText = OperatorText()

    /// The service as the provider describes it.
    package struct Service: Sendable, Hashable {
        /// The service's name.
        package var name = "生成式人工智能服务 Generative AI service"
        /// The provider (the company that offers it).
        package var provider = ""
        /// What it is for, in Chinese and in English (operator text; plain text).
        package var purpose = ""
        package var purposeEN = ""

        package init() {}
    }
    /// The complaint and report channel.
    package var complaints = Complaints()
    /// End users: agreements, minors' mode, sanctions, quotas, personal-information requests.
    package var users = Users()
    /// The admin API's bearer token, from `HEGUI_ADMIN_TOKEN`, `HEGUI_ADMIN_TOKEN_FILE` or
    /// `admin.token_file`; `nil` keeps (and on first start creates) `<data dir>/admin-token`.
    package var adminToken: String?
    /// The audit log.
    package var audit = Audit()
    /// A PostgreSQL URL for the store (several replicas share it); `nil` keeps the embedded SQLite
    /// file in the data directory. Holds a password, so it comes from the environment
    /// (`HEGUI_STORE_URL`) or a file (`store.url_file`), never the YAML itself.
    package var storeURL: String?
    /// Lexicons and policies.
    package var moderation = Moderation()
    /// Where the gateway keeps its state (`./hegui-data` by default).
    package var dataDirectory = "./hegui-data"
    /// The upstream model; `nil` runs the built-in demo model.
    package var upstream: Upstream?
    /// Whether every model request must name its end user (IM-9, IM-14: sanctions need a user).
    package var requireUser = true
    /// Model aliases; when any are given, only they are offered.
    package var models: [ModelAlias] = []
    /// Tenants from the configuration; when none are given a development tenant is created.
    package var tenants: [Tenant] = []
    /// The demo model's pacing.
    package var demo = Demo()
    /// Log level name (`trace` … `critical`).
    package var logLevel = "info"
    /// How log lines are written.
    package var logFormat = LogFormat.text

    /// How log lines are written.
    package enum LogFormat: String, Sendable, CaseIterable {
        /// swift-log's `key=value` lines, for people at a terminal.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }

    package init() {}
}
