import AsyncHTTPClient
import Foundation
import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Enforcement on the wire (issue 5): a scripted model served over HTTP, the gateway in front of it
/// with a real lexicon file and an audit log on a real SQLite file, and a real HTTP client.
/// Requirement IDs: IM-4, IM-14.1–14.3, TC-7.7, OPS-3.
@Suite(.timeLimit(.minutes(10)))
struct EnforcementTests {
    typealias Fixtures = GatewayFixtures

    static let lexicon = """
        # risk: A1d action: block
        恐怖袭击
        # risk: A4a action: redact
        傻逼
        """

    struct Harness: Sendable {
        var port: Int
        var client: HTTPClient
        var log: AuditLog
        var store: SQLStore
        var model: ScriptedModel
        var lexiconPath: String

        /// The audit events recorded so far, waiting briefly for queued ones.
        func events(type: String, count: Int) async throws -> [AuditEvent] {
            for _ in 0..<100 {
                let events = try await self.log.events(from: 0, limit: 1_000).map(\.0).filter { $0.type == type }
                if events.count >= count { return events }
                try await Task.sleep(for: .milliseconds(20))
            }
            return try await self.log.events(from: 0, limit: 1_000).map(\.0).filter { $0.type == type }
        }

        func chat(_ body: String, key: String = GatewayFixtures.tenantKey) async throws -> HTTPClientResponse {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            return try await self.client.execute(request, timeout: .seconds(30))
        }

