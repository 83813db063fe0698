import CoreMetrics
import Dispatch
import Foundation
import HTTPTypes
import HeguiCore
package import Hummingbird
import Logging
import NIOConcurrencyHelpers
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
    let enforcement: Enforcement
    let labels: LabelService

    package init(
        configuration: GatewayConfiguration,
        upstream: any ModelUpstream,
        metrics: GatewayMetrics,
        enforcement: Enforcement,
        labels: LabelService? = nil
    ) {
        self.enforcement = enforcement
        self.labels = labels ?? LabelService(configuration: configuration.labels, seal: nil)
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
        var document: JSONObject?
        if !self.aliases.isEmpty {
            guard let alias = self.aliases[chat.model] else { throw APIError.modelNotFound(chat.model) }
            if alias.upstreamModel != chat.model {
                var rewritten = chat.body
                rewritten["model"] = .string(alias.upstreamModel)
                document = rewritten
            }
        }

        // Input moderation (IM-4): every message the policy names, before the model sees it.
        let tenant = context.tenant ?? GatewayConfiguration.Tenant(id: "-", name: "-", keySHA256: "")
        let pseudonym = await self.enforcement.recorder.pseudonym(tenant: tenant.id, user: user)
        // The end-user gate (issue 6): sanctions, agreement, minors' mode, quotas.
        let gate = self.enforcement.gate
        let admission = try await gate?.admit(tenant: tenant, pseudonym: pseudonym, requestID: context.requestID)
        let outcome = RequestOutcome()
        let finish = { @Sendable () async in
            guard let gate, let admission, outcome.claimFinish() else { return }
            let tokens = outcome.tokens
            await gate.finish(
                admission,
                tenant: tenant,
                promptTokens: tokens.prompt,
                completionTokens: tokens.completion,
                violated: outcome.isViolated
            )
        }
        let (engine, version) = self.enforcement.moderation.snapshot
        let policy = engine.policies.policy(tenant: tenant.id, group: admission?.group, preferred: tenant.policy)
        let input = ChatModeration.checkRequest(
            chat.body,
            engine: engine,
            policy: policy,
            roles: policy.inputRoles ?? self.enforcement.inputRoles
        )
        let decision = Self.decisions(
            tenant: tenant.id,
            user: pseudonym,
            requestID: context.requestID,
            policy: policy.name,
            version: version,
            outcome: outcome
        )
        let classify = { @Sendable (text: String, direction: ModerationDirection) async throws -> [ModerationHit] in
            try await self.classify(
                text,
                direction: direction,
                policy: policy,
                version: version,
                tenant: tenant.id,
                user: pseudonym,
                requestID: context.requestID,
                logger: context.logger
            )
        }
        var inputVerdict = input.verdict
        if input.action != .block, self.enforcement.classifiers?.covers(.input) == true {
            let hits = try await classify(input.checkedText, .input)
            inputVerdict = engine.verdict(input.verdict.hits + hits, policy: policy)
        }
        let inputDecision = decision(
            "moderation.input",
            inputVerdict.action,
            inputVerdict.risks,
            input.checkedText,
            inputVerdict.action == .allow ? nil : input.checkedText,
            ["direction": "input"]
        )
        // An allowed input is recorded together with the answer's decision: an ordinary request
        // is one audit event (`moderation.checked`), a violation on either side two.
        let recorder = self.enforcement.recorder
        let pendingInput = PendingDecision(inputVerdict.action == .allow ? inputDecision : nil)
        if inputVerdict.action != .allow { try await recorder.record(inputDecision) }
        let recordOutput = { @Sendable (output: DecisionRecorder.Decision) async throws in
            if let input = pendingInput.take() {
                guard output.action != .allow || output.isViolation else {
                    try await recorder.record(
                        decision(
                            "moderation.checked",
                            .allow,
                            [],
                            input.text + "\n" + output.text,
                            nil,
                            ["direction": "both", "stream": output.details["stream"] ?? "false"].merging(
                                output.details.filter { $0.key == "aigc" || $0.key == "label" }
                            ) { first, _ in first }
                        )
                    )
                    return
                }
                try await recorder.record(input)
            }
            try await recorder.record(output)
        }
        outcome.promptEstimate = TokenEstimate.count(input.checkedText)
        do {
            var response = try await self.forward(
                chat,
                body: body,
                document: document,
                inputVerdict: inputVerdict,
                redacted: input.redacted,
                pendingInput: pendingInput,
                tenant: tenant,
                engine: engine,
                policy: policy,
                context: context,
                decision: decision,
                classify: classify,
                recordOutput: recordOutput,
                outcome: outcome,
                finish: finish
            )
            if !outcome.isStreaming { await finish() }
            if let admission { self.annotate(&response, admission: admission) }
            return response
        } catch {
            // No answer to record it with: the input's decision is recorded on its own.
            if let input = pendingInput.take() { try? await recorder.record(input) }
            await finish()
            throw error
        }
    }

    /// What one request's audit decisions share: tenant, end user, request id and policy in each,
    /// `extra` details, and a refusal marks the request a violation (for the sanctions ladder).
    static func decisions(
        tenant: String,
        user: String?,
        requestID: String,
        policy: String,
        version: String,
        outcome: RequestOutcome,
        extra: [String: String] = [:]
    )
        -> @Sendable (String, ModerationAction, [RiskCode], String, String?, [String: String]) ->
        DecisionRecorder.Decision
    {
        { type, action, risks, text, evidence, details in
            var details = details.merging(extra) { first, _ in first }
            details["policy"] = policy
            details["policy_version"] = version
            if action == .block { outcome.markViolation() }
            return DecisionRecorder.Decision(
                type: type,
                tenant: tenant,
                user: user,
                requestID: requestID,
                action: action,
                risks: risks,
                text: text,
                evidence: evidence,
                details: details
            )
        }
    }

    /// Tells the app what the gate found: a warning in force (IM-14.4), minors' mode with the time
    /// left and a break reminder (IM-10.3). Headers always; JSON answers also carry the text.
    func annotate(_ response: inout Response, admission: EndUserGate.Admission) {
        if let band = admission.minorBand {
            response.headers[.heguiMinorsMode] = band
            if let remaining = admission.remainingSeconds {
                response.headers[.heguiTimeRemaining] = String(remaining)
            }
        }
        if admission.reminderDue { response.headers[.heguiReminder] = "break" }
        if admission.warning != nil { response.headers[.heguiWarning] = "violation" }
    }

    /// Forwards a request that passed input moderation and moderates the answer.
    private func forward(
        _ chat: ChatCompletionRequest,
        body: ByteBuffer,
        document: JSONObject?,
        inputVerdict: ModerationVerdict,
        redacted: JSONObject?,
        pendingInput: PendingDecision,
        tenant: GatewayConfiguration.Tenant,
        engine: ModerationEngine,
        policy: ModerationPolicy,
        context: GatewayRequestContext,
        decision:
            @escaping @Sendable (
                String, ModerationAction, [RiskCode], String, String?, [String: String]
            ) -> DecisionRecorder.Decision,
        classify: @escaping @Sendable (String, ModerationDirection) async throws -> [ModerationHit],
        recordOutput: @escaping @Sendable (DecisionRecorder.Decision) async throws -> Void,
        outcome: RequestOutcome,
        finish: @escaping @Sendable () async -> Void
    ) async throws -> Response {
        var document = document
        if inputVerdict.action == .block {
            self.metrics.recordModeration(direction: "input", action: "block")
            return try self.refuse(
                chat,
                verdict: inputVerdict,
                policy: policy,
                tenant: tenant,
                requestID: context.requestID
            )
        }
        if inputVerdict.action != .allow {
            self.metrics.recordModeration(direction: "input", action: inputVerdict.action.rawValue)
        }
        if let redacted {
            var rewritten = redacted
            if let model = document?["model"] { rewritten["model"] = model }
            document = rewritten
        }
        let forwardBody = document.map { ByteBuffer(string: JSONValue.object($0).serialized) } ?? body

        let logger = context.logger
        // A classifier that holds the stream checks each sentence before it is shown, so its
        // stream arrives as the upstream sends it; other streams a socket read at a time.
        let classifierHoldsStream =
            self.enforcement.classifiers?.covers(.output) == true && self.enforcement.classifiers?.holdsStreams == true
        let response = try await self.send(
            UpstreamRequest(
                method: .post,
                path: "chat/completions",
                body: forwardBody,
                requestID: context.requestID,
                expectsStream: chat.isStreaming && !classifierHoldsStream
            ),
            logger: logger
        )
        guard (200..<300).contains(response.status.code) else {
            if let input = pendingInput.take() { try? await self.enforcement.recorder.record(input) }
            return try await self.relayUpstreamError(response, logger: logger)
        }
        // Labels (IM-12, LBL-4.1, LBL-5): the record of this answer and where its explicit label goes.
        let labelPolicy = self.labels.chatPolicy(for: tenant)
        let record = self.labels.chatRecord(requestID: context.requestID)
        let placement = labelPolicy.placement(for: chat.body)
        let labelDetails = ["aigc": record.produceID, "label": labelPolicy.placement.rawValue]
        if chat.isStreaming, response.isEventStream {
            let metrics = self.metrics
            let checksStream = self.enforcement.classifiers?.covers(.output) == true
            var streamClassify: (@Sendable (String) async throws -> [ModerationHit])?
            if checksStream {
                streamClassify = { text in try await classify(text, .output) }
            }
            outcome.isStreaming = true
            return self.relayStream(
                response,
                moderator: ChatStreamModerator(
                    engine: engine,
                    policy: policy,
                    holdsSentences: classifierHoldsStream
                ),
                classify: streamClassify,
                labels: StreamLabels(
                    record: record,
                    opening: placement.start ? labelPolicy.leading : nil,
                    closing: placement.end ? labelPolicy.trailing : nil,
                    choices: chat.body["n"]?.intValue ?? 1
                ),
                logger: logger
            ) { moderator, stopped -> Bool in
                defer { Task { await finish() } }
                outcome.setTokens(
                    prompt: outcome.promptEstimate,
                    completion: TokenEstimate.count(moderator.answerText)
                )
                if stopped { outcome.markViolation() }
                let verdict = moderator.verdict
                if verdict.action != .allow || stopped {
                    metrics.recordModeration(direction: "output", action: stopped ? "block" : verdict.action.rawValue)
                }
                do {
                    try await recordOutput(
                        decision(
                            "moderation.output",
                            stopped ? .block : verdict.action,
                            verdict.risks,
                            moderator.answerText,
                            moderator.answerText,
                            ["direction": "output", "stream": "true", "stopped": stopped ? "true" : "false"]
                                .merging(labelDetails) { first, _ in first }
                        )
                    )
                    return true
                } catch {
                    return false
                }
            }
        }
        // Output moderation of a whole answer (IM-14): checked before any of it is returned.
        let whole = try await self.collect(response, logger: logger)
        guard
            let answer = try? whole.withUnsafeReadableBytes({ bytes throws(JSONParseError) in
                try JSONParser.parse(bytes)
            }),
            case .object(let answerObject) = answer
        else {
            // An answer that cannot be read cannot be checked: refused (fail-closed).
            logger.warning("upstream answer is not JSON; refused")
            throw APIError.upstreamInvalidResponse()
        }
        if let usage = answerObject["usage"]?.objectValue {
            outcome.setTokens(
                prompt: usage["prompt_tokens"]?.intValue ?? outcome.promptEstimate,
                completion: usage["completion_tokens"]?.intValue ?? 0
            )
        }
        var output = ChatModeration.checkCompletion(answerObject, engine: engine, policy: policy)
        if output.action != .block, self.enforcement.classifiers?.covers(.output) == true, !output.checkedText.isEmpty {
            let hits = try await classify(output.checkedText, .output)
            if !hits.isEmpty {
                output.verdict = engine.verdict(output.verdict.hits + hits, policy: policy)
            }
        }
        try await recordOutput(
            decision(
                "moderation.output",
                output.action,
                output.verdict.risks,
                output.checkedText,
                output.action == .allow ? nil : output.checkedText,
                ["direction": "output", "stream": "false"].merging(labelDetails) { first, _ in first }
            )
        )
        if output.action != .allow {
            self.metrics.recordModeration(direction: "output", action: output.action.rawValue)
        }
        var headers: HTTPFields = [.contentType: response.headers[.contentType] ?? "application/json"]
        headers[.aigc] = record.json
        switch output.action {
        case .block:
            let refused = ChatModeration.refusedCompletion(
                answerObject,
                answer: output.verdict.answer ?? policy.defaultAnswer,
                risks: output.verdict.risks
            )
            return Response(
                status: response.status,
                headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(refused).serialized))
            )
        default:
            let shown = output.action == .redact ? output.redacted ?? answerObject : answerObject
            let labelled = ChatLabeling.label(
                shown,
                record: record,
                start: placement.start,
                end: placement.end,
                policy: labelPolicy
            )
            return Response(
                status: response.status,
                headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(labelled).serialized))
            )
        }
    }

    /// Answers a request refused on input: the compliant answer as a normal completion (or
    /// stream) with `finish_reason: "content_filter"`, or a 400 `content_filter` error when the
    /// tenant prefers one.
    func refuse(
        _ chat: ChatCompletionRequest,
        verdict: ModerationVerdict,
        policy: ModerationPolicy,
        tenant: GatewayConfiguration.Tenant,
        requestID: String
    ) throws -> Response {
        guard tenant.refusal == .answer else { throw APIError.contentFilter(risks: verdict.risks) }
        let answer = verdict.answer ?? policy.defaultAnswer
        let builder = ChatCompletionBuilder(
            id: "chatcmpl-hegui-" + requestID.dropFirst(4),
            model: chat.model,
            created: Int(Date().timeIntervalSince1970)
        )
        let hegui = ChatModeration.heguiObject(risks: verdict.risks, retract: false)
        guard chat.isStreaming else {
            guard
                case .object(var completion) = builder.completion(
                    content: answer,
                    finishReason: "content_filter",
                    usage: ChatCompletionBuilder.Usage(promptTokens: 0, completionTokens: 0)
                )
            else { throw APIError.internalError() }
            completion["hegui"] = hegui
            return .json(JSONValue.object(completion).serialized)
        }
        var events = builder.chunk(role: "assistant", content: answer).serialized
        events = ServerSentEvent(data: events).encoded
        if case .object(var last) = builder.chunk(finishReason: "content_filter") {
            last["hegui"] = hegui
            events += ServerSentEvent(data: JSONValue.object(last).serialized).encoded
        }
        events += ServerSentEvent(data: "[DONE]").encoded
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: events))
        )
    }

    /// Runs the classifier models of a direction; records each failure, and refuses (503
    /// `moderation_unavailable`) when a failing classifier fails closed.
    func classify(
        _ text: String,
        direction: ModerationDirection,
        policy: ModerationPolicy,
        version: String,
        tenant: String,
        user: String?,
        requestID: String,
        logger: Logger
    ) async throws -> [ModerationHit] {
        guard let classifiers = self.enforcement.classifiers, !text.isEmpty else { return [] }
        let outcome = await classifiers.classify(text, direction: direction, policy: policy, logger: logger)
        for (name, failure, refuses) in outcome.failures {
            self.metrics.recordModeration(direction: direction.rawValue, action: "classifier_error")
            await self.enforcement.recorder.recordClassifierFailure(
                classifier: name,
                failure: failure,
                refuses: refuses,
                direction: direction,
                tenant: tenant,
                user: user,
                requestID: requestID,
                policyVersion: version
            )
        }
        if outcome.refusedByFailure { throw APIError.moderationUnavailable() }
        return outcome.hits
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

    func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
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

    /// The whole body of an upstream response.
    func collect(_ response: UpstreamResponse, logger: Logger) async throws -> ByteBuffer {
        do {
            return try await response.body.collect(upTo: self.maximumResponseBytes)
        } catch {
            let upstreamError = HTTPModelUpstream.translate(error)
            self.metrics.recordUpstreamError(upstreamError.code.description)
            logger.warning(
                "upstream response unreadable",
                metadata: ["upstream.error": .string(upstreamError.code.description)]
            )
            throw upstreamError.code == .timeout ? APIError.upstreamTimeout() : APIError.upstreamInvalidResponse()
        }
    }

    /// Relays a complete (non-streaming) upstream response with its status and content type.
    private func relayWhole(_ response: UpstreamResponse, logger: Logger) async throws -> Response {
        let body = try await self.collect(response, logger: logger)
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
    func relayUpstreamError(_ response: UpstreamResponse, logger: Logger) async throws -> Response {
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

    /// Relays a server-sent event stream event by event, as each arrives, through output
    /// moderation. `onEnd` records the stream's decision (with whether moderation stopped it)
    /// once: before the write that carries `data: [DONE]`, so that a stream the app saw complete
    /// is on record; when it cannot be recorded (it returns `false`), the app gets an
    /// `audit_unavailable` error event instead of `[DONE]`. A stream that fails or is cancelled is
    /// recorded as it ends.
    private func relayStream(
        _ response: UpstreamResponse,
        moderator: ChatStreamModerator,
        classify: (@Sendable (String) async throws -> [ModerationHit])?,
        labels: StreamLabels,
        logger: Logger,
        onEnd: @escaping @Sendable (ChatStreamModerator, Bool) async -> Bool
    ) -> Response {
        let metrics = self.metrics
        let body = response.body
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8",
                .cacheControl: "no-cache",
                .init("X-Accel-Buffering")!: "no",  // a valid token, checked by the initialiser
                .aigc: labels.record.json,
            ],
            body: ResponseBody { writer in
                metrics.activeStreams.increment()
                defer { metrics.activeStreams.decrement() }
                var relay = StreamRelay(labels: labels)
                var moderator = moderator
                let holds = moderator.holdsSentencesForClassifiers
                let checkEvery = self.enforcement.classifiers?.streamCharacters ?? 200
                let findings = ClassifierFindings()
                var unclassified = ""
                var checks: [Task<Void, Never>] = []
                var stoppedByClassifier = false
                var isRecorded = false
                defer { for task in checks { task.cancel() } }
                var iterator: UpstreamBody.AsyncIterator? = body.makeAsyncIterator()
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
                        next = try await iterator?.next()
                    } catch is CancellationError {
                        _ = await onEnd(moderator, false)
                        throw CancellationError()
                    } catch {
                        try await writer.write(failureEvent(StreamRelay.failure(for: error)))
                        break
                    }
                    guard let buffer = next else {
                        if let failure = relay.finish() { try await writer.write(failureEvent(failure)) }
                        break
                    }
                    let step = relay.consume(buffer, moderator: &moderator)
                    if relay.isStopped {
                        // Refused: free the model at once by dropping the upstream response.
                        iterator = nil
                    }
                    if let classify, !relay.isStopped {
                        // Classifier models see the text released so far: before it is shown when
                        // they hold streams, else alongside (a hit then retracts what was shown),
                        // and everything before [DONE] goes out.
                        unclassified += moderator.takeReleased()
                        let due =
                            holds || relay.isDone || unclassified.unicodeScalars.count >= checkEvery
                            || unclassified.last.map { "。！？!?\n".contains($0) } == true
                        if relay.isDone {
                            for task in checks { await task.value }
                            checks = []
                        }
                        if due, !unclassified.isEmpty {
                            let text = unclassified
                            unclassified = ""
                            if holds || relay.isDone {
                                await findings.check(text, classify)
                            } else {
                                checks.append(Task { await findings.check(text, classify) })
                            }
                        }
                        if let refusal = findings.take() {
                            // This step's text is not shown; what was shown before is retracted.
                            var stopped = ByteBuffer()
                            for payload in moderator.refuse(adding: refusal.hits) {
                                stopped.writeString(ServerSentEvent(data: payload).encoded)
                            }
                            stopped.writeString(ServerSentEvent(data: "[DONE]").encoded)
                            iterator = nil
                            stoppedByClassifier = true
                            isRecorded = true
                            guard await onEnd(moderator, true) else {
                                try await writer.write(ByteBuffer(string: StreamRelay.errorEvent(.auditUnavailable())))
                                break
                            }
                            try await writer.write(stopped)
                            break
                        }
                        moderator.note(findings.takeNoted())
                    }
                    if relay.isDone || relay.isStopped {
                        // This write carries [DONE]: the answer is on record before the app sees it end.
                        isRecorded = true
                        guard await onEnd(moderator, relay.isStopped) else {
                            try await writer.write(ByteBuffer(string: StreamRelay.errorEvent(.auditUnavailable())))
                            break
                        }
                    }
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
                if !isRecorded { _ = await onEnd(moderator, relay.isStopped || stoppedByClassifier) }
            }
        )
    }
}

