import ArgumentParser
import AsyncHTTPClient
import Foundation
import HeguiCore
import HeguiGateway
import HeguiTesting
import NIOCore
import NIOHTTP1
import Testing

@testable import hegui

@Suite struct CLIParsingTests {
    @Test func serveTakesItsFlags() throws {
        let command = try Hegui.parseAsRoot([
            "serve", "--host", "0.0.0.0", "--port", "9000", "--data-dir", "/tmp/x", "--config", "h.yaml",
        ])
        let serve = try #require(command as? Serve)
        #expect(serve.host == "0.0.0.0")
        #expect(serve.port == 9000)
        #expect(serve.dataDirectory == "/tmp/x")
        #expect(serve.config == "h.yaml")
    }

    @Test func initDefaultsToHeguiYAML() throws {
        let command = try #require(try Hegui.parseAsRoot(["init"]) as? Init)
        #expect(command.output == "hegui.yaml")
        #expect(!command.force)
    }

    @Test func rejectsAPortThatIsNotANumber() {
        #expect(throws: (any Error).self) { try Hegui.parseAsRoot(["serve", "--port", "http"]) }
    }

    @Test func helpListsTheSubcommands() {
        let help = Hegui.helpMessage()
        #expect(help.contains("serve"))
        #expect(help.contains("init"))
        #expect(help.contains("demo-model"))
    }
}

