/// The parts of an OpenAI chat-completion request the gateway needs, validated, over the full
/// document (which is forwarded as sent).
package struct ChatCompletionRequest: Sendable {
    /// The whole request object, members in the order the app sent them.
    package var body: JSONObject
    /// The requested model.
    package var model: String
    /// Whether the app asked for server-sent events.
    package var isStreaming: Bool
    /// The `user` field, when present.
    package var user: String?
    /// The number of messages.
    package var messageCount: Int

    /// Validates a parsed request body.
    /// - Throws: ``APIError`` naming the offending parameter.
    package init(json: JSONValue) throws(APIError) {
        guard case .object(let body) = json else {
            throw .invalidParameter("body", expectedZH: "JSON 对象", expected: "a JSON object", got: json.typeName)
        }
        self.body = body

        guard let modelValue = body["model"] else { throw .missingParameter("model") }
        guard case .string(let model) = modelValue, !model.isEmpty else {
            throw .invalidParameter(
                "model",
                expectedZH: "非空字符串",
                expected: "a non-empty string",
                got: Self.describe(modelValue)
            )
        }
        self.model = model

        guard let messagesValue = body["messages"] else { throw .missingParameter("messages") }
        guard case .array(let messages) = messagesValue, !messages.isEmpty else {
            throw .invalidParameter(
                "messages",
                expectedZH: "非空数组",
                expected: "a non-empty array",
                got: Self.describe(messagesValue)
            )
        }
        for (index, message) in messages.enumerated() {
            guard case .object(let object) = message else {
                throw .invalidParameter(
                    "messages[\(index)]",
                    expectedZH: "对象",
                    expected: "an object",
                    got: message.typeName
                )
            }
            guard let role = object["role"] else { throw .missingParameter("messages[\(index)].role") }
            guard case .string(let roleName) = role, !roleName.isEmpty else {
                throw .invalidParameter(
                    "messages[\(index)].role",
                    expectedZH: "非空字符串",
                    expected: "a non-empty string",
                    got: Self.describe(role)
                )
            }
            if let content = object["content"] {
                switch content {
                case .string, .array, .null: break
                default:
                    throw .invalidParameter(
                        "messages[\(index)].content",
                        expectedZH: "字符串、数组或 null",
                        expected: "a string, an array or null",
                        got: content.typeName
                    )
                }
            }
        }
        self.messageCount = messages.count

        switch body["stream"] {
        case nil, .null?: self.isStreaming = false
        case .bool(let flag)?: self.isStreaming = flag
        case let other?:
            throw .invalidParameter("stream", expectedZH: "布尔值", expected: "a boolean", got: other.typeName)
        }

        switch body["user"] {
        case nil, .null?: self.user = nil
        case .string(let user)?: self.user = user
        case let other?:
            throw .invalidParameter("user", expectedZH: "字符串", expected: "a string", got: other.typeName)
        }

        if let options = body["stream_options"], options != .null, options.objectValue == nil {
            throw .invalidParameter("stream_options", expectedZH: "对象", expected: "an object", got: options.typeName)
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .string(let text) = value, text.isEmpty { return "an empty string" }
        return value.typeName
    }
}
