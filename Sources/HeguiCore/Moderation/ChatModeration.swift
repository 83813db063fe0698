/// Moderation of OpenAI chat-completion documents: the texts of a request's messages (IM-4: what
/// the app sends is checked before the model sees it) and of an answer (IM-14: nothing prohibited
/// reaches the user). Pure: the gateway calls it with parsed JSON and acts on the decision.
package enum ChatModeration {
    /// Where a checked text sits in its document.
    package enum Location: Sendable, Hashable, CustomStringConvertible {
        /// `messages[m].content` (a string).
        case messageContent(message: Int)
        /// `messages[m].content[p].text` (a text part).
        case messagePart(message: Int, part: Int)
        /// `messages[m].tool_calls[t].function.arguments`.
        case messageToolArguments(message: Int, call: Int)
        /// `choices[c].message.<field>` (`content`, `reasoning_content`, `reasoning`).
        case choiceField(choice: Int, field: String)
        /// `choices[c].message.tool_calls[t].function.arguments`.
        case choiceToolArguments(choice: Int, call: Int)

        package var description: String {
            switch self {
            case .messageContent(let message): "messages[\(message)].content"
            case .messagePart(let message, let part): "messages[\(message)].content[\(part)].text"
            case .messageToolArguments(let message, let call):
                "messages[\(message)].tool_calls[\(call)].function.arguments"
            case .choiceField(let choice, let field): "choices[\(choice)].message.\(field)"
            case .choiceToolArguments(let choice, let call):
                "choices[\(choice)].message.tool_calls[\(call)].function.arguments"
            }
        }
    }

    /// One text checked, with its verdict.
    package struct Finding: Sendable, Hashable {
        package var location: Location
        package var text: String
        package var verdict: ModerationVerdict
    }

    /// What checking a document decided.
    package struct Decision: Sendable {
        /// Every text checked.
        package var findings: [Finding]
        /// All hits together, with the compliant answer when they refuse.
        package var verdict: ModerationVerdict
        /// The document with `redact` spans masked, when any were (`nil` otherwise).
        package var redacted: JSONObject?

        /// The strictest action.
        package var action: ModerationAction { self.verdict.action }
        /// Every text that was checked, joined (what the content digest covers).
        package var checkedText: String { self.findings.map(\.text).joined(separator: "\n") }
        /// The texts with hits, joined (the evidence of a violation).
        package var offendingText: String {
            self.findings.filter { $0.verdict.action != .allow }.map(\.text).joined(separator: "\n")
        }
    }

    /// The answer fields a reasoning model may fill besides `content`.
    package static let answerFields = ["content", "reasoning_content", "reasoning"]

    // MARK: Input

    /// Checks the messages of a chat-completion request whose role is in `roles` (every role when
    /// `nil`): string contents, the text parts of multi-part contents, and tool-call arguments.
    package static func checkRequest(
        _ body: JSONObject,
        engine: ModerationEngine,
        policy: ModerationPolicy,
        roles: Set<String>? = nil
    ) -> Decision {
        var findings: [Finding] = []
        guard case .array(let messages)? = body["messages"] else {
            return Decision(findings: [], verdict: ModerationVerdict(hits: []), redacted: nil)
        }
        func check(_ text: String, _ location: Location) {
            findings.append(
                Finding(location: location, text: text, verdict: engine.check(text, direction: .input, policy: policy))
            )
        }
        for (index, message) in messages.enumerated() {
            guard case .object(let object) = message else { continue }
            if let roles, let role = object["role"]?.stringValue, !roles.contains(role) { continue }
            switch object["content"] {
            case .string(let text)?:
                check(text, .messageContent(message: index))
            case .array(let parts)?:
                for (partIndex, part) in parts.enumerated() {
                    if case .object(let partObject) = part, case .string(let text)? = partObject["text"] {
                        check(text, .messagePart(message: index, part: partIndex))
                    }
                }
            default: break
            }
            for (callIndex, arguments) in Self.toolArguments(object) {
                check(arguments, .messageToolArguments(message: index, call: callIndex))
            }
        }
        return Self.decide(findings, document: body, engine: engine, policy: policy)
    }

    // MARK: Output

    /// Checks a complete (non-streaming) chat-completion answer: each choice's content, reasoning
    /// text and tool-call arguments.
    package static func checkCompletion(
        _ body: JSONObject,
        engine: ModerationEngine,
        policy: ModerationPolicy
    ) -> Decision {
        var findings: [Finding] = []
        guard case .array(let choices)? = body["choices"] else {
            return Decision(findings: [], verdict: ModerationVerdict(hits: []), redacted: nil)
        }
        for (index, choice) in choices.enumerated() {
            guard case .object(let message)? = choice.objectValue?["message"] else { continue }
            for field in Self.answerFields {
                if case .string(let text)? = message[field] {
                    findings.append(
                        Finding(
                            location: .choiceField(choice: index, field: field),
                            text: text,
                            verdict: engine.check(text, direction: .output, policy: policy)
                        )
                    )
                }
            }
            for (callIndex, arguments) in Self.toolArguments(message) {
                findings.append(
                    Finding(
                        location: .choiceToolArguments(choice: index, call: callIndex),
                        text: arguments,
                        verdict: engine.check(arguments, direction: .output, policy: policy)
                    )
                )
            }
        }
        return Self.decide(findings, document: body, engine: engine, policy: policy)
    }

    /// The answer that replaces a refused completion: every choice becomes the compliant answer
    /// with `finish_reason: "content_filter"`; id, model, usage and other members stay. A `hegui`
    /// member names the risks.
    package static func refusedCompletion(_ body: JSONObject, answer: String, risks: [RiskCode]) -> JSONObject {
        var result = body
        let count = max(1, body["choices"]?.arrayValue?.count ?? 1)
        result["choices"] = .array(
            (0..<count).map { index in
                [
                    "index": .number(String(index)),
                    "message": ["role": "assistant", "content": .string(answer)],
                    "logprobs": .null,
                    "finish_reason": "content_filter",
                ]
            }
        )
        result["hegui"] = Self.heguiObject(risks: risks, retract: false)
        return result
    }

    /// The `hegui` extension member: `{"action":"block","risk":[…],"retract":…}`.
    package static func heguiObject(risks: [RiskCode], retract: Bool) -> JSONValue {
        .object([
            "action": "block",
            "retract": .bool(retract),
            "risk": .array(risks.map { .string($0.rawValue) }),
        ])
    }

    // MARK: Shared

    static func toolArguments(_ message: JSONObject) -> [(Int, String)] {
        guard case .array(let calls)? = message["tool_calls"] else { return [] }
        return calls.enumerated().compactMap { index, call in
            guard case .string(let arguments)? = call.objectValue?["function"]?.objectValue?["arguments"] else {
                return nil
            }
            return (index, arguments)
        }
    }

    static func decide(
        _ findings: [Finding],
        document: JSONObject,
        engine: ModerationEngine,
        policy: ModerationPolicy
    ) -> Decision {
        let verdict = engine.verdict(findings.flatMap(\.verdict.hits), policy: policy)
        guard verdict.action == .redact else { return Decision(findings: findings, verdict: verdict, redacted: nil) }
        var document = document
        for finding in findings where finding.verdict.action == .redact {
            Self.replace(
                finding.location,
                in: &document,
                with: finding.verdict.redacting(finding.text, mask: policy.mask)
            )
        }
        return Decision(findings: findings, verdict: verdict, redacted: document)
    }

    /// Writes `text` at `location`, leaving everything else as it was.
    static func replace(_ location: Location, in document: inout JSONObject, with text: String) {
        func update(_ key: String, _ index: Int, _ change: (inout JSONObject) -> Void) {
            guard case .array(var items)? = document[key], index < items.count,
                case .object(var item) = items[index]
            else { return }
            change(&item)
            items[index] = .object(item)
            document[key] = .array(items)
        }
        func updateArguments(_ object: inout JSONObject, call: Int) {
            guard case .array(var calls)? = object["tool_calls"], call < calls.count,
                case .object(var callObject) = calls[call], case .object(var function)? = callObject["function"]
            else { return }
            function["arguments"] = .string(text)
            callObject["function"] = .object(function)
            calls[call] = .object(callObject)
            object["tool_calls"] = .array(calls)
        }
        switch location {
        case .messageContent(let message):
            update("messages", message) { $0["content"] = .string(text) }
        case .messagePart(let message, let part):
            update("messages", message) { object in
                guard case .array(var parts)? = object["content"], part < parts.count,
                    case .object(var partObject) = parts[part]
                else { return }
                partObject["text"] = .string(text)
                parts[part] = .object(partObject)
                object["content"] = .array(parts)
            }
        case .messageToolArguments(let message, let call):
            update("messages", message) { updateArguments(&$0, call: call) }
        case .choiceField(let choice, let field):
            update("choices", choice) { choiceObject in
                guard case .object(var message)? = choiceObject["message"] else { return }
                message[field] = .string(text)
                choiceObject["message"] = .object(message)
            }
        case .choiceToolArguments(let choice, let call):
            update("choices", choice) { choiceObject in
                guard case .object(var message)? = choiceObject["message"] else { return }
                updateArguments(&message, call: call)
                choiceObject["message"] = .object(message)
            }
        }
    }
}
