/// How generated chat text is labelled (IM-12, LBL-4.1, GB-5.1, GB-IF): where the explicit text
/// label goes and what it says. The implicit label (the `aigc` record in the response and the
/// `X-AIGC` header) is always added.
package struct ChatLabelPolicy: Sendable, Hashable {
    /// Where the explicit label goes.
    package enum Placement: String, Sendable, Hashable, CaseIterable {
        /// At the start of every answer.
        case start
        /// At the end of every answer.
        case end
        /// At the start and at the end of every answer.
        case both
        /// At the start of the first answer of a conversation (a request with no earlier assistant
        /// message); interactive interfaces also show the `X-AIGC` header's prompt (GB-IF).
        case conversation
        /// None in the text: the tenant's own interface shows the prompt continuously (GB-IF). The
        /// duty stays with the provider, so each such answer is recorded as labelled by the interface.
        case interface
    }

    /// The default label text: both elements of GB-5.1, in Chinese with English beside it.
    package static let defaultText = "本内容由人工智能生成（AI-generated）"

    package var placement: Placement
    package var text: String

    package init(placement: Placement = .start, text: String = Self.defaultText) {
        self.placement = placement
        self.text = text
    }

    /// Whether `text` has both elements GB-5.1 asks of a text prompt: "人工智能" or "AI", and
    /// "生成" or "合成".
    package static func isConforming(_ text: String) -> Bool {
        (text.contains("人工智能") || text.contains("AI")) && (text.contains("生成") || text.contains("合成"))
    }

    /// Where the label goes in one answer, given the request: the first answer of a conversation is
    /// labelled under `.conversation`; structured answers (a JSON response format) carry no in-text
    /// label, which would break them, and rely on the `aigc` record and the interface.
    package func placement(for request: JSONObject) -> (start: Bool, end: Bool) {
        if let format = request["response_format"]?.objectValue?["type"]?.stringValue, format != "text" {
            return (false, false)
        }
        switch self.placement {
        case .start: return (true, false)
        case .end: return (false, true)
        case .both: return (true, true)
        case .interface: return (false, false)
        case .conversation:
            let messages = request["messages"]?.arrayValue ?? []
            let answered = messages.contains { $0.objectValue?["role"]?.stringValue == "assistant" }
            return (!answered, false)
        }
    }

    /// The label with the blank line that separates it from the answer.
    package var leading: String { self.text + "\n\n" }
    package var trailing: String { "\n\n" + self.text }
}

/// Adds labels to chat completions and streams (the JSON and SSE forms of OpenAI's API).
package enum ChatLabeling {
    /// Labels a whole completion: the explicit label in each choice's text content, and the record
    /// as `aigc`.
    package static func label(
        _ completion: JSONObject,
        record: AIGCRecord,
        start: Bool,
        end: Bool,
        policy: ChatLabelPolicy
    ) -> JSONObject {
        var completion = completion
        if start || end, case .array(var choices)? = completion["choices"] {
            for index in choices.indices {
                guard var choice = choices[index].objectValue, var message = choice["message"]?.objectValue,
                    case .string(var content)? = message["content"]
                else { continue }
                if start { content = policy.leading + content }
                if end { content += policy.trailing }
                message["content"] = .string(content)
                choice["message"] = .object(message)
                choices[index] = .object(choice)
            }
            completion["choices"] = .array(choices)
        }
        completion["aigc"] = record.jsonValue
        return completion
    }

    /// The chunk that opens a labelled stream: the role, the explicit label when it goes at the
    /// start, and the `aigc` record; it copies `id`, `created` and `model` from the upstream's first
    /// chunk so that clients join it to the rest. `choices` is the request's `n`.
    package static func openingChunk(
        firstChunk: String,
        record: AIGCRecord,
        content: String?,
        choices: Int
    ) -> String {
        var chunk = Self.chunkHeader(from: firstChunk)
        var delta = JSONObject()
        delta["role"] = "assistant"
        delta["content"] = .string(content ?? "")
        chunk["choices"] = .array(
            (0..<max(1, choices)).map { index in
                ["index": .number(String(index)), "delta": .object(delta), "finish_reason": .null]
            }
        )
        chunk["aigc"] = record.jsonValue
        return JSONValue.object(chunk).serialized
    }

    /// A content chunk carrying the label that ends each choice, sent after everything the upstream
    /// and the moderator released and before `[DONE]`, so that held text is never placed after it.
    package static func closingChunk(like finishing: String, text: String, choices: Int) -> String {
        var chunk = Self.chunkHeader(from: finishing)
        chunk["choices"] = .array(
            (0..<max(1, choices)).map { index in
                ["index": .number(String(index)), "delta": ["content": .string(text)], "finish_reason": .null]
            }
        )
        return JSONValue.object(chunk).serialized
    }

    private static func chunkHeader(from payload: String) -> JSONObject {
        var header = JSONObject()
        let upstream = (try? JSONParser.parse(payload))?.objectValue
        header["id"] = upstream?["id"] ?? "chatcmpl-hegui"
        header["object"] = "chat.completion.chunk"
        header["created"] = upstream?["created"] ?? .number("0")
        header["model"] = upstream?["model"] ?? ""
        return header
    }
}
