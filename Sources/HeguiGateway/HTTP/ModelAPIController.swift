import CoreMetrics
import Dispatch
import HTTPTypes
import HeguiCore
package import Hummingbird
import Logging
import NIOCore

/// The OpenAI-compatible model API: `POST /v1/chat/completions` and `GET /v1/models`.
///
/// Requests are checked (size, UTF-8, JSON, types, end user) and forwarded byte for byte, so fields
/// the gateway does not know (tools, response_format, n, vendor extensions) reach the model as the
/// app sent them. Only a configured model alias rewrites the body.
package struct ModelAPIController: Sendable {
    let upstream: any ModelUpstream
    let metrics: GatewayMetrics
    let requireUser: Bool
    let maximumBodyBytes: Int
    let maximumResponseBytes: Int
    let aliases: [String: GatewayConfiguration.ModelAlias]
    let aliasOrder: [GatewayConfiguration.ModelAlias]

    package init(configuration: GatewayConfiguration, upstream: any ModelUpstream, metrics: GatewayMetrics) {
        self.upstream = upstream
        self.metrics = metrics
        self.requireUser = configuration.requireUser
        self.maximumBodyBytes = configuration.server.maximumBodyBytes
        self.maximumResponseBytes = configuration.upstream?.maximumResponseBytes ?? (32 << 20)
        self.aliases = Dictionary(configuration.models.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.aliasOrder = configuration.models
    }

    /// Adds the routes to a group mounted at `/v1`.
    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("chat/completions", use: self.chatCompletions)
        group.get("models", use: self.models)
    }

    // MARK: POST /v1/chat/completions

    @Sendable func chatCompletions(request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: self.maximumBodyBytes)
        let json: JSONValue
        do {
            json = try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
        } catch {
            throw APIError.invalidJSON(error)
        }
        let chat = try ChatCompletionRequest(json: json)
        let user = try EndUserID.resolve(bodyUser: chat.user, header: request.headers[.heguiUser])
        if self.requireUser, user == nil {
            throw APIError.userRequired()
        }

        var forwardBody = body
        if !self.aliases.isEmpty {
            guard let alias = self.aliases[chat.model] else { throw APIError.modelNotFound(chat.model) }
            if alias.upstreamModel != chat.model {
                var rewritten = chat.body
                rewritten["model"] = .string(alias.upstreamModel)
                forwardBody = ByteBuffer(string: JSONValue.object(rewritten).serialized)
            }
        }

        let logger = context.logger

        let response = try await self.send(
            UpstreamRequest(method: .post, path: "chat/completions", body: forwardBody, requestID: context.requestID),
            logger: logger
        )
        guard (200..<300).contains(response.status.code) else {
            return try await self.relayUpstreamError(response, logger: logger)
        }
        if chat.isStreaming, response.isEventStream {
            return self.relayStream(response, logger: logger)
        }
        return try await self.relayWhole(response, logger: logger)
    }

    // MARK: GET /v1/models

    @Sendable func models(request: Request, context: GatewayRequestContext) async throws -> Response {
        if !self.aliasOrder.isEmpty {
            let list: JSONValue = [
                "object": "list",
                "data": .array(
                    self.aliasOrder.map { alias in
                        ["id": .string(alias.id), "object": "model", "created": 0, "owned_by": "hegui"]
                    }
                ),
            ]
            return .json(list.serialized)
        }
        let response = try await self.send(
            UpstreamRequest(method: .get, path: "models", requestID: context.requestID),
            logger: context.logger
        )
        guard (200..<300).contains(response.status.code) else {
            return try await self.relayUpstreamError(response, logger: context.logger)
        }
        return try await self.relayWhole(response, logger: context.logger)
    }

    // MARK: Relaying

    private func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await self.upstream.send(request, logger: logger)
            self.metrics.upstreamLatency.recordNanoseconds(
                Int64(clamping: DispatchTime.now().uptimeNanoseconds &- start)
            )
            return response
        } catch {
            let upstreamError = HTTPModelUpstream.translate(error)
            self.metrics.recordUpstreamError(upstreamError.code.description)
            logger.warning(
                "upstream request failed",
                metadata: ["upstream.error": .string(upstreamError.code.description)]
            )
            throw upstreamError
        }
    }

    /// Relays a complete (non-streaming) upstream response with its status and content type.
    private func relayWhole(_ response: UpstreamResponse, logger: Logger) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: self.maximumResponseBytes)
        } catch {
            let upstreamError = HTTPModelUpstream.translate(error)
            self.metrics.recordUpstreamError(upstreamError.code.description)
            logger.warning(
                "upstream response unreadable",
                metadata: ["upstream.error": .string(upstreamError.code.description)]
            )
            throw upstreamError.code == .timeout ? APIError.upstreamTimeout() : APIError.upstreamInvalidResponse()
        }
        return Response(
            status: response.status,
            headers: [.contentType: response.headers[.contentType] ?? "application/json"],
            body: ResponseBody(byteBuffer: body)
        )
    }

    /// Relays an upstream error without leaking the gateway's credentials or the upstream's internals.
    ///
    /// The upstream's own 4xx verdict on the request (unknown model, context too long) reaches the
    /// app with its message; authentication failures of the gateway's own key and 5xx errors become
    /// `upstream_unavailable`; 429 becomes `rate_limited`.
    private func relayUpstreamError(_ response: UpstreamResponse, logger: Logger) async throws -> Response {
        let status = response.status.code
        let body = try? await response.body.collect(upTo: 64 << 10)
        self.metrics.recordUpstreamError("http_\(status)")
        logger.warning("upstream returned an error", metadata: ["upstream.status": .stringConvertible(status)])
        switch status {
        case 401, 403:
            logger.error("upstream rejected the gateway's credentials; check upstream.api_key")
            return .apiError(.upstreamUnavailable())
        case 429:
            var rateLimited = Response.apiError(.rateLimited())
            if let retryAfter = response.headers[.retryAfter] { rateLimited.headers[.retryAfter] = retryAfter }
            return rateLimited
        case 400..<500:
            var detail = JSONObject()
            if let body,
                let parsed = try? body.withUnsafeReadableBytes({ bytes throws(JSONParseError) in
                    try JSONParser.parse(bytes)
                }),
                let error = parsed.objectValue?["error"]?.objectValue
            {
                detail = error
            }
            let upstreamMessage = detail["message"]?.stringValue ?? "HTTP \(status)"
            var error = APIError(
                status: status,
                type: detail["type"]?.stringValue ?? "invalid_request_error",
                code: .init(rawValue: detail["code"]?.stringValue ?? "upstream_rejected"),
                param: detail["param"]?.stringValue,
                zh: "模型服务拒绝了该请求：\(upstreamMessage)",
                en: "The model service rejected the request: \(upstreamMessage)"
            )
            if error.code.rawValue.isEmpty { error.code = .init(rawValue: "upstream_rejected") }
            return .apiError(error)
        default:
            return .apiError(.upstreamUnavailable())
        }
    }

    /// Relays a server-sent event stream event by event, as each arrives.
    private func relayStream(_ response: UpstreamResponse, logger: Logger) -> Response {
        let metrics = self.metrics
        let body = response.body
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8",
                .cacheControl: "no-cache",
                .init("X-Accel-Buffering")!: "no",  // a valid token, checked by the initialiser
            ],
            body: ResponseBody { writer in
                metrics.activeStreams.increment()
                defer { metrics.activeStreams.decrement() }
                var relay = StreamRelay()
                var iterator = body.makeAsyncIterator()
                /// Counts and logs a failed stream; returns the final error event that tells the app.
                func failureEvent(_ failure: APIError) -> ByteBuffer {
                    metrics.recordUpstreamError(failure.code.rawValue)
                    logger.warning(
                        "upstream stream failed",
                        metadata: ["upstream.error": .string(failure.code.rawValue)]
                    )
                    return ByteBuffer(string: StreamRelay.errorEvent(failure))
                }
                while true {
                    let next: ByteBuffer?
                    do {
                        next = try await iterator.next()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        try await writer.write(failureEvent(StreamRelay.failure(for: error)))
                        break
                    }
                    guard let buffer = next else {
                        if let failure = relay.finish() { try await writer.write(failureEvent(failure)) }
                        break
                    }
                    let step = relay.consume(buffer)
                    if step.output.readableBytes > 0 {
                        try await writer.write(step.output)
                    }
                    if let failure = step.failure {
                        try await writer.write(failureEvent(failure))
                        break
                    }
                    if relay.isDone { break }
                }
                try await writer.finish(nil)
            }
        )
    }
}
