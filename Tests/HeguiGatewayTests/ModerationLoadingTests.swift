import Foundation
import HeguiCore
import HeguiGateway
import Testing

/// Requirement IDs: IM-4, TC-7.7, TC-8.1 (operator lexicons and policies).
@Suite struct ModerationLoadingTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "hegui-moderation-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func policyFileIsRead() throws {
        let yaml = """
            default: standard
            policies:
              standard:
                folding: { pinyin: false, max_gap: 1 }
                rules:
                  A1: block
                  A4f: { input: flag, output: redact }
                answers:
                  default: 默认代答
                  A1d: 恐怖主义代答
                personal_information: [mobile, email]
              minors:
                extends: standard
                rules: { A2: block }
                personal_information: all
            groups: { minors: minors }
            tenants:
              school: { policy: minors }
            """
        let set = try PolicyFile.parse(yaml, source: "policy.yaml")
        let standard = set.policy(tenant: nil, group: nil)
        #expect(standard.name == "standard")
        #expect(standard.folding.pinyin == false && standard.folding.maximumNoiseGap == 1)
        #expect(standard.action(for: RiskCode("A1c")!, termAction: .flag, direction: .input) == .block)
        #expect(standard.action(for: RiskCode("A4f")!, termAction: nil, direction: .input) == .flag)
        #expect(standard.action(for: RiskCode("A4f")!, termAction: nil, direction: .output) == .redact)
        #expect(standard.answer(for: [RiskCode("A1d")!]) == "恐怖主义代答")
        #expect(standard.answer(for: [RiskCode("A4c")!]) == "默认代答")
        #expect(standard.personalInformation == [.mobile, .email])
        let minors = set.policy(tenant: nil, group: "minors")
        #expect(minors.name == "minors")
        #expect(minors.folding.pinyin == false)  // inherited
        #expect(minors.action(for: RiskCode("A2d")!, termAction: .flag, direction: .output) == .block)
        #expect(minors.action(for: RiskCode("A1a")!, termAction: .flag, direction: .output) == .block)
        #expect(minors.personalInformation.count == PersonalInformationKind.allCases.count)
        #expect(set.policy(tenant: "school", group: nil).name == "minors")
    }

    /// Minors' mode always has a stricter policy (IM-10.3): a file that names no `minors` group
    /// gets its own `minors` policy there, else the built-in one; an explicit group stands.
    @Test func minorsGroupDefaultsToAStricterPolicy() throws {
        let bare = try PolicyFile.parse("default: standard\npolicies:\n  standard: {}\n", source: "policy.yaml")
        let builtIn = bare.policy(tenant: nil, group: "minors")
        #expect(builtIn.name == "minors")
        #expect(builtIn.action(for: RiskCode("A4c")!, termAction: .redact, direction: .input) == .block)
        let own = try PolicyFile.parse(
            "policies:\n  minors:\n    rules: { A4: flag }\n",
            source: "policy.yaml"
        )
        #expect(
            own.policy(tenant: nil, group: "minors").action(
                for: RiskCode("A4c")!,
                termAction: .redact,
                direction: .input
            ) == .flag
        )
        let chosen = try PolicyFile.parse(
            "default: standard\npolicies:\n  standard: {}\ngroups: { minors: standard }\n",
            source: "policy.yaml"
        )
        #expect(chosen.policy(tenant: nil, group: "minors").name == "standard")
    }

    @Test(arguments: [
        ("policies:\n  p:\n    rules: { A9: block }\n", "policy.yaml:3:14: policies.p.rules: unknown risk code 'A9'"),
        (
            "policies:\n  p:\n    rules: { A1: ban }\n",
            "policy.yaml:3:18: policies.p.rules.A1: must be block, redact, flag or allow"
        ),
        ("policies:\n  p:\n    colour: red\n", "policy.yaml:3:5: policies.p.colour: unknown key"),
        ("default: nope\n", "policy.yaml:1:10: default: unknown policy 'nope'"),
        ("policies:\n  a: { extends: b }\n  b: { extends: a }\n", "'extends' goes round in a circle"),
        ("groups: { minors: strict }\n", "policy.yaml: groups.minors: 未知策略"),
    ])
    func policyErrorsNameTheKey(yaml: String, expected: String) {
        #expect {
            try PolicyFile.parse(yaml, source: "policy.yaml")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func directoriesAreReadInNameOrderAndBadFilesNamed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "# risk: A1h action: block\n冰毒\n".write(toFile: directory + "/b.txt", atomically: true, encoding: .utf8)
        try "海洛因\tA1h\tblock\n".write(toFile: directory + "/a.tsv", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: directory + "/notes.md", atomically: true, encoding: .utf8)
        let (lexicon, files) = try ModerationLoader.lexicon(paths: [directory])
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["a.tsv", "b.txt"])
        #expect(lexicon.entries.map(\.term) == ["海洛因", "冰毒"])

        _ = FileManager.default.createFile(atPath: directory + "/c.txt", contents: Data([0x23, 0x20, 0xFF, 0xFE]))
        #expect {
            try ModerationLoader.lexicon(paths: [directory])
        } throws: { error in
            "\(error)".hasSuffix("c.txt: 不是有效的 UTF-8 / not valid UTF-8")
        }
        #expect(throws: ModerationLoadError.self) {
            try ModerationLoader.lexicon(paths: [directory + "/missing"])
        }
    }

    @Test func reloadSwapsTheEngineAndAFailedReloadKeepsIt() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/terms.txt"
        try "# risk: A1h action: block\n冰毒\n".write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = GatewayConfiguration.Moderation()
        configuration.lexicons = [file]
        let state = ModerationState(try ModerationLoader.load(configuration), configuration: configuration)
        #expect(state.engine.check("冰毒", direction: .input).action == .block)
        #expect(state.engine.check("海洛因", direction: .input).action == .allow)

        try "# risk: A1h action: block\n海洛因\n".write(toFile: file, atomically: true, encoding: .utf8)
        try await state.reload()
        #expect(state.engine.check("海洛因", direction: .input).action == .block)
        #expect(state.engine.check("冰毒", direction: .input).action == .allow)

        try "# risk: A1h action: ban\n冰毒\n".write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: ModerationLoadError.self) {
            try await state.reload()
        }
        #expect(state.engine.check("海洛因", direction: .input).action == .block)
    }

    @Test func sampleLexiconLoadsClean() throws {
        let (lexicon, files) = try ModerationLoader.lexicon(paths: [])
        #expect(files.isEmpty)
        #expect(lexicon.diagnostics.isEmpty)
        #expect(lexicon.entries.count > 40)
    }

    @Test func theStoreURLComesFromTheEnvironmentOrAFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "postgres://hegui:secret@db:5432/hegui\n".write(
            toFile: directory + "/store-url",
            atomically: true,
            encoding: .utf8
        )
        var configuration = GatewayConfiguration()
        #expect(configuration.storeURL == nil)
        try configuration.apply(yaml: "store:\n  url_file: \(directory)/store-url\n", source: "hegui.yaml")
        #expect(configuration.storeURL == "postgres://hegui:secret@db:5432/hegui")
        try configuration.apply(environment: ["HEGUI_STORE_URL": "postgres://other/db"])
        #expect(configuration.storeURL == "postgres://other/db")
        #expect(throws: ConfigurationError.self) {
            var other = GatewayConfiguration()
            try other.apply(yaml: "store:\n  url: postgres://x\n", source: "hegui.yaml")
        }
    }

    @Test func configurationReadsModerationSettings() throws {
        var configuration = GatewayConfiguration()
        try configuration.apply(yaml: "moderation:\n  lexicons: [a.txt, dir]\n  policy: p.yaml\n", source: "hegui.yaml")
        #expect(configuration.moderation.lexicons == ["a.txt", "dir"])
        #expect(configuration.moderation.policyFile == "p.yaml")
        try configuration.apply(environment: ["HEGUI_LEXICONS": "x.txt:y", "HEGUI_POLICY": "q.yaml"])
        #expect(configuration.moderation.lexicons == ["x.txt", "y"])
        #expect(configuration.moderation.policyFile == "q.yaml")
        configuration.apply(GatewayConfiguration.Overrides(lexicons: ["z.tsv"]))
        #expect(configuration.moderation.lexicons == ["z.tsv"])
        #expect(throws: ConfigurationError.self) {
            var other = GatewayConfiguration()
            try other.apply(yaml: "moderation:\n  lexicon: a.txt\n", source: "hegui.yaml")
        }
    }
}

