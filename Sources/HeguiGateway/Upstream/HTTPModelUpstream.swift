package import AsyncHTTPClient
import HTTPTypes
package import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real OpenAI-compatible model reached over HTTP with AsyncHTTPClient (pooled connections).
///
/// The upstream's API key is added here and nowhere else: apps authenticate to the gateway with
/// their own tenant keys and never see it.
package struct HTTPModelUpstream: ModelUpstream {
    package let baseURL: String
    private let apiKey: String?
    private let client: HTTPClient
    private let responseTimeout: TimeAmount

    /// - Parameters:
    ///   - configuration: the upstream's URL, key and timeouts.
    ///   - client: the HTTP client to send with; its owner shuts it down.
    package init(configuration: GatewayConfiguration.Upstream, client: HTTPClient) {
        var base = configuration.url
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = configuration.apiKey
        self.client = client
        self.responseTimeout = .milliseconds(Int64(configuration.responseTimeoutMilliseconds))
    }

    /// The client configuration that goes with an upstream configuration: connect and idle-read
    /// timeouts, pool size, no redirects (a redirect could carry the key elsewhere).
    package static func clientConfiguration(for upstream: GatewayConfiguration.Upstream) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(upstream.connectTimeoutMilliseconds)),
                read: .milliseconds(Int64(upstream.readTimeoutMilliseconds))
            )
        )
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: upstream.maximumConnections
        )
        configuration.decompression = .disabled
        // No tracer is configured; skipping no-op spans saves measurable time on every request.
        configuration.tracing.tracer = nil
        return configuration
    }

    package func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
        if request.expectsStream { return try await self.sendGathering(request) }
        var outgoing = HTTPClientRequest(url: "\(self.baseURL)/\(request.path)")
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        outgoing.headers = self.headers(for: request)
        if let body = request.body { outgoing.body = .bytes(body) }
        let response: HTTPClientResponse
        do {
            // No request logger for the client: it logs only at debug level, yet tags the logger with four
            // metadata keys per request, and some log handlers re-render all metadata on every tag.
            response = try await self.client.execute(outgoing, timeout: self.responseTimeout)
        } catch {
            throw Self.translate(error)
        }
        return UpstreamResponse(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: Self.fields(response.headers),
            body: UpstreamBody(TranslatingBody(base: response.body))
        )
    }

    /// The headers of every request to the upstream: its key (never the tenant's), the request id.
    private func headers(for request: UpstreamRequest) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json, text/event-stream")
        headers.add(name: "User-Agent", value: "Hegui")
        headers.add(name: "X-Request-Id", value: request.requestID)
        if let apiKey = self.apiKey {
            headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        }
        if request.body != nil {
            headers.add(name: "Content-Type", value: "application/json")
        }
        return headers
    }

    /// The upstream's response headers as `HTTPFields` (a name that is not a valid token is dropped).
    private static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) {
                fields.append(HTTPField(name: name, value: header.value))
            }
        }
        return fields
    }

    /// Sends a request whose answer streams, through ``GatheringResponse``: the body arrives a
    /// socket read at a time, so the relay writes a fast model's burst of chunks to the app at
    /// once. The response timeout covers the wait for the head, as on the other path; the body is
    /// bounded by the read timeout between bytes.
    private func sendGathering(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(
                url: "\(self.baseURL)/\(request.path)",
                method: HTTPMethod(rawValue: request.method.rawValue),
                headers: self.headers(for: request),
                body: request.body.map { .byteBuffer($0) }
            )
        } catch {
            throw UpstreamError(.connectionFailed)
        }
        let response = GatheringResponse()
        let task = self.client.execute(request: outgoing, delegate: response, eventLoop: .indifferent)
        response.attach(task, headTimeout: self.responseTimeout)
        let head: HTTPResponseHead
        do {
            head = try await withTaskCancellationHandler {
                try await response.head()
            } onCancel: {
                response.cancel()
            }
        } catch {
            response.cancel()
            throw Self.translate(error)
        }
        return UpstreamResponse(
            status: HTTPResponse.Status(code: Int(head.status.code), reasonPhrase: head.status.reasonPhrase),
            headers: Self.fields(head.headers),
            body: UpstreamBody(GatheredBody(response: response))
        )
    }

    package func checkHealth(logger: Logger) async -> Bool {
        var probe = HTTPClientRequest(url: "\(self.baseURL)/models")
        probe.method = .GET
        if let apiKey = self.apiKey {
            probe.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        }
        do {
            let response = try await self.client.execute(probe, timeout: .seconds(3))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return response.status.code < 500
        } catch {
            return false
        }
    }

    /// Maps an error that broke off a response body: a timeout, a cancellation, or an interruption.
    static func translateBody(_ error: any Error) -> any Error {
        if let error = error as? HTTPClientError, error == .readTimeout || error == .deadlineExceeded {
            return UpstreamError(.timeout)
        }
        if error is CancellationError { return CancellationError() }
        return UpstreamError(.streamInterrupted)
    }

    /// Maps transport errors to ``UpstreamError`` so nothing about the upstream leaks further.
    static func translate(_ error: any Error) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return UpstreamError(.timeout)
            case .remoteConnectionClosed:
                return UpstreamError(.streamInterrupted)
            default:
                return UpstreamError(.connectionFailed)
            }
        }
        if error is CancellationError { return UpstreamError(.connectionFailed) }
        return UpstreamError(.connectionFailed)
    }
}

/// Wraps the client's body so that a break mid-stream surfaces as ``UpstreamError``.
private struct TranslatingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: HTTPClientResponse.Body

    func makeAsyncIterator() -> Iterator { Iterator(base: self.base.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await self.base.next(isolation: #isolation)
            } catch {
                throw HTTPModelUpstream.translateBody(error)
            }
        }
    }
}
