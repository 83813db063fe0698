import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiTesting
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import Prometheus
import Testing

/// The gateway's request path through its real router and middleware, with a scripted upstream.
@Suite struct RouterTests {
    typealias Fixtures = GatewayFixtures

    static func errorObject(_ response: TestResponse) throws -> JSONObject {
        let body = response.body
        let json = try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
        return try #require(json.objectValue?["error"]?.objectValue)
    }

    static func post(
        _ client: some TestClientProtocol,
        _ body: String,
        headers: HTTPFields = GatewayFixtures.headers
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/chat/completions",
            method: .post,
            headers: headers,
            body: ByteBuffer(string: body)
        )
    }

    // MARK: Authentication and end users

    @Test(arguments: [nil, "Bearer wrong-key", "Basic aGk6aGk=", "Bearer ", "bearer"] as [String?])
    func rejectsMissingOrWrongKeys(authorization: String?) async throws {
        let upstream = ScriptedModel()
        let app = Fixtures.application(upstream: upstream)
        try await app.test(.router) { client in
            var headers: HTTPFields = [.contentType: "application/json"]
            if let authorization { headers[.authorization] = authorization }
            let response = try await Self.post(client, Fixtures.chatBody(), headers: headers)
            #expect(response.status == .unauthorized)
            let error = try Self.errorObject(response)
            #expect(error["code"] == "invalid_api_key")
            #expect(error["type"] == "authentication_error")
            #expect(response.headers[.requestID]?.hasPrefix("req_") == true)
        }
        #expect(upstream.received.isEmpty)
    }

    @Test func acceptsEveryConfiguredTenantAndSchemeCase() async throws {
        let app = Fixtures.application(upstream: ScriptedModel())
        try await app.test(.router) { client in
            for authorization in ["Bearer \(Fixtures.tenantKey)", "bearer \(Fixtures.otherTenantKey)"] {
                let response = try await Self.post(
                    client,
                    Fixtures.chatBody(),
                    headers: [.authorization: authorization, .contentType: "application/json"]
                )
                #expect(response.status == .ok)
            }
        }
    }

    @Test func requiresAnEndUserByDefault() async throws {
        let upstream = ScriptedModel()
        let app = Fixtures.application(upstream: upstream)
        try await app.test(.router) { client in
            let missing = try await Self.post(client, Fixtures.chatBody(user: nil))
            #expect(missing.status == .badRequest)
            #expect(try Self.errorObject(missing)["code"] == "user_required")

            var headers = Fixtures.headers
            headers[.heguiUser] = "header-user"
            let viaHeader = try await Self.post(client, Fixtures.chatBody(user: nil), headers: headers)
            #expect(viaHeader.status == .ok)

            let empty = try await Self.post(client, Fixtures.chatBody(user: ""))
            #expect(empty.status == .badRequest)
            #expect(try Self.errorObject(empty)["code"] == "invalid_user")
        }
        #expect(upstream.received.count == 1)
    }

    @Test func endUserCanBeOptional() async throws {
        var configuration = Fixtures.configuration()
        configuration.requireUser = false
        let app = Fixtures.application(configuration: configuration, upstream: ScriptedModel())
        try await app.test(.router) { client in
            let response = try await Self.post(client, Fixtures.chatBody(user: nil))
            #expect(response.status == .ok)
        }
    }

    // MARK: Bad input

    @Test func refusesOversizedBodies() async throws {
        var configuration = Fixtures.configuration()
        configuration.server.maximumBodyBytes = 1_024
        let upstream = ScriptedModel()
        let app = Fixtures.application(configuration: configuration, upstream: upstream)
        try await app.test(.router) { client in
            let big = Fixtures.chatBody(String(repeating: "长", count: 2_000))
            let response = try await Self.post(client, big)
            #expect(response.status == .contentTooLarge)
            let error = try Self.errorObject(response)
            #expect(error["code"] == "request_too_large")
            #expect(error["message"]?.stringValue?.contains("1024") == true)
            // The gateway is still serving after the refusal.
            #expect(try await Self.post(client, Fixtures.chatBody()).status == .ok)
        }
        #expect(upstream.received.count == 1)
    }

    @Test(
        arguments: [
            ("{", "invalid_json", nil),
            ("", "invalid_json", nil),
            (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"user":"u"} trailing"#, "invalid_json", nil),
            ("[1,2]", "invalid_parameter", "body"),
            (
                #"{"model":"m","messages":[{"role":"user","content":"hi"}],"user":"u","stream":"true"}"#,
                "invalid_parameter", "stream"
            ),
            (#"{"model":["m"],"messages":[{"role":"user"}],"user":"u"}"#, "invalid_parameter", "model"),
            (#"{"model":"m","user":"u"}"#, "missing_parameter", "messages"),
            (
                #"{"model":"m","messages":[{"role":"user","content":{"text":"hi"}}],"user":"u"}"#, "invalid_parameter",
                "messages[0].content"
            ),
        ] as [(String, String, String?)]
    )
    func refusesMalformedRequests(body: String, code: String, param: String?) async throws {
        let upstream = ScriptedModel()
        let app = Fixtures.application(upstream: upstream)
        try await app.test(.router) { client in
            let response = try await Self.post(client, body)
            #expect(response.status == .badRequest)
            let error = try Self.errorObject(response)
            #expect(error["code"]?.stringValue == code)
            #expect(error["param"]?.stringValue == param)
            #expect(error["type"] == "invalid_request_error")
        }
        #expect(upstream.received.isEmpty)
    }

    @Test func refusesInvalidUTF8() async throws {
        let upstream = ScriptedModel()
        let app = Fixtures.application(upstream: upstream)
        try await app.test(.router) { client in
            var body = ByteBuffer(string: #"{"model":"m","user":"u","messages":[{"role":"user","content":"a"#)
            body.writeBytes([0xC3, 0x28, 0xFF])
            body.writeString(#""}]}"#)
            let response = try await client.execute(
                uri: "/v1/chat/completions",
                method: .post,
                headers: Fixtures.headers,
                body: body
            )
            #expect(response.status == .badRequest)
            #expect(try Self.errorObject(response)["code"] == "invalid_utf8")
        }
        #expect(upstream.received.isEmpty)
    }

    @Test func unknownRoutesGetOpenAIShaped404() async throws {
        let app = Fixtures.application(upstream: ScriptedModel())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/nothing", method: .get, headers: Fixtures.headers)
            #expect(response.status == .notFound)
            #expect(try Self.errorObject(response)["code"] == "not_found")
            #expect(response.headers[.requestID] != nil)
        }
    }

    // MARK: Forwarding

    @Test func forwardsTheBodyByteForByteAndRelaysTheAnswer() async throws {
        let upstream = ScriptedModel(.init(reply: "答案 answer"))
        let app = Fixtures.application(upstream: upstream)
        let body =
            #"{ "model" : "test-model", "user":"u-9", "messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"看图"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],"response_format":{"type":"json_object"},"n":2,"temperature":0.70,"seed":12345678901234567890,"x_vendor":{"nested":[1,2,3]}}"#
        try await app.test(.router) { client in
            let response = try await Self.post(client, body)
            #expect(response.status == .ok)
            let json = try response.body.withUnsafeReadableBytes { bytes throws(JSONParseError) in
                try JSONParser.parse(bytes)
            }
            let object = try #require(json.objectValue)
            #expect(object["id"] == "chatcmpl-scripted")
            #expect(object["model"] == "test-model")
            #expect(object["usage"]?.objectValue?["prompt_tokens"] == .number("7"))
            let message = object["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue
            #expect(message?["content"] == "答案 answer")
            #expect(response.headers[.requestID] != nil)
        }
        let received = try #require(upstream.received.first)
        #expect(received.body == body)
        #expect(received.path == "chat/completions")
        #expect(received.requestID.hasPrefix("req_"))
    }

    @Test func modelAliasesRewriteTheModelAndLimitTheList() async throws {
        var configuration = Fixtures.configuration()
        configuration.models = [
            .init(id: "chat", upstreamModel: "qwen2.5-7b-instruct"), .init(id: "same", upstreamModel: "same"),
        ]
        let upstream = ScriptedModel()
        let app = Fixtures.application(configuration: configuration, upstream: upstream)
        try await app.test(.router) { client in
            let aliased = try await Self.post(
                client,
                #"{"model":"chat","user":"u","messages":[{"role":"user","content":"hi"}],"temperature":1.0}"#
            )
            #expect(aliased.status == .ok)
            let unknown = try await Self.post(
                client,
                #"{"model":"gpt-4","user":"u","messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(unknown.status == .notFound)
            #expect(try Self.errorObject(unknown)["code"] == "model_not_found")
            let list = try await client.execute(uri: "/v1/models", method: .get, headers: Fixtures.headers)
            #expect(list.status == .ok)
            let text = String(buffer: list.body)
            #expect(text.contains(#""id":"chat""#) && text.contains(#""id":"same""#) && !text.contains("qwen"))
        }
        #expect(
            upstream.received.map(\.body) == [
                #"{"model":"qwen2.5-7b-instruct","user":"u","messages":[{"role":"user","content":"hi"}],"temperature":1.0}"#
            ]
        )
    }

    @Test func modelsComeFromTheUpstreamWithoutAliases() async throws {
        let app = Fixtures.application(upstream: ScriptedModel())
        try await app.test(.router) { client in
            let list = try await client.execute(uri: "/v1/models", method: .get, headers: Fixtures.headers)
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains("scripted-model"))
        }
    }

    // MARK: Upstream failures

    @Test(arguments: [
        (ScriptedModel.Fault.connectionRefused, 502, "upstream_unavailable"),
        (.timeout, 504, "upstream_timeout"),
        (.status(500, body: #"{"error":{"message":"boom"}}"#), 502, "upstream_unavailable"),
        (.status(503, body: "<html>down</html>"), 502, "upstream_unavailable"),
        (
            .status(401, body: #"{"error":{"message":"Incorrect API key provided: sk-upstream-secret"}}"#), 502,
            "upstream_unavailable"
        ),
        (.status(429, body: #"{"error":{"message":"slow down"}}"#), 429, "rate_limited"),
        (
            .status(
                400,
                body:
                    #"{"error":{"message":"context length exceeded","type":"invalid_request_error","code":"context_length_exceeded","param":"messages"}}"#
            ),
            400, "context_length_exceeded"
        ),
        (.status(404, body: "not json"), 404, "upstream_rejected"),
    ])
    func mapsUpstreamFailures(fault: ScriptedModel.Fault, status: Int, code: String) async throws {
        var script = ScriptedModel.Script()
        script.fault = fault
        let app = Fixtures.application(upstream: ScriptedModel(script))
        try await app.test(.router) { client in
            for stream in [false, true] {
                let response = try await Self.post(client, Fixtures.chatBody(stream: stream))
                #expect(response.status.code == status)
                let error = try Self.errorObject(response)
                #expect(error["code"]?.stringValue == code)
                let text = String(buffer: response.body)
                #expect(!text.contains("sk-upstream-secret"))
                #expect(!text.contains("boom"))
            }
        }
    }

    @Test func relaysTheUpstreamsOwnVerdictOnARequest() async throws {
        var script = ScriptedModel.Script()
        script.fault = .status(
            400,
            body:
                #"{"error":{"message":"context length exceeded","code":"context_length_exceeded","param":"messages"}}"#
        )
        let app = Fixtures.application(upstream: ScriptedModel(script))
        try await app.test(.router) { client in
            let error = try Self.errorObject(try await Self.post(client, Fixtures.chatBody()))
            #expect(error["param"] == "messages")
            #expect(error["message"]?.stringValue?.contains("context length exceeded") == true)
        }
    }

    // MARK: Streaming

    static func events(_ response: TestResponse) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let body = response.body
        return try body.withUnsafeReadableBytes { bytes throws(ServerSentEventParser.MessageTooLargeError) in
            try parser.parse(bytes)
        }.compactMap { message in
            if case .event(let event) = message { return event }
            return nil
        }
    }

    static func content(of events: [ServerSentEvent]) throws -> String {
        var text = ""
        for event in events where !event.isDone {
            let json = try JSONParser.parse(event.data)
            if let piece = json.objectValue?["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?[
                "content"
            ]?.stringValue {
                text += piece
            }
        }
        return text
    }

    @Test func relaysAStreamEventByEventEndingWithDone() async throws {
        let reply = "流式回答，逐块到达。Streamed answer."
        let app = Fixtures.application(upstream: ScriptedModel(.init(reply: reply, chunkCharacters: 2)))
        try await app.test(.router) { client in
            let response = try await Self.post(
                client,
                Fixtures.chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#)
            )
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            #expect(response.headers[.requestID] != nil)
            let events = try Self.events(response)
            #expect(events.last?.isDone == true)
            #expect(events.filter(\.isDone).count == 1)
            // The answer opens with the explicit label (IM-12, GB-5.1; placement `start` by default).
            #expect(try Self.content(of: events) == ChatLabelPolicy().leading + reply)
            #expect(events.dropLast().last?.data.contains(#""usage""#) == true)
        }
    }

    @Test(arguments: [
        ScriptedModel.Fault.disconnectAfterChunks(3),
        .rawStream("data: {\"choices\":[]}\n\ndata: {\"trunc"),
        .rawStream("data: {\"choices\":[]}\n\n"),
    ])
    func aBrokenStreamEndsWithAnErrorEventNotDone(fault: ScriptedModel.Fault) async throws {
        var script = ScriptedModel.Script()
        script.fault = fault
        let app = Fixtures.application(upstream: ScriptedModel(script))
        try await app.test(.router) { client in
            let response = try await Self.post(client, Fixtures.chatBody(stream: true))
            #expect(response.status == .ok)
            let events = try Self.events(response)
            #expect(!events.contains { $0.isDone })
            let last = try #require(events.last)
            let json = try JSONParser.parse(last.data)
            let error = try #require(json.objectValue?["error"]?.objectValue)
            #expect(error["code"] == "upstream_stream_interrupted")
        }
    }

    // MARK: Operations

    @Test func healthAndReadiness() async throws {
        let app = Fixtures.application(upstream: ScriptedModel())
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body).contains(#""upstream":"ok""#))
        }
        var script = ScriptedModel.Script()
        script.fault = .connectionRefused
        let failing = Fixtures.application(upstream: ScriptedModel(script))
        try await failing.test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body).contains(#""upstream":"failing""#))
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let registry = PrometheusCollectorRegistry()
        let app = Fixtures.application(upstream: ScriptedModel(), registry: registry)
        try await app.test(.router) { client in
            _ = try await Self.post(client, Fixtures.chatBody())
            _ = try await Self.post(client, Fixtures.chatBody(stream: true))
            _ = try await Self.post(client, Fixtures.chatBody(), headers: [:])
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: metrics.body)
            #expect(
                text.contains(#"hegui_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 2"#)
            )
            #expect(
                text.contains(#"hegui_http_requests_total{route="/v1/chat/completions",method="POST",status="401"} 1"#)
            )
            #expect(text.contains("hegui_http_request_duration_seconds_bucket"))
            #expect(text.contains("hegui_upstream_response_seconds_count 2"))
            #expect(text.contains("hegui_active_streams 0"))
        }
    }

    @Test func logsNeverHoldPromptsAnswersOrKeys() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .trace
        let prompt = "秘密提示词-prompt-7731"
        let answer = "秘密回答-answer-8842"
        var script = ScriptedModel.Script(reply: answer)
        script.reportedModel = "m"
        let app = Fixtures.application(upstream: ScriptedModel(script), logger: logger)
        try await app.test(.router) { client in
            _ = try await Self.post(client, Fixtures.chatBody(prompt))
            _ = try await Self.post(client, Fixtures.chatBody(prompt, stream: true))
            _ = try await Self.post(client, Fixtures.chatBody(prompt, user: nil))
            _ = try await Self.post(client, "{\"broken\": \"\(prompt)", headers: Fixtures.headers)
        }
        let entries = logs.entries
        #expect(entries.contains { $0.message.description == "request completed" })
        for entry in entries {
            let text = "\(entry.message) \(entry.metadata)"
            #expect(!text.contains(prompt))
            #expect(!text.contains(answer))
            #expect(!text.contains(Fixtures.tenantKey))
        }
    }
}
