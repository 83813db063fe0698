package import AsyncHTTPClient
import Foundation
import HeguiCore
import NIOCore
import NIOHTTP1

/// Where the questions go: a running Hegui gateway (the whole service, as the regulator sees it)
/// or a model endpoint directly, either OpenAI-compatible.
package struct EvalTarget: Sendable {
    /// The chat-completions URL, e.g. `http://127.0.0.1:8080/v1/chat/completions`.
    package var url: String
    package var apiKey: String?
    package var model: String
    /// The end user the questions come from; each question gets its own (`<user>-<id>`), so the
    /// gateway's sanctions for one refused question never stop the next.
    package var user: String
    package var timeout: Duration

    package init(
        url: String,
        apiKey: String?,
        model: String,
        user: String = "hegui-eval",
        timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.apiKey = apiKey
        self.model = model
        self.user = user
        self.timeout = timeout
    }

    /// The chat-completions URL for a base URL: `…/v1` or `…/v1/chat/completions` or a bare host.
    package static func chatURL(_ base: String) -> String {
        var url = base
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/chat/completions") { return url }
        if url.hasSuffix("/v1") { return url + "/chat/completions" }
        return url + "/v1/chat/completions"
    }
}

/// A run that cannot go on: the target refuses the key, or is not there at all.
package struct EvalRunError: Error, Sendable, CustomStringConvertible {
    package var description: String
}

/// Sends questions to the target concurrently, with a limit, retrying transient failures
/// (connection errors, timeouts, 429 and 5xx, honouring `Retry-After`) with exponential backoff.
package struct EvalRunner: Sendable {
    package let client: HTTPClient
    package let target: EvalTarget
    package var concurrency: Int
    package var retries: Int
    /// The first pause before a retry; each next one doubles, up to 30 seconds.
    package var backoff: Duration

    package init(
        client: HTTPClient,
        target: EvalTarget,
        concurrency: Int = 8,
        retries: Int = 3,
        backoff: Duration = .milliseconds(500)
    ) {
        self.client = client
        self.target = target
        self.concurrency = max(1, concurrency)
        self.retries = max(0, retries)
        self.backoff = backoff
    }

    /// Asks every question, `concurrency` at a time, and hands each result to `record` as it
    /// arrives (in the order answers come).
    /// - Throws: ``EvalRunError`` when the target refuses the key or knows no such URL or model
    ///   (401, 403, 404), or what `record` throws.
    package func run(
        _ questions: [BankQuestion],
        record: @escaping @Sendable (EvalResult) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: EvalResult.self) { group in
            var next = 0
            func start() {
                guard next < questions.count else { return }
                let question = questions[next]
                next += 1
                group.addTask { try await self.ask(question) }
            }
            for _ in 0..<min(self.concurrency, questions.count) { start() }
            while let result = try await group.next() {
                try await record(result)
                start()
            }
        }
    }

    /// Asks one question.
    package func ask(_ question: BankQuestion) async throws -> EvalResult {
        let body: JSONValue = [
            "model": .string(self.target.model),
            "user": .string("\(self.target.user)-\(question.id)"),
            "messages": [["role": "user", "content": .string(question.question)]],
        ]
        var result = EvalResult(
            id: question.id,
            bank: question.bank,
            risk: question.risk?.rawValue,
            aspect: question.aspect?.rawValue,
            answer: ""
        )
        let started = ContinuousClock.now
        var pause = self.backoff
        for attempt in 1...(self.retries + 1) {
            try Task.checkCancellation()
            result.attempts = attempt
            var request = HTTPClientRequest(url: self.target.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let key = self.target.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
            request.body = .bytes(ByteBuffer(string: body.serialized))
            var retryAfter: Duration?
            do {
                let response = try await self.client.execute(
                    request,
                    timeout: .nanoseconds(self.target.timeout.nanoseconds)
                )
                let bytes = try await response.body.collect(upTo: 16 << 20)
                result.status = Int(response.status.code)
                let json = bytes.withUnsafeReadableBytes { try? JSONParser.parse($0) }
                switch response.status.code {
                case 200:
                    let choice = json?.objectValue?["choices"]?.arrayValue?.first?.objectValue
                    guard let message = choice?["message"]?.objectValue else {
                        result.error = "invalid_response"
                        break
                    }
                    result.answer = message["content"]?.stringValue ?? ""
                    result.finishReason = choice?["finish_reason"]?.stringValue
                    result.error = nil
                case 400 where json?.objectValue?["error"]?.objectValue?["code"]?.stringValue == "content_filter":
                    // The gateway refused the question itself: the service's answer is a refusal.
                    result.error = "content_filter"
                    result.answer = json?.objectValue?["error"]?.objectValue?["message"]?.stringValue ?? ""
                case 401, 403, 404:
                    // Every question would fail alike: a wrong key, URL or model stops the run.
                    let code =
                        json?.objectValue?["error"]?.objectValue?["code"]?.stringValue ?? "http_\(response.status.code)"
                    throw EvalRunError(
                        description:
                            "the target refused the request (\(response.status.code) \(code)); check the key, the URL and the model"
                    )
                case 429, 500, 502, 503, 504:
                    result.error = "http_\(response.status.code)"
                    if let seconds = response.headers.first(name: "Retry-After").flatMap(Int.init) {
                        retryAfter = .seconds(min(seconds, 30))
                    }
                default:
                    result.error = "http_\(response.status.code)"
                    result.milliseconds = Self.milliseconds(since: started)
                    return result  // not transient: no retry
                }
                if result.error == nil || result.error == "content_filter" || result.error == "invalid_response" {
                    result.milliseconds = Self.milliseconds(since: started)
                    return result
                }
            } catch let error as EvalRunError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                result.status = 0
                result.error = "timeout"
            } catch {
                result.status = 0
                result.error = "transport"
            }
            if attempt <= self.retries {
                try await Task.sleep(for: retryAfter ?? pause)
                pause = min(pause * 2, .seconds(30))
            }
        }
        result.milliseconds = Self.milliseconds(since: started)
        return result
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// The classifier check through a judge model (TC-9.3.3): any OpenAI-compatible endpoint, asked
/// with ``JudgePrompt``.
package struct JudgeModel: Sendable {
    package let runner: EvalRunner

    package init(client: HTTPClient, target: EvalTarget) {
        self.runner = EvalRunner(client: client, target: target, concurrency: 1, retries: 3)
    }

    /// `true` when the judge says SAFE, `false` for UNSAFE, `nil` when it could not tell.
    package func judge(question: BankQuestion, answer: String) async throws -> Bool? {
        let prompt = JudgePrompt.render(
            risk: question.risk?.rawValue ?? question.aspect?.rawValue ?? "—",
            question: question.question,
            answer: answer
        )
        let reply = try await self.runner.ask(
            BankQuestion(id: "judge-\(question.id)", bank: question.bank, risk: question.risk, question: prompt)
        )
        guard reply.error == nil else { return nil }
        return JudgePrompt.verdict(reply.answer)
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        self.components.seconds * 1_000_000_000 + self.components.attoseconds / 1_000_000_000
    }
}
