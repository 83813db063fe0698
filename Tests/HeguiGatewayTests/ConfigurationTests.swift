import Foundation
import HeguiCore
import HeguiGateway
import HeguiReports
import Testing

@Suite struct ConfigurationTests {
    static func load(
        _ yaml: String,
        environment: [String: String] = [:],
        overrides: GatewayConfiguration.Overrides = .init()
    )
        throws -> GatewayConfiguration
    {
        var configuration = GatewayConfiguration()
        try configuration.apply(yaml: yaml, source: "hegui.yaml")
        try configuration.apply(environment: environment)
        configuration.apply(overrides)
        try configuration.validate()
        return configuration
    }

    @Test func theStarterFileLoadsToTheDefaults() throws {
        let starter = try Self.load(StarterConfiguration.text)
        let defaults = GatewayConfiguration()
        #expect(starter.server.host == defaults.server.host)
        #expect(starter.server.port == defaults.server.port)
        #expect(starter.server.maximumBodyBytes == defaults.server.maximumBodyBytes)
        #expect(starter.dataDirectory == defaults.dataDirectory)
        #expect(starter.requireUser == defaults.requireUser)
        #expect(starter.upstream == nil)
        #expect(starter.tenants.isEmpty)
        #expect(starter.users.minors == defaults.users.minors)
        #expect(starter.users.sanctions == defaults.users.sanctions)
        #expect(starter.users.requireAgreement == defaults.users.requireAgreement)
        #expect(starter.users.rightsRequestWorkingDays == defaults.users.rightsRequestWorkingDays)
        #expect(starter.users.restrictedRequestsPerMinute == defaults.users.restrictedRequestsPerMinute)
        #expect(starter.demo.chunkDelayMilliseconds == defaults.demo.chunkDelayMilliseconds)
    }

