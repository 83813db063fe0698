package import Hummingbird
package import Logging
package import NIOCore

/// Serves any ``ModelUpstream`` as an OpenAI-compatible HTTP API under `/v1`.
///
/// `hegui demo-model` uses it to run the demo model as a separate process (a stand-in upstream for
/// trials and benchmarks); the tests use it to put scripted upstreams on a real loopback port. A body
/// that throws mid-way closes the connection abruptly, exactly as a failing upstream would.
package enum ModelServer {
    /// Builds the application; run it with `runService()` or inside a `ServiceGroup`.
    ///
    /// `onRequest` sees each request's head before it is answered (tests check headers with it).
    package static func buildApplication(
        model: any ModelUpstream,
        host: String,
        port: Int,
        logger: Logger,
        onRequest: @escaping @Sendable (Request) -> Void = { _ in },
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        let api = router.group("v1")
        @Sendable func forward(
            _ request: Request,
            _ context: BasicRequestContext,
            path: String
        ) async throws -> Response {
            onRequest(request)
            let body = try await request.body.collect(upTo: 64 << 20)
            let upstreamResponse = try await model.send(
                UpstreamRequest(
                    method: request.method,
                    path: path,
                    body: body,
                    requestID: request.headers[.requestID] ?? "",
                    origin: request.head.authority.map { "http://\($0)/v1" }
                ),
                logger: context.logger
            )
            return Response(
                status: upstreamResponse.status,
                headers: upstreamResponse.headers,
                body: ResponseBody(asyncSequence: upstreamResponse.body)
            )
        }
        api.post("chat/completions") { request, context in try await forward(request, context, path: "chat/completions")
        }
        api.get("models") { request, context in try await forward(request, context, path: "models") }
        api.post("images/generations") { request, context in
            try await forward(request, context, path: "images/generations")
        }
        api.post("audio/speech") { request, context in try await forward(request, context, path: "audio/speech") }
        api.get("files/:name") { request, context in
            try await forward(request, context, path: "files/\(context.parameters.get("name") ?? "")")
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Hegui-Model"),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
