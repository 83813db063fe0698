import AsyncHTTPClient
import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiTesting
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Testing

/// Wire-level behaviour on real loopback sockets: a scripted upstream served over HTTP, the
/// gateway forwarding to it with AsyncHTTPClient, and a real HTTP client reading the stream.
// Time limits guard against hangs, not slowness: the whole suite starts at once and under
// ThreadSanitizer on two cores a test can wait two minutes for its turn, so every suite allows ten.
@Suite(.timeLimit(.minutes(10)))
struct LiveStreamingTests {
    typealias Fixtures = GatewayFixtures

    /// Runs the scripted model on a port, a gateway in front of it on another, and the test.
    static func withGateway<Result: Sendable>(
        model: ScriptedModel,
        upstreamURL: String? = nil,
        upstreamKey: String? = nil,
        readTimeoutMilliseconds: Int = 10_000,
        onUpstreamRequest: @escaping @Sendable (Request) -> Void = { _ in },
        _ body: @Sendable (_ gatewayPort: Int, _ client: HTTPClient) async throws -> Result
    ) async throws -> Result {
        return try await withModelServer(model, onRequest: onUpstreamRequest) { modelPort in
            var upstreamConfiguration = GatewayConfiguration.Upstream(
                url: upstreamURL ?? "http://127.0.0.1:\(modelPort)/v1",
                apiKey: upstreamKey
            )
            upstreamConfiguration.readTimeoutMilliseconds = readTimeoutMilliseconds
            upstreamConfiguration.connectTimeoutMilliseconds = 2_000
            var configuration = Fixtures.configuration()
            configuration.upstream = upstreamConfiguration
            let upstreamClient = HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: HTTPModelUpstream.clientConfiguration(for: upstreamConfiguration)
            )
            let appClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            do {
                let result = try await withRunningServer(
                    { onRunning in
                        Fixtures.application(
                            configuration: configuration,
                            upstream: HTTPModelUpstream(configuration: upstreamConfiguration, client: upstreamClient),
                            onServerRunning: onRunning
                        )
                    }
                ) { gatewayPort in
                    try await body(gatewayPort, appClient)
                }
                try await appClient.shutdown()
                try await upstreamClient.shutdown()
                return result
            } catch {
                try? await appClient.shutdown()
                try? await upstreamClient.shutdown()
                throw error
            }
        }
    }

    static func chatRequest(port: Int, stream: Bool, prompt: String = "你好") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(Fixtures.tenantKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Fixtures.chatBody(prompt, stream: stream)))
        return request
    }

    /// Sends one non-streaming and one streaming request; returns each status and body.
    static func sendJSONAndStream(port: Int, client: HTTPClient) async throws -> [(status: Int, body: String)] {
        var results: [(status: Int, body: String)] = []
        for stream in [false, true] {
            let response = try await client.execute(Self.chatRequest(port: port, stream: stream), timeout: .seconds(30))
            results.append((Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20))))
        }
        return results
    }

    static func content(_ event: ServerSentEvent) throws -> String? {
        let json = try JSONParser.parse(event.data)
        return json.objectValue?["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"]?
            .stringValue
    }

    @Test func chunksReachTheClientBeforeTheUpstreamHasFinished() async throws {
        var script = ScriptedModel.Script(
            reply: "第一块之后，上游暂停。After the first chunks the upstream pauses.",
            chunkCharacters: 4
        )
        script.pauseAfterChunks = 3
        let reply = script.reply
        let model = ScriptedModel(script)
        try await Self.withGateway(model: model) { port, client in
            let response = try await client.execute(Self.chatRequest(port: port, stream: true), timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "X-Request-Id") != nil)
            var reader = EventStreamReader(response)
            // The label chunk, the role chunk and two content chunks arrive while the upstream is
            // still paused.
            var early: [ServerSentEvent] = []
            for _ in 0..<4 {
                early.append(try #require(try await reader.next()))
            }
            #expect(try Self.content(early[2]) == "第一块之")
            #expect(!early.contains { $0.isDone })
            model.release()
            let rest = try await reader.rest()
            #expect(rest.last?.isDone == true)
            let text = try (early + rest).filter { !$0.isDone }.compactMap(Self.content).joined()
            #expect(text == ChatLabelPolicy().leading + reply)
        }
    }

    @Test func anUpstreamDisconnectMidStreamEndsWithAnErrorEvent() async throws {
        var script = ScriptedModel.Script(reply: "这个回答会在中途断开。This answer breaks off.", chunkCharacters: 3)
        script.fault = .disconnectAfterChunks(4)
        try await Self.withGateway(model: ScriptedModel(script)) { port, client in
            let response = try await client.execute(Self.chatRequest(port: port, stream: true), timeout: .seconds(30))
            #expect(response.status == .ok)
            var reader = EventStreamReader(response)
            let events = try await reader.rest()
            // The upstream's socket is torn down abruptly, so the kernel may discard chunks the
            // gateway had not yet read: what arrives is some whole-chunk prefix (after the label
            // chunk), then the error.
            #expect((1...6).contains(events.count))
            #expect(!events.contains { $0.isDone })
            for event in events.dropLast() {
                let chunk = try JSONParser.parse(event.data)
                #expect(chunk.objectValue?["object"] == "chat.completion.chunk")
            }
            let json = try JSONParser.parse(try #require(events.last).data)
            #expect(json.objectValue?["error"]?.objectValue?["code"] == "upstream_stream_interrupted")
        }
    }

    @Test func aStalledUpstreamStreamTimesOutWithAnErrorEvent() async throws {
        var script = ScriptedModel.Script(reply: "上游会停住。The upstream stalls.", chunkCharacters: 3)
        script.fault = .hangAfterChunks(2)
        // The timeout leaves room for a loaded test machine to deliver the first two chunks.
        try await Self.withGateway(model: ScriptedModel(script), readTimeoutMilliseconds: 1_000) { port, client in
            let response = try await client.execute(Self.chatRequest(port: port, stream: true), timeout: .seconds(30))
            #expect(response.status == .ok)
            var reader = EventStreamReader(response)
            let events = try await reader.rest()
            #expect(events.count == 4)  // the label chunk, two chunks, the error
            let json = try JSONParser.parse(try #require(events.last).data)
            #expect(json.objectValue?["error"]?.objectValue?["code"] == "upstream_timeout")
        }
    }

    @Test func nonStreamingAnswersAreRelayedWhole() async throws {
        try await Self.withGateway(model: ScriptedModel(.init(reply: "整段回答 whole answer"))) { port, client in
            let response = try await client.execute(Self.chatRequest(port: port, stream: false), timeout: .seconds(30))
            #expect(response.status == .ok)
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(body.contains("整段回答 whole answer"))
            #expect(body.contains(#""id":"chatcmpl-scripted""#))
        }
    }

    @Test func aRefusedUpstreamConnectionIs502() async throws {
        // Bind a port and close it again, so nothing listens there.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(
            host: "127.0.0.1",
            port: 0
        ).get()
        let closedPort = channel.localAddress?.port ?? 1
        try await channel.close()
        try await Self.withGateway(model: ScriptedModel(), upstreamURL: "http://127.0.0.1:\(closedPort)/v1") {
            port,
            client in
            for (status, body) in try await Self.sendJSONAndStream(port: port, client: client) {
                #expect(status == 502)
                #expect(body.contains("upstream_unavailable"))
            }
        }
    }

    @Test func theUpstreamSeesTheGatewaysKeyNeverTheTenants() async throws {
        let seen = NIOLockedValueBox<[String]>([])
        let record: @Sendable (Request) -> Void = { request in
            seen.withLockedValue { $0.append(request.headers[.authorization] ?? "(none)") }
        }
        try await Self.withGateway(model: ScriptedModel(), upstreamKey: "sk-upstream-only", onUpstreamRequest: record) {
            port,
            client in
            for (status, _) in try await Self.sendJSONAndStream(port: port, client: client) {
                #expect(status == 200)
            }
        }
        #expect(seen.withLockedValue { $0 } == ["Bearer sk-upstream-only", "Bearer sk-upstream-only"])
    }

    @Test func anOversizedBodyOnTheWireGets413AndTheGatewayKeepsServing() async throws {
        let model = ScriptedModel()
        try await Self.withGateway(model: model) { port, client in
            var request = Self.chatRequest(port: port, stream: false)
            request.body = .bytes(ByteBuffer(string: Fixtures.chatBody(String(repeating: "大", count: 600_000))))
            let response = try await client.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 413)
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(body.contains("request_too_large"))
            let next = try await client.execute(Self.chatRequest(port: port, stream: false), timeout: .seconds(30))
            #expect(next.status == .ok)
        }
        #expect(model.received.count == 1)
    }

    @Test func gracefulShutdownLetsAnInFlightStreamFinish() async throws {
        var script = ScriptedModel.Script(reply: "关机时仍在进行的回答会完整送达。", chunkCharacters: 2)
        script.chunkDelay = .milliseconds(40)
        let model = ScriptedModel(script)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let ports = AsyncStream<Int>.makeStream()
        let app = Fixtures.application(
            upstream: model,
            onServerRunning: { channel in
                ports.continuation.yield(channel.localAddress?.port ?? 0)
            }
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var portIterator = ports.stream.makeAsyncIterator()
            let port = try #require(await portIterator.next())
            let response = try await client.execute(Self.chatRequest(port: port, stream: true), timeout: .seconds(30))
            var reader = EventStreamReader(response)
            _ = try await reader.next()
            await group.triggerGracefulShutdown()
            let rest = try await reader.rest()
            #expect(rest.last?.isDone == true)
            let text = try rest.filter { !$0.isDone }.compactMap(Self.content).joined()
            #expect(text == script.reply)
            try await tasks.waitForAll()
        }
        try await client.shutdown()
    }
}