    @Test func readsAFullFile() throws {
        let digest = APIKeyDigest.hex(of: "k1")
        let configuration = try Self.load(
            """
            server:
              host: 0.0.0.0
              port: 9000
              max_body_bytes: 2048
            data_dir: /var/lib/hegui
            require_user: false
            upstream:
              url: http://127.0.0.1:8000/v1
              read_timeout_ms: 500
            models:
              - id: chat
                upstream_model: qwen
            tenants:
              - id: app-one
                name: 应用一
                key_sha256: \(digest)
            """
        )
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 9000)
        #expect(configuration.server.maximumBodyBytes == 2048)
        #expect(configuration.dataDirectory == "/var/lib/hegui")
        #expect(!configuration.requireUser)
        #expect(configuration.upstream?.url == "http://127.0.0.1:8000/v1")
        #expect(configuration.upstream?.readTimeoutMilliseconds == 500)
        #expect(configuration.models == [.init(id: "chat", upstreamModel: "qwen")])
        #expect(configuration.tenants == [.init(id: "app-one", name: "应用一", keySHA256: digest)])
    }

    @Test(arguments: [
        ("server:\n  port: 80a\n", "hegui.yaml:2:9: server.port: must be a whole number from 0 to 65535, got '80a'"),
        ("server:\n  hots: x\n", "hegui.yaml:2:3: server.hots: unknown key (did you mean 'host'?)"),
        ("data_dir: a\nlog_levle: info\n", "hegui.yaml:2:1: log_levle: unknown key (did you mean 'log_level'?)"),
        ("require_user: maybe\n", "hegui.yaml:1:15: require_user: must be true or false, got 'maybe'"),
        ("server: [1, 2]\n", "hegui.yaml:1:9: server: must be a mapping of keys to values"),
        (
            "upstream:\n  api_key_file: /nonexistent/hegui-key\n  url: http://x\n",
            "hegui.yaml:2: upstream.api_key_file: cannot read the file '/nonexistent/hegui-key'"
        ),
        ("upstream:\n  read_timeout_ms: 5\n", "hegui.yaml:2:3: upstream.url: is required when upstream is given"),
        ("tenants:\n  - id: a\n", "hegui.yaml:2:5: tenants[0]: needs key_sha256 or key_file"),
        (
            "tenants:\n  - id: a\n    key_sha256: abc\n",
            "hegui.yaml:3:17: tenants[0].key_sha256: must be 64 hex digits (sha256sum of the key)"
        ),
        (
            "log_level: loud\n",
            "hegui.yaml:1:12: log_level: must be one of trace, debug, info, notice, warning, error, critical, got 'loud'"
        ),
        ("log_format: xml\n", "hegui.yaml:1:13: log_format: must be text or json, got 'xml'"),
        (
            "server:\n  port: 1\n   host: x\n",
            "hegui.yaml:3:8: invalid YAML: mapping values are not allowed in this context"
        ),
    ])
    func badFilesNameTheKeyAndLine(yaml: String, message: String) {
        do {
            _ = try Self.load(yaml)
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == message)
        }
    }

    /// The end-user sections (issue 6): every UNCONFIRMED number can be set.
    @Test func endUserSectionsLoad() throws {
        let configuration = try Self.load(
            """
            users:
              require_agreement: true
              requests_per_minute: 30
              tokens_per_day: 100000
              rights_request_working_days: 10
              holidays: [2027-01-01, 2027-02-16]
              working_weekends: 2027-02-07
            minors:
              daily_minutes: {under8: 30, 8to16: null}
              curfew: "21:30-07:00"
              policy_group: kids
              reminder_minutes: 0
            sanctions:
              suspension_consecutive: null
              suspension_daily: 10
              suspension_hours: 72
              termination_suspensions: off
            tenants:
              - id: school
                key_sha256: \(String(repeating: "a", count: 64))
                policy: minors
                requests_per_minute: 60
                tokens_per_day: 1000
            """,
            environment: ["HEGUI_REQUIRE_AGREEMENT": "false"]
        )
        let users = configuration.users
        #expect(users.requireAgreement == false)  // the environment wins
        #expect(users.requestsPerMinute == 30)
        #expect(users.tokensPerDay == 100_000)
        #expect(users.rightsRequestWorkingDays == 10)
        #expect(users.calendar.holidays == [CivilDate("2027-01-01")!, CivilDate("2027-02-16")!])
        #expect(users.calendar.workingWeekends == [CivilDate("2027-02-07")!])
        #expect(users.minors.bands.map(\.dailyMinutes) == [30, nil, 120])
        #expect(users.minors.curfew?.startMinute == 21 * 60 + 30)
        #expect(users.minors.curfew?.endMinute == 7 * 60)
        #expect(users.minors.policySet == "kids")
        #expect(users.minors.reminderMinutes == 0)
        let suspension = users.sanctions.rules.filter { $0.level == .suspension }
        #expect(suspension.map(\.trigger) == [.daily(10)])
        #expect(suspension.map(\.durationSeconds) == [72 * 3_600])
        #expect(!users.sanctions.rules.contains { $0.level == .termination })
        #expect(configuration.tenants.first?.policy == "minors")
        #expect(configuration.tenants.first?.requestsPerMinute == 60)
        #expect(configuration.tenants.first?.tokensPerDay == 1_000)
    }

    @Test(arguments: [
        (
            "minors:\n  curfew: late\n",
            "hegui.yaml:2:11: minors.curfew: must be HH:MM-HH:MM (Beijing time) or off, got 'late'"
        ),
        (
            "minors:\n  daily_minutes: {teen: 5}\n",
            "hegui.yaml:2:19: minors.daily_minutes.teen: unknown key; allowed keys are under8, 8to16, 16to18"
        ),
        (
            "users:\n  holidays: [2027-13-01]\n",
            "hegui.yaml:2:13: users.holidays[0]: must be a date YYYY-MM-DD, got '2027-13-01'"
        ),
        (
            "sanctions:\n  suspension_daily: 0\n",
            "hegui.yaml:2:21: sanctions.suspension_daily: must be a whole number from 1 to 1000, got '0'"
        ),
        (
            "minors:\n  unknown_age_band: baby\n",
            "hegui.yaml:2:21: minors.unknown_age_band: must be one of under8, 8to16, 16to18, got 'baby'"
        ),
    ])
    func badEndUserSettingsNameTheKeyAndLine(yaml: String, message: String) {
        do {
            _ = try Self.load(yaml)
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == message)
        }
    }

    /// `users.calendar_file` adds the years the built-in calendar lacks (IM-17, OPS-4, OPS-8.3).
    @Test func aCalendarFileAddsYears() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-calendar-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("calendar.txt").path
        let bad = directory.appendingPathComponent("bad.txt").path
        try "year 2027 source 国务院办公厅关于2027年部分节假日安排的通知\n2027-01-01 holiday 元旦\n"
            .write(toFile: good, atomically: true, encoding: .utf8)
        try "year 2027 source x\n2027-01-04 workday x\n".write(toFile: bad, atomically: true, encoding: .utf8)

        let calendar = try Self.load("users:\n  calendar_file: \(good)\n").users.calendar
        #expect(calendar.coveredYears == [2023, 2024, 2025, 2026, 2027])
        #expect(try !calendar.isWorkingDay(CivilDate("2027-01-01")!))
        #expect(WorkingDayCalendar().coveredYears == [2023, 2024, 2025, 2026])

        do {
            _ = try Self.load("users:\n  calendar_file: \(bad)\n")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("users.calendar_file"))
            #expect("\(error)".contains("bad.txt:2: 2027-01-04 不是周末"))
        }
        do {
            _ = try Self.load("users:\n  calendar_file: \(directory.path)/missing.txt\n")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("cannot read the calendar file"))
        }
    }

    /// The `scope` section: `hegui scope`'s answers; a wrong medium names its key.
    @Test func theScopeSectionLoads() throws {
        let scope = try Self.load("scope:\n  public_opinion: false\n  media: [text, audio]\n").scope
        #expect(scope.publicOpinion == false && scope.media == [.text, .audio])
        #expect(scope.servesPublicInMainland == nil)
        do {
            _ = try Self.load("scope:\n  media: [text, smell]\n")
            Issue.record("accepted")
        } catch {
            #expect(
                "\(error)".contains("scope.media[1]: must be one of text, image, audio, video, virtual, got 'smell'")
            )
        }
    }

    /// The `service` section: what `/about` tells users.
    @Test func theServiceSectionLoads() throws {
        let service = try Self.load(
            "service:\n  name: 问答助手\n  provider: 示例科技\n  purpose: 回答问题\n  purpose_en: Answers questions\n"
        ).service
        #expect(service.name == "问答助手" && service.provider == "示例科技")
        #expect(service.purpose == "回答问题" && service.purposeEN == "Answers questions")
    }

    /// The `filing` section (IM-17.2, OPS-4): the launch, its filing, changes and the end.
    @Test func theFilingSectionLoads() throws {
        let filing = try Self.load(
            """
            filing:
              numbers: [Beijing-Hegui-202611290001]
              launched: 2026-09-28
              filed: 2026-10-09
              changes:
                - {date: 2026-11-20, what: 新增图像生成}
                - {date: 2026-11-25, what: 更换模型, filed: 2026-11-27}
              ended: null
            """
        ).filing
        #expect(filing.numbers == ["Beijing-Hegui-202611290001"])
        #expect(filing.events.map(\.kind) == [.change, .change, .launch])
        #expect(filing.events.last?.filed == CivilDate("2026-10-09"))
        #expect(filing.events[1].filed == CivilDate("2026-11-27"))
    }

    /// Several upstreams for the same models (IM-13).
    @Test func upstreamBackendsLoad() throws {
        let upstream = try #require(
            try Self.load(
                """
                upstream:
                  url: http://10.0.0.5:8000/v1
                  weight: 3
                  backends:
                    - {url: http://10.0.0.6:8000/v1}
                    - {url: https://backup.example.cn/v1, weight: 2}
                  health_check_seconds: 5
                  failure_threshold: 4
                  open_seconds: 20
                """
            ).upstream
        )
        #expect(upstream.weight == 3)
        #expect(upstream.backends.map(\.url) == ["http://10.0.0.6:8000/v1", "https://backup.example.cn/v1"])
        #expect(upstream.backends.map(\.weight) == [1, 2])
        #expect(upstream.healthCheckSeconds == 5 && upstream.failureThreshold == 4 && upstream.openSeconds == 20)
        #expect(throws: (any Error).self) {
            try Self.load("upstream:\n  url: http://a/v1\n  backends:\n    - {url: ftp://b}\n")
        }
        #expect(throws: (any Error).self) {
            try Self.load("upstream:\n  url: http://a/v1\n  backends:\n    - {url: http://b, weight: 0}\n")
        }
    }

    /// The dossier's and the assessment's texts (OPS-4.1, OPS-5).
    @Test func theReportTextsLoad() throws {
        let text = try Self.load(
            """
            filing:
              algorithm_type: 生成合成类
              scenarios: [智能问答, 写作辅助]
              principle: |
                第一行
                第二行
              models:
                - {name: example-chat, version: "1.0", base_model: 基座, registration: B-1}
              security_measures: 值守
            assessment:
              trigger: user_growth
              security_officer: 王某
              conclusion: 符合
            """
        ).reportText
        #expect(text.algorithmType == "生成合成类")
        #expect(text.scenarios == ["智能问答", "写作辅助"])
        #expect(text.principle == "第一行\n第二行\n")
        #expect(text.models == [.init(name: "example-chat", version: "1.0", baseModel: "基座", registration: "B-1")])
        #expect(text.trigger == .userGrowth)
        #expect(text.securityOfficer == "王某" && text.conclusion == "符合")
    }

    @Test(arguments: [
        ("filing:\n  launched: 2026-02-30\n", "filing.launched: must be a date YYYY-MM-DD, got '2026-02-30'"),
        ("filing:\n  changes:\n    - {what: x}\n", "filing.changes[0]: a change needs its date"),
        ("filing:\n  cancelled: 2026-01-05\n", "filing.cancelled: needs filing.ended"),
        ("filing:\n  launch: 2026-01-05\n", "filing.launch: unknown key (did you mean 'launched'?)"),
        ("filing:\n  models:\n    - {version: '1.0'}\n", "filing.models[0]: a model needs its name"),
        ("filing:\n  models: example\n", "filing.models: must be a list of models"),
        ("assessment:\n  trigger: whenever\n", "assessment.trigger: must be one of launch, major_change"),
        ("assessment:\n  officer: 王某\n", "assessment.officer: unknown key"),
    ])
    func badFilingSettingsNameTheKey(yaml: String, message: String) {
        do {
            _ = try Self.load(yaml)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    /// The labels section (IM-12, LBL-CODE, GB-5.1): each bad value names its key.
    @Test(arguments: [
        ("labels:\n  producer: ACME\n", "labels.producer"),
        ("labels:\n  seal: md5\n", "labels.seal"),
        ("labels:\n  chat_placement: sideways\n", "labels.chat_placement"),
        ("labels:\n  chat_text: 由模型输出\n", "labels.chat_text"),
        ("labels:\n  image_mark_text: \"AI生成😀\"\n", "labels.image_mark_text"),
        ("labels:\n  image_mark_position: middle\n", "labels.image_mark_position"),
        ("labels:\n  audio_cue: loud\n", "labels.audio_cue"),
        ("labels:\n  audio_cue_voice: 请注意\n", "labels.audio_cue_voice"),
        (
            "tenants:\n  - {id: a, key_sha256: \(String(repeating: "a", count: 64)), label_placement: top}\n",
            "label_placement"
        ),
    ])
    func badLabelSettingsNameTheKey(yaml: String, key: String) {
        do {
            _ = try Self.load(yaml)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains(key), "\(error)")
        }
    }

    @Test func labelSettingsAreRead() throws {
        let configuration = try Self.load(
            """
            labels:
              producer: 001191110102MAD55U9H0F10002
              chat_placement: conversation
              chat_text: 以上内容由AI生成
              image_mark_position: top-left
              audio_cue: none
            tenants:
              - {id: a, key_sha256: \(String(repeating: "a", count: 64)), label_placement: interface}
            """
        )
        #expect(configuration.labels.producer == "001191110102MAD55U9H0F10002")
        #expect(configuration.labels.chat == ChatLabelPolicy(placement: .conversation, text: "以上内容由AI生成"))
        #expect(configuration.labels.imageMarkPosition == "top-left")
        #expect(configuration.labels.audioCue == nil)
        #expect(configuration.tenants.first?.chatLabels?.placement == .interface)
    }

    @Test func anUpstreamURLMustBeHTTP() {
        #expect(throws: ConfigurationError.self) {
            _ = try Self.load("upstream:\n  url: ftp://model\n")
        }
    }

    @Test func environmentOverridesTheFileAndFlagsOverrideBoth() throws {
        let configuration = try Self.load(
            "server:\n  port: 9000\n  host: 10.0.0.1\nrequire_user: true\n",
            environment: [
                "HEGUI_PORT": "9100", "HEGUI_HOST": "127.0.0.2", "HEGUI_REQUIRE_USER": "false",
                "HEGUI_UPSTREAM_URL": "http://127.0.0.1:1234/v1", "HEGUI_UPSTREAM_API_KEY": "sk-env",
            ],
            overrides: .init(port: 9200)
        )
        #expect(configuration.server.port == 9200)
        #expect(configuration.server.host == "127.0.0.2")
        #expect(!configuration.requireUser)
        #expect(configuration.upstream?.url == "http://127.0.0.1:1234/v1")
        #expect(configuration.upstream?.apiKey == "sk-env")
        #expect(try Self.load("log_format: json\n").logFormat == .json)
        #expect(try Self.load("", environment: ["HEGUI_LOG_FORMAT": "json"]).logFormat == .json)
    }

    @Test(arguments: [
        (["HEGUI_PORT": "http"], "HEGUI_PORT: must be a port number from 0 to 65535, got 'http'"),
        (["HEGUI_REQUIRE_USER": "sometimes"], "HEGUI_REQUIRE_USER: must be true or false, got 'sometimes'"),
        (["HEGUI_MAX_BODY_BYTES": "-1"], "HEGUI_MAX_BODY_BYTES: must be a positive number of bytes, got '-1'"),
        (["HEGUI_LOG_FORMAT": "yaml"], "HEGUI_LOG_FORMAT: must be text or json, got 'yaml'"),
    ])
    func badEnvironmentValuesNameTheVariable(environment: [String: String], message: String) {
        do {
            _ = try Self.load("", environment: environment)
            Issue.record("accepted")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func secretsComeFromFilesAndNeverAppearInErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hegui-config-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("upstream-key").path
        let tenantFile = directory.appendingPathComponent("tenant-key").path
        try "sk-from-file\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        try "tenant-secret\n".write(toFile: tenantFile, atomically: true, encoding: .utf8)
        let configuration = try Self.load(
            """
            upstream:
              url: http://127.0.0.1:8000/v1
              api_key_file: \(keyFile)
            tenants:
              - id: t
                key_file: \(tenantFile)
            """
        )
        #expect(configuration.upstream?.apiKey == "sk-from-file")
        #expect(configuration.tenants.first?.keySHA256 == APIKeyDigest.hex(of: "tenant-secret"))

        let fromEnvironment = try Self.load(
            "",
            environment: ["HEGUI_UPSTREAM_URL": "http://127.0.0.1:8000/v1", "HEGUI_UPSTREAM_API_KEY_FILE": keyFile]
        )
        #expect(fromEnvironment.upstream?.apiKey == "sk-from-file")

        do {
            _ = try Self.load("tenants:\n  - id: a\n    key_file: \(keyFile)\n  - id: b\n    key_file: \(keyFile)\n")
            Issue.record("accepted two tenants with one key")
        } catch {
            #expect(!"\(error)".contains("sk-from-file"))
        }
    }
}

