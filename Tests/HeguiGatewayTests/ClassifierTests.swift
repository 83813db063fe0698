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
import Testing

/// Classifier models beside the lexicon (issue 5 item 4; TC-8): a fake guard model and a fake
/// generic endpoint on loopback, timeouts failing closed or open, streams held or retracted.
@Suite(.timeLimit(.minutes(10)))
struct ClassifierTests {
    typealias Fixtures = GatewayFixtures

    /// A guard model in the manner of Qwen3Guard at `/v1/chat/completions` and a generic JSON
    /// endpoint at `/check`: "炸药" is unsafe (Violent), "赌博" flagged as A1h, "慢" takes 2 s.
    static func withClassifierServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await withRunningServer(
            { onRunning in
                let router = Router()
                router.post("v1/chat/completions") { request, _ -> Response in
                    let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
                    if text.contains("慢") { try await Task.sleep(for: .seconds(2)) }
                    let verdict = text.contains("炸药") ? "Safety: Unsafe\\nCategories: Violent" : "Safety: Safe"
                    let answer = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"\#(verdict)"}}]}"#
                    return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: answer)))
                }
                router.post("check") { request, _ -> Response in
                    let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
                    if text.contains("慢") { try await Task.sleep(for: .seconds(2)) }
                    let answer =
                        text.contains("坏响应")
                        ? "oops"
                        : text.contains("赌博") ? #"{"flagged":true,"categories":{"A1h":true}}"# : #"{"flagged":false}"#
                    return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: answer)))
                }
                return Application(
                    router: router,
                    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: onRunning,
                    logger: Logger(label: "test.classifier")
                )
            },
            body
        )
    }

    static func guardModel(
        port: Int,
        timeout: Int = 1_000,
        onFailure: GatewayConfiguration.Classifier.Failure = .block
    )
        -> GatewayConfiguration.Classifier
    {
        var classifier = GatewayConfiguration.Classifier(
            name: "guard",
            kind: .openaiChat,
            url: "http://127.0.0.1:\(port)/v1"
        )
        classifier.model = "guard"
        classifier.labels = [("Violent", RiskCode("A1d")!)]
        classifier.timeoutMilliseconds = timeout
        classifier.onFailure = onFailure
        classifier.directions = [.input]
        return classifier
    }

    static func generic(port: Int, holds: Bool) -> GatewayConfiguration.Classifier {
        var classifier = GatewayConfiguration.Classifier(
            name: "generic",
            kind: .httpJSON,
            url: "http://127.0.0.1:\(port)/check"
        )
        classifier.directions = [.output]
        classifier.holdsStream = holds
        classifier.streamCharacters = 4
        return classifier
    }

    @Test func aGuardModelRefusesWhatTheLexiconMisses() async throws {
        try await Self.withClassifierServer { port in
            try await EnforcementTests.withGateway(classifiers: [Self.guardModel(port: port)]) { harness in
                let body = try await EnforcementTests.json(try await harness.chat(Fixtures.chatBody("教我做炸药")))
                #expect(body["choices"]?.arrayValue?.first?.objectValue?["finish_reason"] == "content_filter")
                #expect(harness.model.received.isEmpty)
                let event = try #require(try await harness.events(type: "moderation.input", count: 1).first)
                #expect(event.action == .block && event.risks == [RiskCode("A1d")!])

                // A safe prompt passes the guard and reaches the model.
                #expect(try await harness.chat(Fixtures.chatBody("你好")).status == .ok)
                #expect(harness.model.received.count == 1)
            }
        }
    }

    @Test func aTimedOutClassifierFailsClosedAndIsAudited() async throws {
        try await Self.withClassifierServer { port in
            try await EnforcementTests.withGateway(classifiers: [Self.guardModel(port: port, timeout: 200)]) {
                harness in
                let response = try await harness.chat(Fixtures.chatBody("慢一点"))
                #expect(response.status == .serviceUnavailable)
                #expect(
                    try await EnforcementTests.json(response)["error"]?.objectValue?["code"] == "moderation_unavailable"
                )
                #expect(harness.model.received.isEmpty)
                let failure = try #require(
                    try await harness.events(type: "moderation.classifier_error", count: 1).first
                )
                #expect(failure.details["error"] == "timeout" && failure.details["on_failure"] == "block")
            }
        }
    }

    @Test func aClassifierCanFailOpen() async throws {
        try await Self.withClassifierServer { port in
            let classifier = Self.guardModel(port: port, timeout: 200, onFailure: .allow)
            try await EnforcementTests.withGateway(classifiers: [classifier]) { harness in
                #expect(try await harness.chat(Fixtures.chatBody("慢一点")).status == .ok)
                let failure = try #require(
                    try await harness.events(type: "moderation.classifier_error", count: 1).first
                )
                #expect(failure.details["on_failure"] == "allow")
            }
        }
    }

    @Test func aWholeAnswerFlaggedByAClassifierIsReplaced() async throws {
        try await Self.withClassifierServer { port in
            let classifier = Self.generic(port: port, holds: false)
            try await EnforcementTests.withGateway(.init(reply: "我们去赌博吧。"), classifiers: [classifier]) { harness in
                let text = String(
                    buffer: try await harness.chat(Fixtures.chatBody("周末做什么")).body.collect(upTo: 1 << 20)
                )
                #expect(!text.contains("赌博") && text.contains("content_filter"))
                let event = try #require(try await harness.events(type: "moderation.output", count: 1).first)
                #expect(event.risks == [RiskCode("A1h")!])
            }
        }
    }

    @Test func aHoldingClassifierSeesEachSentenceBeforeItIsShown() async throws {
        try await Self.withClassifierServer { port in
            var script = ScriptedModel.Script()
            script.pieces = ["今天天气很好。", "我们去", "赌博吧。", "然后回家。"]
            try await EnforcementTests.withGateway(script, classifiers: [Self.generic(port: port, holds: true)]) {
                harness in
                let events = try await EnforcementTests.events(
                    try await harness.chat(Fixtures.chatBody("周末", stream: true))
                )
                let shown = try EnforcementTests.shownContent(events.dropLast(2))
                #expect(shown == "今天天气很好。")
                #expect(events.last?.isDone == true)
                #expect(events.dropLast().last?.data.contains(#""retract":true"#) == true)
            }
        }
    }

    @Test func aClassifierAlongsideAStreamRetractsWhatWasShown() async throws {
        try await Self.withClassifierServer { port in
            var script = ScriptedModel.Script()
            script.pieces = ["今天天气很好。", "我们去赌博吧。"] + Array(repeating: "然后回家。", count: 30)
            script.chunkDelay = .milliseconds(10)
            try await EnforcementTests.withGateway(script, classifiers: [Self.generic(port: port, holds: false)]) {
                harness in
                let events = try await EnforcementTests.events(
                    try await harness.chat(Fixtures.chatBody("周末", stream: true))
                )
                #expect(events.last?.isDone == true)
                let final = try #require(events.dropLast().last)
                #expect(final.data.contains(#""retract":true"#) && final.data.contains("content_filter"))
                let event = try #require(try await harness.events(type: "moderation.output", count: 1).first)
                #expect(event.action == .block && event.details["stopped"] == "true")
            }
        }
    }

    @Test(arguments: [
        ("Safety: Unsafe\nCategories: Violent", ["A1d"]),
        ("Safety: Safe\nCategories: None", []),
        ("unsafe\nS9", ["A1h"]),
        ("safe", []),
    ])
    func guardAnswersAreRead(answer: String, risks: [String]) {
        var classifier = GatewayConfiguration.Classifier(name: "g", kind: .openaiChat, url: "http://x")
        classifier.labels = [("Violent", RiskCode("A1d")!)]
        #expect(ClassifierSet.read(guardAnswer: answer, classifier: classifier).risks.map(\.rawValue) == risks)
    }
}
