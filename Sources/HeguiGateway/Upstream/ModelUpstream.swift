package import HTTPTypes
package import Logging
package import NIOCore

/// An OpenAI-compatible model API the gateway forwards to.
///
/// Three kinds conform: ``HTTPModelUpstream`` (a real model over HTTP), ``DemoModel`` (the built-in
/// demo) and the scripted fake in `HeguiTesting`. The gateway only ever sees this protocol.
package protocol ModelUpstream: Sendable {
    /// Sends one request and returns the response head with a body that streams as it arrives.
    /// - Throws: ``UpstreamError`` when no response head could be had.
    func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse

    /// Whether the upstream answers at all (for `/readyz`).
    func checkHealth(logger: Logger) async -> Bool

    /// The API base its file URLs start with (`http://host:port/v1`): a generated image's URL under
    /// it is fetched through ``send(_:logger:)`` for labelling.
    var baseURL: String { get }

    /// The upstream and path that serve a file URL found in an answer; `nil` for a URL outside
    /// every API base, which the gateway never fetches.
    func fileSource(for url: String) -> (upstream: any ModelUpstream, path: String)?
}

extension ModelUpstream {
    package var baseURL: String { "http://upstream.invalid/v1" }

    package func fileSource(for url: String) -> (upstream: any ModelUpstream, path: String)? {
        let base = self.baseURL + "/"
        guard url.hasPrefix(base) else { return nil }
        return (self, String(url.dropFirst(base.count)))
    }
}

/// A request to the upstream, relative to its API base.
package struct UpstreamRequest: Sendable {
    /// The method.
    package var method: HTTPRequest.Method
    /// The path below the API base, without a leading slash: `chat/completions`, `models`.
    package var path: String
    /// The request body, if any (JSON).
    package var body: ByteBuffer?
    /// The gateway's request id, sent on as `X-Request-Id`.
    package var requestID: String
    /// The API base the request arrived at, when served over HTTP (for URLs in the answer).
    package var origin: String?
    /// Whether the answer is expected as an event stream (`stream: true`): an HTTP upstream then
    /// hands the body on a socket read at a time (``GatheringResponse``).
    package var expectsStream: Bool

    package init(
        method: HTTPRequest.Method,
        path: String,
        body: ByteBuffer? = nil,
        requestID: String,
        origin: String? = nil,
        expectsStream: Bool = false
    ) {
        self.method = method
        self.path = path
        self.body = body
        self.requestID = requestID
        self.origin = origin
        self.expectsStream = expectsStream
    }
}

/// The upstream's response: the head at once, the body as a stream of buffers.
package struct UpstreamResponse: Sendable {
    package var status: HTTPResponse.Status
    package var headers: HTTPFields
    package var body: UpstreamBody

    package init(status: HTTPResponse.Status, headers: HTTPFields, body: UpstreamBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the body is a server-sent event stream.
    package var isEventStream: Bool {
        self.headers[.contentType]?.lowercased().hasPrefix("text/event-stream") ?? false
    }
}

/// A response body from any ``ModelUpstream``: an async sequence of buffers that ends when the
/// response does and throws when it breaks off.
package struct UpstreamBody: AsyncSequence, Sendable {
    package typealias Element = ByteBuffer

    private let makeIterator: @Sendable () -> AsyncIterator

    /// A body that yields the elements of `sequence`.
    package init<Base: AsyncSequence & Sendable>(_ sequence: Base) where Base.Element == ByteBuffer {
        self.makeIterator = { AsyncIterator(sequence.makeAsyncIterator()) }
    }

    /// A body held entirely in memory.
    package init(buffer: ByteBuffer) {
        self.init(SingleBufferSequence(buffer: buffer))
    }

    package func makeAsyncIterator() -> AsyncIterator {
        self.makeIterator()
    }

    /// Collects the whole body, up to `limit` bytes.
    /// - Throws: ``UpstreamError`` with code `responseTooLarge` beyond the limit, or whatever the body throws.
    package func collect(upTo limit: Int) async throws -> ByteBuffer {
        var result = ByteBuffer()
        for try await var buffer in self {
            guard result.readableBytes + buffer.readableBytes <= limit else {
                throw UpstreamError(.responseTooLarge)
            }
            result.writeBuffer(&buffer)
        }
        return result
    }

    package struct AsyncIterator: AsyncIteratorProtocol {
        private var next: () async throws -> ByteBuffer?

        init<Base: AsyncIteratorProtocol>(_ base: Base) where Base.Element == ByteBuffer {
            var base = base
            self.next = { try await base.next(isolation: #isolation) }
        }

        package mutating func next() async throws -> ByteBuffer? {
            try await self.next()
        }
    }
}

private struct SingleBufferSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer

    func makeAsyncIterator() -> Iterator { Iterator(buffer: self.buffer) }

    struct Iterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async throws -> ByteBuffer? {
            defer { self.buffer = nil }
            return self.buffer
        }
    }
}