/// What the classifier checks of one stream found, shared with the checks running alongside it.
final class ClassifierFindings: Sendable {
    struct Refusal {
        var hits: [ModerationHit]
    }

    private let state = NIOLockedValueBox<(refusal: Refusal?, noted: [ModerationHit])>((nil, []))

    /// Runs a check and keeps what it found: a refusal (a blocking hit, or a classifier that
    /// failed closed), or hits to note.
    func check(_ text: String, _ classify: @Sendable (String) async throws -> [ModerationHit]) async {
        let refusal: Refusal?
        var noted: [ModerationHit] = []
        do {
            let hits = try await classify(text)
            if hits.contains(where: { $0.action == .block }) {
                refusal = Refusal(hits: hits)
            } else {
                refusal = nil
                noted = hits
            }
        } catch {
            refusal = Refusal(hits: [])
        }
        self.state.withLockedValue { state in
            if state.refusal == nil { state.refusal = refusal }
            state.noted += noted
        }
    }

    func take() -> Refusal? {
        self.state.withLockedValue { state in
            defer { state.refusal = nil }
            return state.refusal
        }
    }

    func takeNoted() -> [ModerationHit] {
        self.state.withLockedValue { state in
            defer { state.noted = [] }
            return state.noted
        }
    }
}

/// An allowed input's decision waiting to be recorded with the answer's; taken once.
final class PendingDecision: Sendable {
    private let decision: NIOLockedValueBox<DecisionRecorder.Decision?>

