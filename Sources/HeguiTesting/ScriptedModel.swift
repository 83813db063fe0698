import Foundation
package import HTTPTypes
import HeguiCore
package import HeguiGateway
package import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A fake OpenAI-compatible upstream whose behaviour a test scripts: the reply text, its chunking
/// and pacing, error statuses, refused connections, timeouts, hangs, malformed streams and
/// mid-stream disconnects. It records every request it receives.
///
/// Use it in-process as the gateway's ``ModelUpstream``, or on a real port with ``ModelServer``.
package final class ScriptedModel: ModelUpstream {
    /// What the model does with the next requests.
    package struct Script: Sendable {
        /// The reply's text.
        package var reply: String = "模型回答。Model answer."
        /// Characters per stream chunk.
        package var chunkCharacters: Int = 3
        /// Pause before each chunk after the first.
        package var chunkDelay: Duration = .zero
        /// The fault to inject, if any.
        package var fault: Fault?
        /// When set, the stream stops after this many chunks until ``ScriptedModel/release()``.
        package var pauseAfterChunks: Int?
        /// The model name to report; the request's model when `nil`.
        package var reportedModel: String?
        /// Exact content pieces for a stream, one chunk each (instead of cutting ``reply``).
        package var pieces: [String]?

        package init(reply: String = "模型回答。Model answer.", chunkCharacters: Int = 3) {
            self.reply = reply
            self.chunkCharacters = chunkCharacters
        }
    }

    /// Faults the model can inject.
    package enum Fault: Sendable {
        /// Answer with this status and body (JSON).
        case status(Int, body: String)
        /// Fail as if the connection were refused.
        case connectionRefused
        /// Fail as if the upstream did not answer in time.
        case timeout
        /// Send this many stream chunks, then break the connection.
        case disconnectAfterChunks(Int)
        /// Send this many stream chunks, then go silent forever.
        case hangAfterChunks(Int)
        /// Send these raw bytes as the stream body and end.
        case rawStream(String)
    }

    /// A request as the model received it.
    package struct ReceivedRequest: Sendable {
        package var method: HTTPRequest.Method
        package var path: String
        package var body: String
        package var requestID: String
    }

    private let state: NIOLockedValueBox<(script: Script, received: [ReceivedRequest])>
    private let served = NIOLockedValueBox(0)

    /// Stream chunks handed out so far (a stream cut short stops counting).
    package var servedChunks: Int { self.served.withLockedValue { $0 } }
    private let gate = AsyncStream<Void>.makeStream()

    package init(_ script: Script = Script()) {
        self.state = NIOLockedValueBox((script, []))
    }

    /// Replaces the script for the following requests.
    package func setScript(_ script: Script) {
        self.state.withLockedValue { $0.script = script }
    }

    /// The requests received so far.
    package var received: [ReceivedRequest] {
        self.state.withLockedValue { $0.received }
    }

    /// Lets a stream paused by ``Script/pauseAfterChunks`` go on.
    package func release() {
        self.gate.continuation.yield()
    }

    package func checkHealth(logger: Logger) async -> Bool {
        let fault = self.state.withLockedValue { $0.script.fault }
        switch fault {
        case .connectionRefused?, .timeout?: return false
        default: return true
        }
    }

    package func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
        let script = self.state.withLockedValue { state in
            state.received.append(
                ReceivedRequest(
                    method: request.method,
                    path: request.path,
                    body: request.body.map { String(buffer: $0) } ?? "",
                    requestID: request.requestID
                )
            )
            return state.script
        }
        switch script.fault {
        case .connectionRefused?: throw UpstreamError(.connectionFailed)
        case .timeout?: throw UpstreamError(.timeout)
        case .status(let code, let body)?:
            return UpstreamResponse(
                status: HTTPResponse.Status(code: code),
                headers: [.contentType: "application/json"],
                body: UpstreamBody(buffer: ByteBuffer(string: body))
            )
        default: break
        }
        if request.path == "models" {
            return Self.json([
                "object": "list",
                "data": [["id": "scripted-model", "object": "model", "created": 0, "owned_by": "test"]],
            ])
        }
        let json =
            try request.body.map { body in
                try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
            } ?? .null
        let model = script.reportedModel ?? json.objectValue?["model"]?.stringValue ?? "scripted-model"
        let builder = ChatCompletionBuilder(id: "chatcmpl-scripted", model: model, created: 1_700_000_000)
        let usage = ChatCompletionBuilder.Usage(
            promptTokens: 7,
            completionTokens: ChatCompletionBuilder.estimateTokens(script.reply)
        )
        let isStreaming = json.objectValue?["stream"]?.boolValue ?? false

        if case .rawStream(let raw)? = script.fault {
            return UpstreamResponse(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: UpstreamBody(buffer: ByteBuffer(string: raw))
            )
        }
        guard isStreaming else {
            return Self.json(builder.completion(content: script.reply, usage: usage))
        }
        let includeUsage = json.objectValue?["stream_options"]?.objectValue?["include_usage"]?.boolValue == true
        var chunks = DemoModel.streamEvents(
            builder: builder,
            reply: script.reply,
            chunkCharacters: script.chunkCharacters,
            usage: includeUsage ? usage : nil
        )
        if let pieces = script.pieces {
            var events = [builder.chunk(role: "assistant", content: "")]
            events += pieces.map { builder.chunk(content: $0) }
            events.append(builder.chunk(finishReason: "stop"))
            if includeUsage { events.append(builder.usageChunk(usage)) }
            chunks =
                events.map { ByteBuffer(string: ServerSentEvent(data: $0.serialized).encoded) } + [
                    ByteBuffer(string: "data: [DONE]\n\n")
                ]
        }
        var ending = ScriptedBody.Ending.finish
        switch script.fault {
        case .disconnectAfterChunks(let count)?:
            chunks = Array(chunks.prefix(count))
            ending = .disconnect
        case .hangAfterChunks(let count)?:
            chunks = Array(chunks.prefix(count))
            ending = .hang
        default: break
        }
        return UpstreamResponse(
            status: .ok,
            headers: [.contentType: "text/event-stream"],
            body: UpstreamBody(
                ScriptedBody(
                    chunks: chunks,
                    delay: script.chunkDelay,
                    pauseAfter: script.pauseAfterChunks,
                    gate: self.gate.stream,
                    ending: ending,
                    onChunk: { [self] in self.served.withLockedValue { $0 += 1 } }
                )
            )
        )
    }

    static func json(_ value: JSONValue) -> UpstreamResponse {
        UpstreamResponse(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: UpstreamBody(buffer: ByteBuffer(string: value.serialized))
        )
    }
}

/// The scripted stream body: chunks with pacing, an optional pause, and how it ends.
private struct ScriptedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    enum Ending: Sendable { case finish, disconnect, hang }

    let chunks: [ByteBuffer]
    let delay: Duration
    let pauseAfter: Int?
    let gate: AsyncStream<Void>
    let ending: Ending
    let onChunk: @Sendable () -> Void

    func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    struct Iterator: AsyncIteratorProtocol {
        let body: ScriptedBody
        var index = 0

        mutating func next() async throws -> ByteBuffer? {
            if let pause = self.body.pauseAfter, self.index == pause {
                var waiter = self.body.gate.makeAsyncIterator()
                _ = await waiter.next()
            }
            guard self.index < self.body.chunks.count else {
                switch self.body.ending {
                case .finish: return nil
                case .disconnect: throw UpstreamError(.streamInterrupted)
                case .hang:
                    try await Task.sleep(for: .seconds(3_600))
                    return nil
                }
            }
            if self.index > 0, self.body.delay > .zero {
                try await Task.sleep(for: self.body.delay)
            }
            defer { self.index += 1 }
            self.body.onChunk()
            return self.body.chunks[self.index]
        }
    }
}
