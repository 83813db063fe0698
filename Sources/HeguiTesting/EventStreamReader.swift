package import AsyncHTTPClient
package import HeguiCore
import NIOCore

/// Reads a live server-sent event stream event by event, as a client would.
package struct EventStreamReader {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var parser = ServerSentEventParser()
    private var pending: [ServerSentEvent] = []

    package init(_ response: HTTPClientResponse) {
        self.iterator = response.body.makeAsyncIterator()
    }

    /// The next event, or `nil` when the stream has ended.
    package mutating func next() async throws -> ServerSentEvent? {
        while self.pending.isEmpty {
            guard let buffer = try await self.iterator.next(isolation: #isolation) else { return nil }
            let messages = try buffer.withUnsafeReadableBytes {
                bytes throws(ServerSentEventParser.MessageTooLargeError) in
                try self.parser.parse(bytes)
            }
            for case .event(let event) in messages {
                self.pending.append(event)
            }
        }
        return self.pending.removeFirst()
    }

    /// All remaining events.
    package mutating func rest() async throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        while let event = try await self.next() { events.append(event) }
        return events
    }
}
