import AsyncHTTPClient
import HTTPTypes
import HeguiGateway
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Streamed upstream answers received a socket read at a time (``GatheringResponse``), against a
/// raw HTTP server on loopback whose writes and flushes the test controls.
@Suite(.timeLimit(.minutes(10)))
struct GatheringResponseTests {
    /// What the test server does with each request.
    enum Behaviour: Sendable {
        /// The head and `count` chunks of `size` bytes, written and flushed at once.
        case burst(count: Int, size: Int)
        /// The head, then a chunk every `interval` until `count` are sent (or forever when `nil`).
        case paced(interval: TimeAmount, count: Int?)
        /// The head and a chunk, then another chunk each time the test calls ``Observed/step()``,
        /// the end after `count`.
        case stepped(count: Int)
        /// Never answers.
        case silent
    }

    /// Whether the test server saw its client go away.
    final class Observed: Sendable {
        let closed = NIOLockedValueBox(false)
        let next = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

        /// Whether the client goes away within thirty seconds.
        func closes() async throws -> Bool {
            for _ in 0..<3_000 where !self.closed.withLockedValue({ $0 }) {
                try await Task.sleep(for: .milliseconds(10))
            }
            return self.closed.withLockedValue { $0 }
        }

        /// Lets a stepped server send its next chunk.
        func step() {
            self.next.withLockedValue { $0 }?()
        }
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let behaviour: Behaviour
        let observed: Observed

        init(behaviour: Behaviour, observed: Observed) {
            self.behaviour = behaviour
            self.observed = observed
        }

