import HeguiCore
import HeguiGateway
import NIOCore
import Testing

@Suite struct StreamRelayTests {
    static let stream =
        ": keep-alive\n\ndata: {\"a\":1}\r\n\r\nevent: e\nid: 1\ndata: 一\ndata: 二\n\ndata: [DONE]\n\ndata: after-done\n\n"
    static let relayed = ": keep-alive\n\ndata: {\"a\":1}\r\n\r\nevent: e\nid: 1\ndata: 一\ndata: 二\n\ndata: [DONE]\n\n"

    /// Feeds the stream in the given pieces; returns what was released after each.
    static func relay(_ pieces: [[UInt8]]) -> (outputs: [[UInt8]], relay: StreamRelay) {
        var relay = StreamRelay()
        var outputs: [[UInt8]] = []
        for piece in pieces {
            let step = relay.consume(ByteBuffer(bytes: piece))
            #expect(step.failure == nil)
            outputs.append(Array(step.output.readableBytesView))
        }
        return (outputs, relay)
    }

    @Test func passesTheUpstreamsBytesThroughUnchangedUpToDoneWhereverTheyAreCut() {
        let bytes = Array(Self.stream.utf8)
        for first in 0...bytes.count {
            for second in Swift.stride(from: first, through: bytes.count, by: 7) {
                let (outputs, relay) = Self.relay([
                    Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...]),
                ])
                #expect(outputs.joined().elementsEqual(Self.relayed.utf8), "cut at \(first), \(second)")
                #expect(relay.isDone)
                #expect(relay.finish() == nil)
            }
        }
    }

    @Test func releasesOnlyWholeMessages() throws {
        let bytes = Array(Self.stream.utf8)
        let (outputs, _) = Self.relay(bytes.map { [$0] })
        for output in outputs where !output.isEmpty {
            var parser = ServerSentEventParser()
            _ = try parser.parse(output)
            #expect(!parser.hasPartialMessage)
        }
    }

    @Test func aStreamWithoutDoneIsInterrupted() {
        let (outputs, relay) = Self.relay([Array("data: {\"a\":1}\n\ndata: {\"b\"".utf8)])
        #expect(outputs == [Array("data: {\"a\":1}\n\n".utf8)])
        #expect(relay.finish()?.code == .upstreamStreamInterrupted)
    }

    @Test func anEndlessLineIsRefused() {
        var relay = StreamRelay()
        var failure: APIError?
        for _ in 0..<20 where failure == nil {
            failure = relay.consume(ByteBuffer(repeating: UInt8(ascii: "x"), count: 100_000)).failure
        }
        #expect(failure?.code == .upstreamInvalidResponse)
    }
}