/// Audit retention and the admin token in the configuration (OPS-1, DESIGN "Admin API").
@Suite struct AuditConfigurationTests {
    @Test func metadataRetentionDefaultsToSixMonthsAndRefusesLessUnlessAllowed() throws {
        #expect(try ConfigurationTests.load("").audit.metadataRetentionDays == 186)
        #expect(
            try ConfigurationTests.load("audit:\n  metadata_retention_days: forever\n").audit.metadataRetentionDays
                == nil
        )
        #expect(throws: ConfigurationError.self) {
            try ConfigurationTests.load("audit:\n  metadata_retention_days: 90\n")
        }
        let short = try ConfigurationTests.load(
            "audit:\n  metadata_retention_days: 90\n  allow_short_metadata_retention: true\n"
        )
        #expect(short.audit.metadataRetentionDays == 90)
        #expect(
            try ConfigurationTests.load("audit:\n  metadata_retention_days: 400\n").audit.metadataRetentionDays == 400
        )
    }

    @Test func answersWaitForTheirCommitUnlessTheOperatorQueuesThem() throws {
        #expect(try ConfigurationTests.load("").audit.awaitCommit)
        #expect(try !ConfigurationTests.load("audit:\n  await_commit: false\n").audit.awaitCommit)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationTests.load("audit:\n  await_commit: sometimes\n")
        }
    }

    @Test func theAdminTokenComesFromTheEnvironmentOrAFileAndMustBeLong() throws {
        let path = NSTemporaryDirectory() + "hegui-admin-token-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "file-token-0123456789\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ConfigurationTests.load("admin:\n  token_file: \(path)\n").adminToken == "file-token-0123456789")
        #expect(
            try ConfigurationTests.load("", environment: ["HEGUI_ADMIN_TOKEN": "env-token-0123456789"]).adminToken
                == "env-token-0123456789"
        )
        #expect(throws: ConfigurationError.self) {
            try ConfigurationTests.load("", environment: ["HEGUI_ADMIN_TOKEN": "short"])
        }
        #expect(try ConfigurationTests.load("").adminToken == nil)
    }
}