        static func chunk(_ index: Int, size: Int) -> ByteBuffer {
            let prefix = "data: \(index) "
            return ByteBuffer(
                string: prefix + String(repeating: "x", count: max(0, size - prefix.utf8.count - 2)) + "\n\n"
            )
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = self.unwrapInboundIn(data) else { return }
            let head = HTTPResponseHead(
                version: .http1_1,
                status: .ok,
                headers: ["Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"]
            )
            switch self.behaviour {
            case .silent:
                return
            case .burst(let count, let size):
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                for index in 0..<count {
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(Self.chunk(index, size: size)))), promise: nil)
                }
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            case .stepped(let count):
                context.writeAndFlush(self.wrapOutboundOut(.head(head)), promise: nil)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let sent = NIOLockedValueBox(0)
                let loop = context.eventLoop
                @Sendable func send() {
                    loop.execute {
                        let context = bound.value
                        let index = sent.withLockedValue { sent in
                            defer { sent += 1 }
                            return sent
                        }
                        guard index <= count else { return }
                        if index == count {
                            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                        } else {
                            context.writeAndFlush(
                                self.wrapOutboundOut(.body(.byteBuffer(Self.chunk(index, size: 32)))),
                                promise: nil
                            )
                        }
                    }
                }
                self.observed.next.withLockedValue { $0 = send }
                send()
            case .paced(let interval, let count):
                context.writeAndFlush(self.wrapOutboundOut(.head(head)), promise: nil)
                let loop = context.eventLoop.assumeIsolated()
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                func send(_ index: Int) {
                    let context = bound.value
                    guard context.channel.isActive else { return }
                    if let count, index == count {
                        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                        return
                    }
                    context.writeAndFlush(
                        self.wrapOutboundOut(.body(.byteBuffer(Self.chunk(index, size: 32)))),
                        promise: nil
                    )
                    loop.scheduleTask(in: interval) { send(index + 1) }
                }
                send(0)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.observed.closed.withLockedValue { $0 = true }
            context.fireChannelInactive()
        }
    }

    static func withServer<Result: Sendable>(
        _ behaviour: Behaviour,
        _ body: (_ port: Int, _ observed: Observed) async throws -> Result
    ) async throws -> Result {
        let observed = Observed()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(behaviour: behaviour, observed: observed))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        do {
            let result = try await body(channel.localAddress!.port!, observed)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    static func withUpstream<Result: Sendable>(
        port: Int,
        responseTimeoutMilliseconds: Int = 10_000,
        _ body: (HTTPModelUpstream) async throws -> Result
    ) async throws -> Result {
        var configuration = GatewayConfiguration.Upstream(url: "http://127.0.0.1:\(port)/v1")
        configuration.responseTimeoutMilliseconds = responseTimeoutMilliseconds
        configuration.connectTimeoutMilliseconds = 2_000
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: HTTPModelUpstream.clientConfiguration(for: configuration)
        )
        do {
            let result = try await body(HTTPModelUpstream(configuration: configuration, client: client))
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static let streamRequest = UpstreamRequest(
        method: .post,
        path: "chat/completions",
        body: ByteBuffer(string: #"{"stream":true}"#),
        requestID: "req_test",
        expectsStream: true
    )

    @Test(arguments: [(count: 40, size: 40), (count: 200, size: 100)])
    func aBurstOfChunksArrivesInFewerBuffersWithEveryByte(count: Int, size: Int) async throws {
        try await Self.withServer(.burst(count: count, size: size)) { port, _ in
            try await Self.withUpstream(port: port) { upstream in
                let response = try await upstream.send(Self.streamRequest, logger: Logger(label: "test"))
                #expect(response.status.code == 200 && response.isEventStream)
                var buffers = 0
                var received = ByteBuffer()
                for try await var buffer in response.body {
                    buffers += 1
                    received.writeBuffer(&buffer)
                }
                var expected = ByteBuffer()
                for index in 0..<count { expected.writeImmutableBuffer(Handler.chunk(index, size: size)) }
                #expect(received == expected)
                // One flush from the server: a few socket reads, never a buffer per chunk.
                #expect(buffers * 4 <= count)
            }
        }
    }

    @Test func eachChunkIsHandedOnAsItComes() async throws {
        // The server sends a chunk only when the test has the one before: nothing waits for later bytes.
        try await Self.withServer(.stepped(count: 5)) { port, observed in
            try await Self.withUpstream(port: port) { upstream in
                let response = try await upstream.send(Self.streamRequest, logger: Logger(label: "test"))
                var texts: [String] = []
                for try await buffer in response.body {
                    texts.append(String(buffer: buffer))
                    observed.step()
                }
                #expect(texts == (0..<5).map { String(buffer: Handler.chunk($0, size: 32)) })
            }
        }
    }

    @Test func aStreamMayOutlastTheResponseTimeout() async throws {
        // The response timeout bounds the wait for the head; the body is bounded by the read timeout.
        // A loaded machine gets three seconds for the head; the stream lasts twice that.
        try await Self.withServer(.paced(interval: .milliseconds(750), count: 8)) { port, _ in
            try await Self.withUpstream(port: port, responseTimeoutMilliseconds: 3_000) { upstream in
                let response = try await upstream.send(Self.streamRequest, logger: Logger(label: "test"))
                var received = ByteBuffer()
                for try await var buffer in response.body { received.writeBuffer(&buffer) }
                #expect(String(buffer: received).utf8.count(where: { $0 == 0x0A }) == 16)  // eight events
            }
        }
    }

    @Test func aHeadThatCameInTimeStopsTheDeadlineHoweverLateItIsRead() async throws {
        // On a busy machine the task awaiting the head can resume after the deadline: the head's
        // arrival, not its reader, settles the deadline. The head is read only once the deadline
        // has passed, while the stream (four seconds) still runs. The test's own deadline is taken
        // before the response's, so a head seen by it came in time and must be read; on a machine
        // so loaded that the head was not seen by then, it may have come before the response's
        // deadline or after it, and either outcome is allowed.
        let deadline = ContinuousClock.now + .seconds(3)
        try await Self.withServer(.paced(interval: .milliseconds(100), count: 40)) { port, _ in
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let request = try HTTPClient.Request(url: "http://127.0.0.1:\(port)/stream", method: .POST)
            let response = GatheringResponse()
            let task = client.execute(request: request, delegate: response, eventLoop: .indifferent)
            response.attach(task, headTimeout: .seconds(3))
            var received = ByteBuffer()
            do {
                while !response.hasReceivedHead && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let cameInTime = response.hasReceivedHead
                try await Task.sleep(until: deadline + .milliseconds(500))
                if cameInTime {
                    #expect(try await response.head().status == .ok)
                    while var buffer = try await response.next() { received.writeBuffer(&buffer) }
                    #expect(String(buffer: received).utf8.count(where: { $0 == 0x0A }) == 80)  // forty events
                } else {
                    do {
                        #expect(try await response.head().status == .ok)
                    } catch let error as HTTPClientError {
                        #expect(error == .deadlineExceeded)
                    }
                }
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    @Test func anUpstreamThatNeverAnswersTimesOut() async throws {
        try await Self.withServer(.silent) { port, _ in
            try await Self.withUpstream(port: port, responseTimeoutMilliseconds: 300) { upstream in
                let error = await #expect(throws: UpstreamError.self) {
                    _ = try await upstream.send(Self.streamRequest, logger: Logger(label: "test"))
                }
                #expect(error?.code == .timeout)
            }
        }
    }

    @Test func droppingTheBodyClosesTheUpstreamConnection() async throws {
        try await Self.withServer(.paced(interval: .milliseconds(20), count: nil)) { port, observed in
            try await Self.withUpstream(port: port) { upstream in
                let response = try await upstream.send(Self.streamRequest, logger: Logger(label: "test"))
                var iterator: UpstreamBody.AsyncIterator? = response.body.makeAsyncIterator()
                _ = try await iterator?.next()
                _ = try await iterator?.next()
                #expect(!observed.closed.withLockedValue { $0 })
                iterator = nil  // a stream the gateway stopped: the model must stop too
                #expect(try await observed.closes())
            }
        }
    }

    @Test func aBodyDroppedUnreadClosesTheUpstreamConnection() async throws {
        // An app that leaves before its answer is relayed: the response is dropped, never read.
        try await Self.withServer(.paced(interval: .milliseconds(20), count: nil)) { port, observed in
            try await Self.withUpstream(port: port) { upstream in
                var response: UpstreamResponse? = try await upstream.send(
                    Self.streamRequest,
                    logger: Logger(label: "test")
                )
                #expect(response?.status.code == 200)
                response = nil
                #expect(try await observed.closes())
            }
        }
    }

    @Test func aSlowReaderHoldsTheSocketAndLosesNothing() async throws {
        // Far more than the high-water mark: the client stops reading until the reader catches up.
        let count = 2_000
        try await Self.withServer(.burst(count: count, size: 512)) { port, _ in
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let request = try HTTPClient.Request(url: "http://127.0.0.1:\(port)/stream", method: .POST)
            let response = GatheringResponse(highWater: 4_096)
            let task = client.execute(request: request, delegate: response, eventLoop: .indifferent)
            response.attach(task, headTimeout: .seconds(30))
            var received = ByteBuffer()
            var largest = 0
            do {
                #expect(try await response.head().status == .ok)
                try await Task.sleep(for: .milliseconds(100))  // the whole megabyte is sent meanwhile
                while var buffer = try await response.next() {
                    largest = max(largest, buffer.readableBytes)
                    received.writeBuffer(&buffer)
                    try await Task.sleep(for: .milliseconds(1))
                }
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            #expect(received.readableBytes == count * 512)
            #expect(String(buffer: received).hasPrefix("data: 0 "))
            // Reading stops at the mark, so no buffer holds more than it and the reads in flight
            // (without back-pressure the first would hold the whole megabyte).
            #expect(largest < 512 << 10)
        }
    }
}
