import Foundation
import HTTPTypes
package import HeguiCore
import HeguiMedia
package import Logging
import NIOConcurrencyHelpers
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

    /// Where the demo's image URLs point when it is called in-process (over HTTP, the address it
    /// was called at).
    package var baseURL = "http://demo.hegui.invalid/v1"

    /// Images made for `response_format: url`, kept for the gateway to fetch.
    private let files = DemoFiles()

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
        case (.post, "images/generations"):
            return self.image(request)
        case (.post, "audio/speech"):
            return self.speech(request.body ?? ByteBuffer())
        case (.get, let path) where path.hasPrefix("files/"):
            guard let file = self.files.get(String(path.dropFirst(6))) else {
                return Self.json(APIError.notFound().json, status: .notFound)
            }
            return UpstreamResponse(
                status: .ok,
                headers: [.contentType: "image/png"],
                body: UpstreamBody(buffer: ByteBuffer(bytes: file))
            )
        default:
            return Self.json(APIError.notFound().json, status: .notFound)
        }
    }

    /// `POST images/generations`: `n` PNGs (at most 4) of soft colour bands, as `b64_json` or as
    /// URLs under the demo's address.
    private func image(_ request: UpstreamRequest) -> UpstreamResponse {
        let object =
            (try? (request.body ?? ByteBuffer()).withUnsafeReadableBytes { bytes throws(JSONParseError) in
                try JSONParser.parse(bytes)
            })?.objectValue
        guard let object, let prompt = object["prompt"]?.stringValue, !prompt.isEmpty else {
            return Self.json(APIError.missingParameter("prompt").json, status: .badRequest)
        }
        var width = 256
        var height = 256
        if let size = object["size"]?.stringValue {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (16...2048).contains(parts[0]), (16...2048).contains(parts[1]) else {
                let error = APIError.invalidParameter(
                    "size",
                    expectedZH: "宽x高（16 至 2048）",
                    expected: "WIDTHxHEIGHT, 16 to 2048",
                    got: size
                )
                return Self.json(error.json, status: .badRequest)
            }
            (width, height) = (parts[0], parts[1])
        }
        let count = min(4, max(1, object["n"]?.intValue ?? 1))
        let asURL = object["response_format"]?.stringValue == "url"
        var data: [JSONValue] = []
        for index in 0..<count {
            let png = DemoMedia.png(width: width, height: height, seed: "\(prompt)#\(index)")
            if asURL {
                let name = "\(UUID().uuidString.lowercased()).png"
                self.files.put(name, png)
                data.append(["url": .string("\(request.origin ?? self.baseURL)/files/\(name)")])
            } else {
                data.append(["b64_json": .string(Data(png).base64EncodedString())])
            }
        }
        return Self.json(["created": .number(String(Int(Date().timeIntervalSince1970))), "data": .array(data)])
    }

    /// `POST audio/speech`: a WAV of tones, one per character of `input` (whatever format is asked).
    private func speech(_ body: ByteBuffer) -> UpstreamResponse {
        let object =
            (try? body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) })?
            .objectValue
        guard let object, let input = object["input"]?.stringValue, !input.isEmpty else {
            return Self.json(APIError.missingParameter("input").json, status: .badRequest)
        }
        return UpstreamResponse(
            status: .ok,
            headers: [.contentType: "audio/wav"],
            body: UpstreamBody(buffer: ByteBuffer(bytes: DemoMedia.wav(text: input)))
        )
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

/// The demo's generated images, newest 64 kept.
final class DemoFiles: Sendable {
    private let state = NIOLockedValueBox<[(String, [UInt8])]>([])

    func put(_ name: String, _ bytes: [UInt8]) {
        self.state.withLockedValue {
            $0.append((name, bytes))
            if $0.count > 64 { $0.removeFirst() }
        }
    }

    func get(_ name: String) -> [UInt8]? {
        self.state.withLockedValue { $0.first { $0.0 == name }?.1 }
    }
}