    init(_ decision: DecisionRecorder.Decision?) {
        self.decision = NIOLockedValueBox(decision)
    }

    func take() -> DecisionRecorder.Decision? {
        self.decision.withLockedValue { decision in
            defer { decision = nil }
            return decision
        }
    }
}

/// What one request came to, for the gate's bookkeeping after it: whether it was a violation,
/// the tokens it used, whether a stream finishes it later.
final class RequestOutcome: Sendable {
    private struct State {
        var violated = false
        var streaming = false
        var finished = false
        var promptEstimate = 0
        var tokens = (prompt: 0, completion: 0)
    }

    private let state = NIOLockedValueBox(State())

    func markViolation() { self.state.withLockedValue { $0.violated = true } }
    var isViolated: Bool { self.state.withLockedValue { $0.violated } }

    var isStreaming: Bool {
        get { self.state.withLockedValue { $0.streaming } }
        set { self.state.withLockedValue { $0.streaming = newValue } }
    }

    var promptEstimate: Int {
        get { self.state.withLockedValue { $0.promptEstimate } }
        set { self.state.withLockedValue { $0.promptEstimate = newValue } }
    }

    var tokens: (prompt: Int, completion: Int) { self.state.withLockedValue { $0.tokens } }

    func setTokens(prompt: Int, completion: Int) {
        self.state.withLockedValue { $0.tokens = (prompt, completion) }
    }

    /// True once: the bookkeeping runs for one request only once.
    func claimFinish() -> Bool {
        self.state.withLockedValue { state in
            defer { state.finished = true }
            return !state.finished
        }
    }
}