/// The roles a policy checks on input (issue 5 item 1: "all roles the policy names").
@Suite struct PolicyInputRolesTests {
    @Test func aPolicyNamesTheRolesItChecks() throws {
        let set = try PolicyFile.parse(
            """
            default: standard
            policies:
              standard: {}
              users_only:
                extends: standard
                input_roles: [user, tool]
            tenants:
              app: { policy: users_only }
            """,
            source: "policy.yaml"
        )
        #expect(set.policy(tenant: nil, group: nil).inputRoles == nil)
        let policy = set.policy(tenant: "app", group: nil)
        #expect(policy.inputRoles == ["user", "tool"])
        let lexicon = try LexiconParser.parse("# risk: A1d action: block\n恐怖袭击\n", file: "t.txt")
        let engine = ModerationEngine(lexicon: lexicon, policies: set)
        let body = try #require(
            try JSONParser.parse(#"{"messages":[{"role":"system","content":"恐怖袭击"},{"role":"user","content":"你好"}]}"#)
                .objectValue
        )
        #expect(
            ChatModeration.checkRequest(body, engine: engine, policy: policy, roles: policy.inputRoles).action == .allow
        )
        #expect(
            ChatModeration.checkRequest(body, engine: engine, policy: set.policy(tenant: nil, group: nil)).action
                == .block
        )
        #expect(throws: (any Error).self) {
            try PolicyFile.parse("policies:\n  p:\n    input_roles: []\n", source: "policy.yaml")
        }
    }
}