/// Classifier models in the configuration (issue 5 item 4).
@Suite struct ClassifierConfigurationTests {
    @Test func aFullClassifierEntryLoads() throws {
        let configuration = try ConfigurationTests.load(
            """
            moderation:
              classifiers:
                - name: qwen3guard
                  kind: openai_chat
                  url: http://127.0.0.1:8001/v1
                  model: Qwen3Guard-Gen-8B
                  prompt: "请判断：{text}"
                  labels: { Violent: A1d, Sexual: A1f }
                  default_risk: A1h
                  directions: [input, output]
                  timeout_ms: 1500
                  max_concurrency: 8
                  on_failure: allow
                  hold_stream: true
                  stream_characters: 120
                - name: generic
                  kind: http_json
                  url: http://127.0.0.1:9000/check
            """
        )
        let classifiers = configuration.moderation.classifiers
        #expect(classifiers.map(\.name) == ["qwen3guard", "generic"])
        let guardModel = classifiers[0]
        #expect(guardModel.kind == .openaiChat && guardModel.model == "Qwen3Guard-Gen-8B")
        #expect(guardModel.labels.map(\.risk.rawValue) == ["A1d", "A1f"])
        #expect(guardModel.timeoutMilliseconds == 1500 && guardModel.onFailure == .allow && guardModel.holdsStream)
        #expect(classifiers[1].onFailure == .block && classifiers[1].directions == [.input, .output])
    }

    @Test(arguments: [
        "moderation:\n  classifiers:\n    - name: x\n      url: http://a\n",
        "moderation:\n  classifiers:\n    - name: x\n      kind: magic\n      url: http://a\n",
        "moderation:\n  classifiers:\n    - name: x\n      kind: http_json\n      url: ftp://a\n",
        "moderation:\n  classifiers:\n    - name: x\n      kind: http_json\n      url: http://a\n      labels: { V: Z9 }\n",
        "moderation:\n  classifiers:\n    - name: x\n      kind: http_json\n      url: http://a\n      on_failure: maybe\n",
    ])
    func badEntriesAreRefusedWithTheirKey(yaml: String) {
        #expect(throws: ConfigurationError.self) { try ConfigurationTests.load(yaml) }
    }
}
