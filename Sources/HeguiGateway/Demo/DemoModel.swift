import Foundation
import HTTPTypes
package import HeguiCore
package import Logging
package import NIOCore

/// The built-in demo model: an in-process OpenAI-compatible model with deterministic replies and
/// real streaming in small chunks, so `hegui serve` works with no model at hand.
///
/// It answers `POST chat/completions` (JSON or SSE, honouring `stream_options.include_usage`) and
/// `GET models`. The reply says plainly that it is a demo and echoes the start of the last user
/// message, so a client can see its request went through.
package struct DemoModel: ModelUpstream {
    /// The model id the demo lists.
    package static let modelID = "hegui-demo"

    /// Characters (grapheme clusters) per stream chunk.
    package var chunkCharacters: Int
    /// Pause before each content chunk.
    package var chunkDelay: Duration

    /// Replies are padded with a plain sentence to at least this many UTF-8 bytes (benchmarks).
    package var minimumReplyBytes: Int = 0

    package init(chunkCharacters: Int = 4, chunkDelay: Duration = .milliseconds(15), minimumReplyBytes: Int = 0) {
        self.minimumReplyBytes = minimumReplyBytes
        self.chunkCharacters = max(1, chunkCharacters)
        self.chunkDelay = chunkDelay
    }

    package func checkHealth(logger: Logger) async -> Bool { true }

    package func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
        switch (request.method, request.path) {
        case (.get, "models"):
            let list: JSONValue = [
                "object": "list",
                "data": [["id": .string(Self.modelID), "object": "model", "created": 0, "owned_by": "hegui"]],
            ]
            return Self.json(list)
        case (.post, "chat/completions"):
            return self.chatCompletion(request.body ?? ByteBuffer())
        default:
            return Self.json(APIError.notFound().json, status: .notFound)
        }
    }

    private func chatCompletion(_ body: ByteBuffer) -> UpstreamResponse {
        let chat: ChatCompletionRequest
        do {
            let json = try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
            chat = try ChatCompletionRequest(json: json)
        } catch let error as APIError {
            return Self.json(error.json, status: .badRequest)
        } catch let error as JSONParseError {
            return Self.json(APIError.invalidJSON(error).json, status: .badRequest)
        } catch {
            return Self.json(APIError.internalError().json, status: .internalServerError)
        }
        let prompt = Self.lastUserText(chat.body)
        var reply = Self.reply(to: prompt)
        while reply.utf8.count < self.minimumReplyBytes {
            reply += " 这是用于测量的填充内容。Padding for measurements."
        }
        let builder = ChatCompletionBuilder(
            id: "chatcmpl-" + RequestIdentifier.make().dropFirst(4),
            model: chat.model,
            created: Int(Date().timeIntervalSince1970)
        )
        let usage = ChatCompletionBuilder.Usage(
            promptTokens: Self.promptTokens(chat.body),
            completionTokens: ChatCompletionBuilder.estimateTokens(reply)
        )
        guard chat.isStreaming else {
            return Self.json(builder.completion(content: reply, usage: usage))
        }
        let includeUsage = chat.body["stream_options"]?.objectValue?["include_usage"]?.boolValue == true
        let events = Self.streamEvents(
            builder: builder,
            reply: reply,
            chunkCharacters: self.chunkCharacters,
            usage: includeUsage ? usage : nil
        )
        return UpstreamResponse(
            status: .ok,
            headers: [.contentType: "text/event-stream"],
            body: UpstreamBody(PacedChunks(chunks: events, delay: self.chunkDelay))
        )
    }

    /// The wire events of a streamed reply: a role chunk, content chunks of `chunkCharacters`
    /// characters, a finish chunk, the usage chunk when asked for, and `data: [DONE]`.
    package static func streamEvents(
        builder: ChatCompletionBuilder,
        reply: String,
        chunkCharacters: Int,
        usage: ChatCompletionBuilder.Usage?
    ) -> [ByteBuffer] {
        var events = [builder.chunk(role: "assistant", content: "")]
        var piece = ""
        for character in reply {
            piece.append(character)
            if piece.count == chunkCharacters {
                events.append(builder.chunk(content: piece))
                piece = ""
            }
        }
        if !piece.isEmpty { events.append(builder.chunk(content: piece)) }
        events.append(builder.chunk(finishReason: "stop"))
        if let usage { events.append(builder.usageChunk(usage)) }
        return events.map { ByteBuffer(string: ServerSentEvent(data: $0.serialized).encoded) } + [
            ByteBuffer(string: "data: [DONE]\n\n")
        ]
    }

    /// The deterministic demo reply, in Chinese with English beside it.
    package static func reply(to prompt: String) -> String {
        let count = prompt.count
        var echo = String(prompt.prefix(60)).replacingOccurrences(of: "\n", with: " ")
        if count > 60 { echo += "…" }
        return "你好！我是 Hegui 内置的演示模型，并未连接真实的大模型。你的消息共 \(count) 个字：「\(echo)」。"
            + "要接入真实模型，请设置 HEGUI_UPSTREAM_URL。\n"
            + "Hello! I am Hegui's built-in demo model, not a real LLM. Your message had \(count) characters. "
            + "Set HEGUI_UPSTREAM_URL to use a real model."
    }

    /// The text of the last user message (string content, or the text parts of multi-part content).
    static func lastUserText(_ body: JSONObject) -> String {
        guard let messages = body["messages"]?.arrayValue else { return "" }
        for message in messages.reversed() {
            guard let object = message.objectValue, object["role"]?.stringValue == "user" else { continue }
            return Self.text(of: object["content"])
        }
        return ""
    }

    static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            return parts.compactMap { $0.objectValue?["text"]?.stringValue }.joined(separator: "\n")
        default: return ""
        }
    }

    static func promptTokens(_ body: JSONObject) -> Int {
        let messages = body["messages"]?.arrayValue ?? []
        return messages.reduce(0) { total, message in
            total + 4 + ChatCompletionBuilder.estimateTokens(Self.text(of: message.objectValue?["content"]))
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> UpstreamResponse {
        UpstreamResponse(
            status: status,
            headers: [.contentType: "application/json"],
            body: UpstreamBody(buffer: ByteBuffer(string: value.serialized))
        )
    }
}

/// Buffers released one by one with a pause before each but the first.
package struct PacedChunks: AsyncSequence, Sendable {
    package typealias Element = ByteBuffer
    let chunks: [ByteBuffer]
    let delay: Duration

    package init(chunks: [ByteBuffer], delay: Duration) {
        self.chunks = chunks
        self.delay = delay
    }

    package func makeAsyncIterator() -> Iterator { Iterator(chunks: self.chunks, delay: self.delay) }

    package struct Iterator: AsyncIteratorProtocol {
        let chunks: [ByteBuffer]
        let delay: Duration
        var index = 0

        package mutating func next() async throws -> ByteBuffer? {
            guard self.index < self.chunks.count else { return nil }
            if self.index > 0, self.delay > .zero {
                try await Task.sleep(for: self.delay)
            }
            defer { self.index += 1 }
            return self.chunks[self.index]
        }
    }
}
