/// Builds OpenAI chat-completion responses and stream chunks, for the built-in demo model and the
/// test doubles that stand in for an upstream.
package struct ChatCompletionBuilder: Sendable {
    /// The completion id shared by the response or all chunks of one stream (`chatcmpl-…`).
    package var id: String
    /// The model name reported back.
    package var model: String
    /// Creation time in seconds since 1970.
    package var created: Int

    package init(id: String, model: String, created: Int) {
        self.id = id
        self.model = model
        self.created = created
    }

    /// A complete non-streaming response with one choice.
    package func completion(content: String, finishReason: String = "stop", usage: Usage) -> JSONValue {
        [
            "id": .string(self.id),
            "object": "chat.completion",
            "created": .number(String(self.created)),
            "model": .string(self.model),
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": .string(content)],
                    "logprobs": .null,
                    "finish_reason": .string(finishReason),
                ]
            ],
            "usage": usage.json,
        ]
    }

    /// One stream chunk; the first carries the role, the last the finish reason.
    package func chunk(role: String? = nil, content: String? = nil, finishReason: String? = nil) -> JSONValue {
        var delta = JSONObject()
        if let role { delta["role"] = .string(role) }
        if let content { delta["content"] = .string(content) }
        return [
            "id": .string(self.id),
            "object": "chat.completion.chunk",
            "created": .number(String(self.created)),
            "model": .string(self.model),
            "choices": [
                [
                    "index": 0,
                    "delta": .object(delta),
                    "logprobs": .null,
                    "finish_reason": finishReason.map(JSONValue.string) ?? .null,
                ]
            ],
        ]
    }

    /// The final usage chunk sent when the app asked for `stream_options.include_usage`.
    package func usageChunk(_ usage: Usage) -> JSONValue {
        [
            "id": .string(self.id),
            "object": "chat.completion.chunk",
            "created": .number(String(self.created)),
            "model": .string(self.model),
            "choices": [],
            "usage": usage.json,
        ]
    }

    /// Token counts as OpenAI reports them.
    package struct Usage: Sendable, Hashable {
        package var promptTokens: Int
        package var completionTokens: Int

        package init(promptTokens: Int, completionTokens: Int) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
        }

        package var json: JSONValue {
            [
                "prompt_tokens": .number(String(self.promptTokens)),
                "completion_tokens": .number(String(self.completionTokens)),
                "total_tokens": .number(String(self.promptTokens + self.completionTokens)),
            ]
        }
    }

    /// A rough token count: one per CJK character, one per run of other letters or digits, one per
    /// other symbol. Good enough for a demo's `usage`; real counts come from the upstream.
    package static func estimateTokens(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isIdeographic {
                count += 1
                inWord = false
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if !inWord { count += 1 }
                inWord = true
            } else {
                if !scalar.properties.isWhitespace { count += 1 }
                inWord = false
            }
        }
        return count
    }
}