        func post(_ path: String, _ body: String, headers: [(String, String)]) async throws -> (Int, JSONObject) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(self.port)\(path)")
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await self.client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), try #require(try JSONParser.parse(text).objectValue))
        }
    }

    static let adminToken = "hg-admin-enforcement-test-0123"

    static func withGateway(
        _ script: ScriptedModel.Script = .init(),
        refusal: GatewayConfiguration.Refusal = .answer,
        classifiers: [GatewayConfiguration.Classifier] = [],
        chatLabels: ChatLabelPolicy? = nil,
        _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        let model = ScriptedModel(script)
        let directory = NSTemporaryDirectory() + "hegui-enforce-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lexiconPath = directory + "/terms.txt"
        try Self.lexicon.write(toFile: lexiconPath, atomically: true, encoding: .utf8)
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        var moderation = GatewayConfiguration.Moderation()
        moderation.lexicons = [lexiconPath]
        var enforcement = Fixtures.enforcement(moderation: moderation, auditLog: log, store: store)
        let classifierClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        if !classifiers.isEmpty {
            enforcement.classifiers = ClassifierSet(classifiers: classifiers, client: classifierClient)
        }
        do {
            try await Self.serve(
                model: model,
                enforcement: enforcement,
                refusal: refusal,
                chatLabels: chatLabels,
                log: log,
                store: store,
                lexiconPath: lexiconPath,
                body
            )
        } catch {
            try? await classifierClient.shutdown()
            await store.close()
            throw error
        }
        try await classifierClient.shutdown()
        await store.close()
    }

    static func serve(
        model: ScriptedModel,
        enforcement: Enforcement,
        refusal: GatewayConfiguration.Refusal,
        chatLabels: ChatLabelPolicy? = nil,
        log: AuditLog,
        store: SQLStore,
        lexiconPath: String,
        _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        try await withModelServer(model) { modelPort in
            var upstream = GatewayConfiguration.Upstream(url: "http://127.0.0.1:\(modelPort)/v1")
            upstream.connectTimeoutMilliseconds = 2_000
            var configuration = Fixtures.configuration()
            configuration.upstream = upstream
            configuration.tenants[0].refusal = refusal
            configuration.tenants[0].chatLabels = chatLabels
            let upstreamClient = HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: HTTPModelUpstream.clientConfiguration(for: upstream)
            )
            let appClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            do {
                try await withRunningServer({ onRunning in
                    Fixtures.application(
                        configuration: configuration,
                        upstream: HTTPModelUpstream(configuration: upstream, client: upstreamClient),
                        enforcement: enforcement,
                        admin: AdminAccess(tokenDigest: APIKeyDigest.hex(of: Self.adminToken), auditLog: log),
                        onServerRunning: onRunning
                    )
                }) { port in
                    try await body(
                        Harness(
                            port: port,
                            client: appClient,
                            log: log,
                            store: store,
                            model: model,
                            lexiconPath: lexiconPath
                        )
                    )
                }
            } catch {
                try? await appClient.shutdown()
                try? await upstreamClient.shutdown()
                throw error
            }
            try await appClient.shutdown()
            try await upstreamClient.shutdown()
        }
    }

    static func json(_ response: HTTPClientResponse) async throws -> JSONObject {
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return try #require(try JSONParser.parse(text).objectValue)
    }

    static func events(_ response: HTTPClientResponse) async throws -> [ServerSentEvent] {
        var reader = EventStreamReader(response)
        return try await reader.rest()
    }

    /// The content a client assembles from a stream's chunks.
    /// The model's answer as shown: the gateway's opening label chunk (which carries `aigc`, checked
    /// by ChatLabelTests) is left out.
    static func shownContent(_ events: [ServerSentEvent]) throws -> String {
        try events.filter { !$0.isDone && !$0.data.contains(#""aigc":"#) }.map { event -> String in
            let object = try JSONParser.parse(event.data).objectValue
            return (object?["choices"]?.arrayValue ?? []).compactMap {
                $0.objectValue?["delta"]?.objectValue?["content"]?.stringValue
            }.joined()
        }.joined()
    }

    // MARK: Input

    @Test func aRefusedPromptGetsTheCompliantAnswerAndNeverReachesTheModel() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.chat(Fixtures.chatBody("怎么策划恐怖袭击"))
            #expect(response.status == .ok)
            let body = try await Self.json(response)
            let choice = try #require(body["choices"]?.arrayValue?.first?.objectValue)
            #expect(choice["finish_reason"] == "content_filter")
            #expect(choice["message"]?.objectValue?["content"]?.stringValue == ModerationPolicy.builtInAnswer)
            #expect(body["hegui"]?.objectValue?["risk"] == .array(["A1d"]))
            #expect(harness.model.received.isEmpty)

            // Recorded durably before the answer, with the prompt kept as evidence.
            let event = try #require(try await harness.events(type: "moderation.input", count: 1).first)
            #expect(event.action == .block && event.risks == [RiskCode("A1d")!])
            #expect(event.tenant == "app-one" && event.user?.count == 64 && event.user != "user-1")
            #expect(event.details["policy_version"]?.count == 16)
            #expect(event.contentDigest?.count == 64)
            #expect(try await harness.store.evidence(sequence: event.sequence) == "怎么策划恐怖袭击")
            // It counts against the user for the sanctions ladder, and the user can be found again
            // for a user-rights request.
            let pseudonym = try #require(event.user)
            #expect(try await harness.store.violationCount(tenant: "app-one", pseudonym: pseudonym, since: 0) == 1)
            #expect(try await harness.store.pseudonyms(tenant: "app-one", user: "user-1") == [pseudonym])
        }
    }

    @Test func aTenantCanPreferAnErrorToTheAnswer() async throws {
        try await Self.withGateway(refusal: .error) { harness in
            let response = try await harness.chat(Fixtures.chatBody("恐怖袭击"))
            #expect(response.status == .badRequest)
            let error = try #require(try await Self.json(response)["error"]?.objectValue)
            #expect(error["code"] == "content_filter")
            #expect(harness.model.received.isEmpty)
        }
    }

    @Test func aRefusedStreamingPromptGetsAStreamedAnswer() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.chat(Fixtures.chatBody("恐怖袭击", stream: true))
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
            let events = try await Self.events(response)
            #expect(events.last?.isDone == true)
            #expect(try Self.shownContent(events) == ModerationPolicy.builtInAnswer)
            #expect(events.contains { $0.data.contains(#""finish_reason":"content_filter""#) })
        }
    }

    @Test func redactedSpansAreMaskedBeforeForwarding() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.chat(Fixtures.chatBody("你这个傻逼"))
            #expect(response.status == .ok)
            let forwarded = try #require(harness.model.received.first?.body)
            #expect(forwarded.contains("你这个**") && !forwarded.contains("傻逼"))
            // Allowed traffic keeps no content: only the digest.
            let events = try await harness.events(type: "moderation.output", count: 1)
            #expect(events.first?.action == .allow)
            #expect(try await harness.store.evidence(sequence: try #require(events.first).sequence) == nil)
        }
    }

    // MARK: Output

    @Test func aRefusedAnswerIsReplacedWhole() async throws {
        try await Self.withGateway(.init(reply: "好的，下面是恐怖袭击的计划。")) { harness in
            let response = try await harness.chat(Fixtures.chatBody("讲个故事"))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(!text.contains("恐怖") && text.contains(#""finish_reason":"content_filter""#))
            #expect(text.contains(#""id":"chatcmpl-scripted""#))
            let event = try #require(try await harness.events(type: "moderation.output", count: 1).first)
            #expect(event.action == .block)
            #expect(try await harness.store.evidence(sequence: event.sequence) == "好的，下面是恐怖袭击的计划。")
        }
    }

    /// The term split at every position, one character per chunk, and the whole answer in one.
    static let splits: [[String]] = {
        let answer = Array("我知道恐怖袭击怎么做")
        var cases = (1..<answer.count).map { [String(answer[..<$0]), String(answer[$0...])] }
        cases.append(answer.map { String($0) })
        cases.append([String(answer)])
        return cases
    }()

    @Test(arguments: Self.splits)
    func noCharacterOfARefusedTermReachesAStreamingClient(pieces: [String]) async throws {
        var script = ScriptedModel.Script()
        script.pieces = pieces
        try await Self.withGateway(script) { harness in
            let response = try await harness.chat(
                Fixtures.chatBody("讲个故事", stream: true, extra: #","stream_options":{"include_usage":true}"#)
            )
            let events = try await Self.events(response)
            let shown = try Self.shownContent(events.dropLast(2))
            #expect("我知道".hasPrefix(shown), "shown: \(shown)")
            #expect(!shown.contains("恐"))
            #expect(events.last?.isDone == true)
            let finalEvent = try #require(events.dropLast().last)
            let final = try #require(try JSONParser.parse(finalEvent.data).objectValue)
            let choice = try #require(final["choices"]?.arrayValue?.first?.objectValue)
            #expect(choice["finish_reason"] == "content_filter")
            #expect(final["hegui"]?.objectValue?["retract"] == .bool(true))
            let event = try #require(try await harness.events(type: "moderation.output", count: 1).first)
            #expect(event.action == .block && event.details["stopped"] == "true")
        }
    }

    @Test func theUpstreamIsLetGoAfterAHit() async throws {
        var script = ScriptedModel.Script()
        script.pieces = ["开始", "恐怖袭击"] + Array(repeating: "后面还有很多内容。", count: 200)
        script.chunkDelay = .milliseconds(5)
        try await Self.withGateway(script) { harness in
            let response = try await harness.chat(Fixtures.chatBody("讲个故事", stream: true))
            let events = try await Self.events(response)
            #expect(events.last?.isDone == true)
            // The model stops being read: far fewer than its 204 chunks are ever served.
            try await Task.sleep(for: .milliseconds(300))
            let served = harness.model.servedChunks
            try await Task.sleep(for: .milliseconds(300))
            #expect(harness.model.servedChunks == served)
            #expect(served < 100)
        }
    }

    @Test func cleanStreamsAndUsageChunksPassThrough() async throws {
        var script = ScriptedModel.Script(reply: "今天天气很好，适合散步。", chunkCharacters: 2)
        script.reportedModel = "m"
        try await Self.withGateway(script) { harness in
            let response = try await harness.chat(
                Fixtures.chatBody("天气", stream: true, extra: #","stream_options":{"include_usage":true}"#)
            )
            let events = try await Self.events(response)
            #expect(try Self.shownContent(events) == "今天天气很好，适合散步。")
            #expect(events.contains { $0.data.contains(#""usage""#) })
            #expect(events.last?.isDone == true)
        }
    }

    // MARK: /v1/moderations and reloads

    @Test func theModerationsEndpointAnswersInOpenAIsShape() async throws {
        try await Self.withGateway { harness in
            let (status, body) = try await harness.post(
                "/v1/moderations",
                #"{"input":["你好","恐怖袭击","打电话给13812345678"]}"#,
                headers: [("Authorization", "Bearer \(Fixtures.tenantKey)"), ("Content-Type", "application/json")]
            )
            #expect(status == 200)
            let results = try #require(body["results"]?.arrayValue)
            #expect(results.map { $0.objectValue?["flagged"] } == [.bool(false), .bool(true), .bool(true)])
            let blocked = try #require(results[1].objectValue)
            #expect(blocked["categories"]?.objectValue?["A1d"] == .bool(true))
            #expect(blocked["categories"]?.objectValue?["A1a"] == .bool(false))
            #expect(blocked["category_scores"]?.objectValue?.members.count == 31)
            let hegui = try #require(blocked["hegui"]?.objectValue)
            #expect(hegui["action"] == "block" && hegui["answer"] != nil)
            let span = hegui["hits"]?.arrayValue?.first?.objectValue?["span"]?.objectValue
            #expect(span?["characters"] == .array([.number("0"), .number("4")]))
            #expect(span?["bytes"] == .array([.number("0"), .number("12")]))
            let check = try #require(try await harness.events(type: "moderation.check", count: 1).first)
            #expect(check.action == .block)

            let (bad, error) = try await harness.post(
                "/v1/moderations",
                #"{"input":42}"#,
                headers: [("Authorization", "Bearer \(Fixtures.tenantKey)")]
            )
            #expect(bad == 400 && error["error"]?.objectValue?["code"] == "invalid_parameter")
        }
    }

    @Test func aReloadTakesNewTermsWithoutARestart() async throws {
        try await Self.withGateway { harness in
            #expect(try await harness.chat(Fixtures.chatBody("新违禁词")).status == .ok)
            #expect(harness.model.received.count == 1)
            try (Self.lexicon + "\n# risk: A1d action: block\n新违禁词\n").write(
                toFile: harness.lexiconPath,
                atomically: true,
                encoding: .utf8
            )
            let auth = [("Authorization", "Bearer \(Self.adminToken)")]
            let (status, summary) = try await harness.post("/admin/policy/reload", "", headers: auth)
            #expect(status == 200 && summary["terms"] == .number("3"))
            let refused = try await Self.json(try await harness.chat(Fixtures.chatBody("新违禁词")))
            #expect(refused["hegui"] != nil)
            #expect(harness.model.received.count == 1)
            // The first request was ordinary: one `moderation.checked` event for input and answer.
            let before = try #require(try await harness.events(type: "moderation.checked", count: 1).first)
            let after = try #require(try await harness.events(type: "moderation.input", count: 1).first)
            #expect(before.details["policy_version"] != after.details["policy_version"])
            #expect(before.details["direction"] == "both")

            // A broken file is refused and the rules in force stay.
            try "# risk: A1d action: ban\n坏\n".write(toFile: harness.lexiconPath, atomically: true, encoding: .utf8)
            let (failed, error) = try await harness.post("/admin/policy/reload", "", headers: auth)
            #expect(failed == 422 && error["error"]?.objectValue?["code"] == "policy_invalid")
            #expect(try await Self.json(try await harness.chat(Fixtures.chatBody("新违禁词")))["hegui"] != nil)
        }
    }

    @Test func reloadsUnderLoadDropNoRequest() async throws {
        var script = ScriptedModel.Script(reply: "今天天气很好，适合散步。", chunkCharacters: 2)
        script.chunkDelay = .milliseconds(2)
        try await Self.withGateway(script) { harness in
            let auth = [("Authorization", "Bearer \(Self.adminToken)")]
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var statuses: [Int] = []
                        for index in 0..<10 {
                            let stream = (worker + index) % 2 == 0
                            let response = try await harness.chat(Fixtures.chatBody("天气", stream: stream))
                            if stream {
                                let events = try await Self.events(response)
                                statuses.append(events.last?.isDone == true ? Int(response.status.code) : 599)
                            } else {
                                _ = try await response.body.collect(upTo: 1 << 20)
                                statuses.append(Int(response.status.code))
                            }
                        }
                        return statuses
                    }
                }
                group.addTask {
                    var reloads: [Int] = []
                    for round in 0..<5 {
                        try (Self.lexicon + "\n# risk: A1d action: block\n新词\(round)\n").write(
                            toFile: harness.lexiconPath,
                            atomically: true,
                            encoding: .utf8
                        )
                        reloads.append(try await harness.post("/admin/policy/reload", "", headers: auth).0)
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return reloads
                }
                var all: [Int] = []
                for try await part in group { all += part }
                return all
            }
            #expect(statuses.count == 85)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(try await harness.events(type: "moderation.reloaded", count: 5).count == 5)
        }
    }

    @Test func anOrdinaryRequestIsOneAuditEventWithNoContent() async throws {
        try await Self.withGateway { harness in
            #expect(try await harness.chat(Fixtures.chatBody("你好")).status == .ok)
            let checked = try await harness.events(type: "moderation.checked", count: 1)
            #expect(checked.count == 1 && checked.first?.action == .allow)
            #expect(checked.first?.contentDigest?.count == 64 && checked.first?.details["direction"] == "both")
            try await Task.sleep(for: .milliseconds(100))
            let types = try await harness.log.events(from: 0, limit: 100).map(\.0.type)
            #expect(types.filter { $0.hasPrefix("moderation.") } == ["moderation.checked"])
            #expect(try await harness.store.evidence(sequence: try #require(checked.first).sequence) == nil)
        }
    }

    /// OPS-1: an answer the app has received is already in the log (no waiting, no polling), so a
    /// replica killed the moment after loses no acknowledged event; a stream's decision is
    /// committed before the write that carries `[DONE]`.
    @Test(arguments: [false, true])
    func anAnswerIsOnRecordBeforeTheAppHasIt(stream: Bool) async throws {
        try await Self.withGateway { harness in
            let response = try await harness.chat(Fixtures.chatBody("你好", stream: stream))
            #expect(response.status == .ok)
            if stream {
                let events = try await Self.events(response)
                #expect(events.last?.isDone == true)
            } else {
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            let requestID = try #require(response.headers.first(name: "X-Request-Id"))
            let recorded = try await harness.log.events(from: 0, limit: 1_000).map(\.0)
                .filter { $0.type == "moderation.checked" && $0.requestID == requestID }
            #expect(recorded.count == 1)
            #expect(recorded.first?.details["stream"] == (stream ? "true" : "false"))
        }
    }

    /// `audit.await_commit` (OPS-1): on (the default), an allowed decision is in the log when
    /// `record` returns, and one that cannot be recorded stops the answer; off, the answer goes
    /// out and the event follows. A violation is committed first, or refused, either way.
    @Test(arguments: [true, false])
    func awaitCommitDecidesWhetherAnAnswerWaitsForItsEvent(awaits: Bool) async throws {
        let directory = NSTemporaryDirectory() + "hegui-recorder-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        let recorder = DecisionRecorder(
            auditLog: log,
            store: store,
            key: [UInt8](repeating: 7, count: 32),
            logger: Logger(label: "test"),
            awaitsCommit: awaits
        )
        func decision(_ action: ModerationAction, _ id: String) -> DecisionRecorder.Decision {
            DecisionRecorder.Decision(
                type: "moderation.checked",
                tenant: "app",
                user: nil,
                requestID: id,
                action: action,
                risks: action == .allow ? [] : [.personalInformation],
                text: "你好",
                evidence: nil,
                details: [:]
            )
        }
        try await recorder.record(decision(.allow, "req_1"))
        if awaits { #expect(try await store.auditEventCount() == 1) }
        try await recorder.record(decision(.block, "req_2"))
        let recorded = try await store.auditEvents(from: 0, limit: 10).map(\.0.requestID)
        #expect(recorded.contains("req_2") && (!awaits || recorded == ["req_1", "req_2"]))

        await store.close()
        await #expect(throws: APIError.self) { try await recorder.record(decision(.block, "req_3")) }
        if awaits {
            await #expect(throws: APIError.self) { try await recorder.record(decision(.allow, "req_4")) }
        } else {
            try await recorder.record(decision(.allow, "req_4"))
        }
    }

    @Test func anInputIsRecordedEvenWhenTheUpstreamFails() async throws {
        var script = ScriptedModel.Script()
        script.fault = .status(500, body: "{}")
        try await Self.withGateway(script) { harness in
            #expect(try await harness.chat(Fixtures.chatBody("你好")).status == .badGateway)
            let input = try await harness.events(type: "moderation.input", count: 1)
            #expect(input.first?.action == .allow)
        }
    }
}