/// Runs the built `hegui` binary, as a user would.
@Suite(.timeLimit(.minutes(10)))
struct CLIBinaryTests {
    static var binary: URL { builtHeguiBinary }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Outcome {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HEGUI_") }.merging(
            environment
        ) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self)
        )
    }

    @Test func versionPrintsTheVersion() throws {
        let outcome = try Self.run(["--version"], in: try Self.temporaryDirectory())
        #expect(outcome.status == 0)
        #expect(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines) == Hegui.version)
    }

    @Test func aBadConfigFileStopsStartupNamingKeyAndLine() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "server:\n  port: eighty\n".write(
            to: directory.appendingPathComponent("bad.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let outcome = try Self.run(["serve", "--config", "bad.yaml", "--port", "0"], in: directory)
        #expect(outcome.status == 78)
        #expect(outcome.error.contains("bad.yaml:2:9: server.port: must be a whole number"))
        #expect(!outcome.output.contains("listening"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("hegui-data").path))
    }

    @Test func aBadEnvironmentValueStopsStartup() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try Self.run(["serve"], in: directory, environment: ["HEGUI_PORT": "none"])
        #expect(outcome.status == 78)
        #expect(outcome.error.contains("HEGUI_PORT: must be a port number"))
    }

    @Test func initWritesALoadableStarterOnceUnlessForced() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.run(["init"], in: directory)
        #expect(first.status == 0)
        let path = directory.appendingPathComponent("hegui.yaml").path
        #expect(try String(contentsOfFile: path, encoding: .utf8) == StarterConfiguration.text)
        _ = try GatewayConfiguration.load(file: path, environment: [:])
        let second = try Self.run(["init"], in: directory)
        #expect(second.status != 0)
        #expect(second.error.contains("--force"))
        #expect(try Self.run(["init", "--force"], in: directory).status == 0)
    }

    /// `hegui calendar` (IM-17, OPS-4): deadline arithmetic, the covered years, an operator's
    /// next year, and a clear error past the data.
    @Test func calendarAddsWorkingDaysAndRefusesAYearItLacks() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let added = try Self.run(["calendar", "add", "2026-09-28", "10"], in: directory)
        #expect(added.status == 0)
        #expect(added.output == "2026-10-16\n")
        let years = try Self.run(["calendar", "years"], in: directory)
        #expect(years.output.split(separator: "\n").map { $0.prefix(4) } == ["2023", "2024", "2025", "2026"])
        #expect(years.output.contains("国务院办公厅关于2026年部分节假日安排的通知"))

        let missing = try Self.run(["calendar", "add", "2026-12-20", "15"], in: directory)
        #expect(missing.status == 2)
        #expect(missing.error.contains("no holidays for 2027"))

        // The operator starts from a printed year and adds the next one.
        let shown = try Self.run(["calendar", "show", "2026"], in: directory)
        #expect(shown.output.hasPrefix("year 2026 source "))
        #expect(shown.output.contains("2026-10-10 workday 国庆节调休上班"))
        try "year 2027 source 国务院办公厅关于2027年部分节假日安排的通知\n2027-01-01 holiday 元旦\n".write(
            to: directory.appendingPathComponent("2027.txt"),
            atomically: true,
            encoding: .utf8
        )
        try "users:\n  calendar_file: 2027.txt\n".write(
            to: directory.appendingPathComponent("hegui.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let extended = try Self.run(["calendar", "add", "2026-12-20", "15"], in: directory)
        #expect(extended.status == 0)
        #expect(extended.output == "2027-01-11\n")
        #expect(try Self.run(["calendar", "check", "2027.txt"], in: directory).status == 0)
    }

    /// `hegui filing` (IM-17.2, OPS-4): the deadlines from hegui.yaml; exit 1 once one is overdue.
    @Test func filingReportsDeadlinesAndExitsOneWhenOverdue() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "filing:\n  launched: 2026-09-28\n  changes:\n    - {date: 2026-11-20, what: 新增图像生成}\n".write(
            to: directory.appendingPathComponent("hegui.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let early = try Self.run(["filing", "--date", "2026-10-15"], in: directory)
        #expect(early.status == 0)
        #expect(early.output.contains("上线备案 / filing after launch: 2026-09-28 → 截止 due 2026-10-16 [OPS-4.1] 剩余 1 个工作日"))
        let late = try Self.run(["filing", "--date", "2026-12-07"], in: directory)
        #expect(late.status == 1)
        #expect(late.output.contains("overdue by 36 working days"))
        #expect(late.output.contains("变更备案 / filing of a change (新增图像生成): 2026-11-20 → 截止 due 2026-12-04"))
        let json = try Self.run(["filing", "--json", "--date", "2026-11-30"], in: directory)
        #expect(json.output.contains(#""due":"2026-12-04","status":"open","working_days_left":4"#))
    }

    /// `hegui scope` (IM-2, IM-17, SA-2, LBL-4): the checklist from hegui.yaml, and a clear
    /// refusal when answers are missing and it cannot ask.
    @Test func scopeReasonsFromTheAnswers() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "scope:\n  media: [text]\n".write(
            to: directory.appendingPathComponent("hegui.yaml"),
            atomically: true,
            encoding: .utf8
        )
        let missing = try Self.run(["scope"], in: directory)
        #expect(missing.status == 2)
        #expect(missing.error.contains("unanswered: serves_public_in_mainland, offered_through_api, public_opinion"))
        try """
        scope:
          serves_public_in_mainland: true
          offered_through_api: true
          media: [text, image]
          public_opinion: true
          users_publish: false
          downloads: true
          minors_may_use: false
          provided_from_abroad: false
        """.write(to: directory.appendingPathComponent("hegui.yaml"), atomically: true, encoding: .utf8)
        let checklist = try Self.run(["scope"], in: directory)
        #expect(checklist.status == 0)
        #expect(checklist.output.contains("[适用 applies] 安全评估 / Security assessment [IM-17.1, OPS-5, SA-2, SA-3, SA-5]"))
        #expect(checklist.output.contains("[适用 applies] 图片显式标识 / Explicit label on images [IM-12, LBL-4.3]"))
        #expect(checklist.output.contains("[不适用 not required] 音频显式标识"))
        let json = try Self.run(["scope", "--json"], in: directory)
        let parsed = try JSONParser.parse(json.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(parsed.arrayValue?.count == 19)
    }

    @Test func scanReportsHitsAndExitsOneOrZero() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "你好\n这是詐 騙电话，回拨13800138000\n".write(
            to: directory.appendingPathComponent("chat.txt"),
            atomically: true,
            encoding: .utf8
        )
        try "今天天气很好。\n".write(to: directory.appendingPathComponent("clean.txt"), atomically: true, encoding: .utf8)
        let found = try Self.run(["scan", "chat.txt"], in: directory)
        #expect(found.status == 1)
        #expect(found.output.contains("chat.txt:2:3-5: A1h block [诈骗]"))
        #expect(found.output.contains("【詐 騙】"))
        #expect(found.output.contains("A4f redact [pii.mobile]"))
        let clean = try Self.run(["scan", "clean.txt"], in: directory)
        #expect(clean.status == 0)
        #expect(clean.output.isEmpty)

        let json = try Self.run(["scan", "--json", "chat.txt"], in: directory)
        let first = try #require(json.output.split(separator: "\n").first)
        let object = try JSONParser.parse(String(first))
        #expect(object.objectValue?["risk"] == .string("A1h"))
        #expect(object.objectValue?["start"] == .number("2"))
        #expect(object.objectValue?["text"] == .string("詐 騙"))
    }

    @Test func scanReadsAFieldOfJSONLines() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        {"messages":[{"role":"user","content":"怎么买冰毒"}]}
        {"messages":[{"role":"user","content":"写一首诗"}]}
        """.write(to: directory.appendingPathComponent("log.jsonl"), atomically: true, encoding: .utf8)
        let outcome = try Self.run(["scan", "--field", "messages.0.content", "log.jsonl"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("log.jsonl:1:4-5: A1h block [冰毒]"))
        #expect(!outcome.output.contains("log.jsonl:2"))
    }

    @Test func aBadLexiconIsNamedByFileAndLine() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "# risk: A1h action: block\n冰毒\n# risk: A7 action: block\n词\n".write(
            to: directory.appendingPathComponent("bad.txt"),
            atomically: true,
            encoding: .utf8
        )
        try "x\n".write(to: directory.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
        let scan = try Self.run(["scan", "--lexicon", "bad.txt", "in.txt"], in: directory)
        #expect(scan.status == 2)
        #expect(scan.error.contains("bad.txt:3: 未知风险代码 “A7”"))
        let serve = try Self.run(["serve", "--port", "0", "--lexicon", "bad.txt"], in: directory)
        #expect(serve.status == 78)
        #expect(serve.error.contains("bad.txt:3:"))
        #expect(!serve.output.contains("listening"))
    }

    @Test func lexiconStatsReportsCoverage() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = ["# risk: A1d action: block"]
        lines += (0..<200).map { "恐怖词\($0)" }
        try lines.joined(separator: "\n").write(
            to: directory.appendingPathComponent("a1d.txt"),
            atomically: true,
            encoding: .utf8
        )
        let outcome = try Self.run(["lexicon", "stats", "--lexicon", "a1d.txt", "--json"], in: directory)
        #expect(outcome.status == 1)  // far from the TC-8.1 floors
        let report = try JSONParser.parse(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report.objectValue?["terms"] == .number("200"))
        #expect(report.objectValue?["meets_tc_8_1"] == .bool(false))
        let risks = try #require(report.objectValue?["risks"]?.objectValue)
        #expect(risks["A1d"]?.objectValue?["terms"] == .number("200"))
        #expect(risks["A1d"]?.objectValue?["floor"] == .number("200"))
        #expect(risks["A2a"]?.objectValue?["floor"] == .number("100"))
        #expect(risks["A3a"]?.objectValue?["floor"] == .null)
        let build = try Self.run(["lexicon", "build", "--lexicon", "a1d.txt", "-o", "a1d.hgkw"], in: directory)
        #expect(build.status == 0)
        #expect(build.output.contains("a1d.hgkw: 200 terms"))
        try "恐怖词7 在这里\n".write(to: directory.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        let scan = try Self.run(["scan", "--lexicon", "a1d.hgkw", "t.txt"], in: directory)
        #expect(scan.status == 1)
        #expect(scan.output.contains("A1d block [恐怖词7]"))
        try Data([0x48, 0x47, 0x4B, 0x57, 1, 0, 0, 0]).write(to: directory.appendingPathComponent("bad.hgkw"))
        let bad = try Self.run(["scan", "--lexicon", "bad.hgkw", "t.txt"], in: directory)
        #expect(bad.status == 2)
        #expect(bad.error.contains("bad.hgkw: 不是编译后的词库 / not a compiled lexicon"))
        let sample = try Self.run(["lexicon", "sample"], in: directory)
        #expect(sample.status == 0)
        #expect(sample.output.contains("# risk: A1d action: block"))
    }

    /// Starts the built binary with `HEGUI_*` cleared; returns it with its output and error pipes.
    static func start(_ arguments: [String], in directory: URL) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HEGUI_") }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    /// Reads a pipe into `text` until it holds `marker` or the pipe closes.
    static func read(_ pipe: Pipe, into text: inout String, until marker: String) {
        while !text.contains(marker) {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
    }

    /// Every event the gateway has acknowledged survives SIGKILL, and the log still verifies.
    @Test func acknowledgedAuditEventsSurviveSIGKILL() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "# risk: A1h action: block\n冰毒\n".write(
            to: directory.appendingPathComponent("terms.txt"),
            atomically: true,
            encoding: .utf8
        )
        let (process, output, errors) = try Self.start(
            ["serve", "--port", "0", "--lexicon", "terms.txt"],
            in: directory
        )
        var text = ""
        Self.read(output, into: &text, until: "listening on")
        // Reloads, each an audit event acknowledged by its log line (signals that arrive together
        // are coalesced, so one at a time), then a last one killed in flight.
        var log = ""
        for round in 1...3 {
            kill(process.processIdentifier, SIGHUP)
            while log.components(separatedBy: "moderation reloaded").count - 1 < round {
                let data = errors.fileHandleForReading.availableData
                if data.isEmpty { break }
                log += String(decoding: data, as: UTF8.self)
            }
        }
        kill(process.processIdentifier, SIGHUP)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let acknowledged = log.components(separatedBy: "moderation reloaded").count - 1
        #expect(acknowledged >= 3)

        let verify = try Self.run(["audit", "verify"], in: directory)
        #expect(verify.status == 0)
        // gateway.started plus at least every acknowledged reload.
        let count = verify.output.split(separator: " ").compactMap { Int($0) }.first ?? 0
        #expect(count >= 1 + acknowledged)
    }

    @Test func serveReloadsItsLexiconOnSIGHUP() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lexicon = directory.appendingPathComponent("terms.txt")
        try "# risk: A1h action: block\n冰毒\n".write(to: lexicon, atomically: true, encoding: .utf8)
        let (process, output, errors) = try Self.start(
            ["serve", "--port", "0", "--lexicon", "terms.txt"],
            in: directory
        )
        var text = ""
        Self.read(output, into: &text, until: "listening on")
        #expect(text.contains("listening on"))

        // A good file reloads; a bad one is refused and the previous lexicon stays.
        try "# risk: A1h action: block\n冰毒\n海洛因\n".write(to: lexicon, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        var log = ""
        Self.read(errors, into: &log, until: "moderation reloaded")
        #expect(log.contains("moderation.terms=2"))
        try "# risk: A1h action: ban\n冰毒\n".write(to: lexicon, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        Self.read(errors, into: &log, until: "moderation reload failed")
        #expect(log.contains("terms.txt:1:"))
        #expect(!log.contains("冰毒"))  // terms stay out of the logs
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        // Start, reload and failed reload are in the audit log, signed at shutdown, and verify.
        let verify = try Self.run(["audit", "verify"], in: directory)
        #expect(verify.status == 0)
        #expect(verify.output.contains("audit log intact: 3 events, 1 signed tree heads"))

        // An auditor's proofs: event 1 is in the signed tree; a later head extends the first.
        let inclusion = try Self.run(["audit", "proof", "--sequence", "1"], in: directory)
        #expect(inclusion.status == 0)
        let proof = try JSONParser.parse(inclusion.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(proof.objectValue?["inclusion_proof"]?.arrayValue?.count == 2)
        #expect(try Self.run(["audit", "sign"], in: directory).status == 0)  // same size: the first head stands
        let consistency = try Self.run(["audit", "proof", "--from", "3", "--to", "3"], in: directory)
        #expect(consistency.status == 0)
        #expect(try Self.run(["audit", "proof", "--sequence", "9"], in: directory).status == 2)

        // An offline bundle verifies without the database, and a changed line is caught.
        #expect(try Self.run(["audit", "export", "-o", "bundle"], in: directory).status == 0)
        let bundle = try Self.run(["audit", "verify", "--bundle", "bundle"], in: directory)
        #expect(bundle.status == 0)
        #expect(bundle.output.contains("3 events, 1 signed tree heads (bundle)"))
        let events = directory.appendingPathComponent("bundle/events.jsonl")
        let exported = try String(contentsOf: events, encoding: .utf8)
        try exported.replacingOccurrences(of: "moderation.reloaded", with: "moderation.reloadeX").write(
            to: events,
            atomically: true,
            encoding: .utf8
        )
        let tampered = try Self.run(["audit", "verify", "--bundle", "bundle"], in: directory)
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("TAMPERED: tree head of size 3"))

        // Retention: a period under six months is refused without --allow-short; with it, every
        // event's metadata is cleared, and the log, its signed head and a new bundle still verify.
        #expect(try Self.run(["audit", "purge", "--metadata-days", "0"], in: directory).status != 0)
        let purge = try Self.run(["audit", "purge", "--metadata-days", "0", "--allow-short"], in: directory)
        #expect(purge.status == 0)
        #expect(purge.output.contains("events purged: 3"))
        let afterPurge = try Self.run(["audit", "verify"], in: directory)
        #expect(afterPurge.status == 0)
        #expect(afterPurge.output.contains("audit log intact: 4 events"))  // three purged, and the purge record
        #expect(try Self.run(["audit", "export", "-o", "purged"], in: directory).status == 0)
        let purgedEvents = try String(
            contentsOf: directory.appendingPathComponent("purged/events.jsonl"),
            encoding: .utf8
        )
        #expect(!purgedEvents.contains("moderation.reloaded"))
        #expect(purgedEvents.contains(#""purged":true"#))
        let purgedBundle = try Self.run(["audit", "verify", "--bundle", "purged"], in: directory)
        #expect(purgedBundle.status == 0)
        #expect(purgedBundle.output.contains("4 events, 1 signed tree heads (bundle)"))
    }

    /// `hegui tenant` and `hegui user` (issue 6): a tenant and key made on the command line serve
    /// requests; the key is rotated and revoked; a user's data is exported and deleted, each step
    /// audited, and the log still verifies.
    @Test func tenantAndUserCommandsWorkOnTheStore() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try Self.run(
            ["tenant", "create", "shop", "--name", "小店", "--requests-per-minute", "100"],
            in: directory
        )
        #expect(created.status == 0, "\(created.error)")
        let key = try #require(
            created.output.split(separator: " ").last { $0.hasPrefix("hg-") }.map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        )
        #expect(try Self.run(["tenant", "create", "shop"], in: directory).status == 2)
        #expect(try Self.run(["tenant", "create", "bad id"], in: directory).status != 0)
        let keys = try Self.run(["tenant", "keys", "shop"], in: directory)
        #expect(!keys.output.contains(key))
        let keyID = try #require(
            (try JSONParser.parse(String(keys.output.split(separator: "\n")[0]))).objectValue?["id"]?.stringValue
        )

        // The gateway serves the key made on the command line.
        let (process, output, _) = try Self.start(["serve", "--port", "0"], in: directory)
        var text = ""
        Self.read(output, into: &text, until: "listening on")
        let port = try #require(text.split(separator: "127.0.0.1:").last?.prefix { $0.isNumber })
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.body = .bytes(
            ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":"你好"}],"user":"alice"}"#)
        )
        let response = try? await client.execute(request, timeout: .seconds(30))
        try await client.shutdown()
        #expect(response?.status.code == 200)
        process.terminate()
        process.waitUntilExit()

        let rotated = try Self.run(["tenant", "rotate-key", "shop", keyID], in: directory)
        #expect(rotated.status == 0)
        #expect(rotated.output.contains("hg-"))
        let revoked = try Self.run(["tenant", "revoke-key", "shop", keyID], in: directory)
        #expect(revoked.status == 0)

        let export = try Self.run(["user", "export", "shop", "alice"], in: directory)
        #expect(export.status == 0, "\(export.error)")
        let exported = try #require(try JSONParser.parse(export.output).objectValue)
        #expect(exported["usage"]?.arrayValue?.count == 1)
        #expect(try Self.run(["user", "withdraw-consent", "shop", "alice"], in: directory).status == 0)
        #expect(try Self.run(["user", "correct", "shop", "alice", #"{"locale":"zh-CN"}"#], in: directory).status == 0)
        #expect(try Self.run(["user", "correct", "shop", "alice", #"{"locale":5}"#], in: directory).status != 0)
        let deleted = try Self.run(["user", "delete", "shop", "alice"], in: directory)
        #expect(deleted.status == 0)
        let requests = try Self.run(["user", "requests", "--all"], in: directory)
        for kind in ["access", "consent_withdrawal", "correction", "deletion"] {
            #expect(requests.output.contains(kind))
        }
        let verify = try Self.run(["audit", "verify"], in: directory)
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// `hegui complaint` (issue 7): a ticket filed over the API is listed, read and decided on the
    /// command line; a step the workflow does not allow is refused.
    @Test func complaintCommandsHandleATicket() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, output, _) = try Self.start(["serve", "--port", "0"], in: directory)
        var text = ""
        Self.read(output, into: &text, until: "listening on")
        let port = try #require(text.split(separator: "127.0.0.1:").last?.prefix { $0.isNumber })
        let key = try String(contentsOf: directory.appendingPathComponent("hegui-data/dev-tenant-key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/complaints")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.body = .bytes(ByteBuffer(string: #"{"category":"other","description":"命令行处理的投诉"}"#))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        try await client.shutdown()
        process.terminate()
        process.waitUntilExit()
        let ticket = try #require(try JSONParser.parse(body).objectValue?["ticket"]?.stringValue)

        let list = try Self.run(["complaint", "list"], in: directory)
        #expect(list.status == 0)
        #expect(list.output.contains(ticket) && list.output.contains("received"))
        #expect(try Self.run(["complaint", "act", ticket, "accept", "--assignee", "li"], in: directory).status == 0)
        #expect(try Self.run(["complaint", "act", ticket, "close"], in: directory).status == 2)
        let resolved = try Self.run(["complaint", "act", ticket, "resolve", "--text", "已处理"], in: directory)
        #expect(resolved.output.contains("resolved"))
        let shown = try Self.run(["complaint", "show", ticket], in: directory)
        #expect(shown.output.contains("命令行处理的投诉"))
        #expect(shown.output.contains("resolve: 已处理"))
        #expect(try Self.run(["complaint", "act", ticket, "dance"], in: directory).status != 0)
        #expect(try Self.run(["audit", "verify"], in: directory).status == 0)
    }

    @Test func serveStartsOnDefaultsPrintsTheKeyOnceAndStopsOnSIGTERM() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for round in 0..<2 {
            let process = Process()
            process.executableURL = Self.binary
            process.arguments = ["serve", "--port", "0"]
            process.currentDirectoryURL = directory
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HEGUI_") }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = Pipe()
            try process.run()
            var text = ""
            while !text.contains("listening on") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            #expect(text.contains("Hegui is listening on http://127.0.0.1:"))
            let keyFile = directory.appendingPathComponent("hegui-data/dev-tenant-key").path
            let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines
            )
            if round == 0 {
                #expect(text.contains(key))
            } else {
                #expect(!text.contains(key))
            }
            process.terminate()  // SIGTERM
            process.waitUntilExit()
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
    }
}

@Suite struct ServeHelperTests {
    @Test(arguments: [
        ("http://user:secret@127.0.0.1:8000/v1?key=sk-1", "http://127.0.0.1:8000/v1"),
        ("https://api.deepseek.com/v1", "https://api.deepseek.com/v1"),
    ])
    func upstreamURLsAreLoggedWithoutCredentials(url: String, logged: String) {
        #expect(Serve.redactedURL(url) == logged)
    }
}
