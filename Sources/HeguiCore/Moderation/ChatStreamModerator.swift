/// Moderates a streamed chat completion event by event (issue 5: no prohibited term, nor a prefix
/// of one, reaches the client; IM-14.1–14.3). Each choice's `content`, reasoning text and each
/// tool call's `arguments` run through their own ``TextStreamModerator``.
///
/// An event whose texts can all be released as they are is passed through untouched (the common
/// case: no byte is re-encoded); an event that must hold text back is rewritten with only the
/// releasable part, the rest following in a later event. On a refusal the stream ends with a
/// final chunk carrying the compliant answer, `finish_reason: "content_filter"` and
/// `"hegui":{"retract":true,…}` — the client's cue to take back what it has shown.
package struct ChatStreamModerator: Sendable {
    /// What to send for one upstream event.
    package enum Outcome: Sendable, Equatable {
        /// Send the event as the upstream wrote it.
        case pass
        /// Send these event payloads instead (JSON texts; none to drop the event).
        case replace([String])
        /// Send these payloads, then `[DONE]`, and stop reading the upstream.
        case stop([String])
        /// The event cannot be checked (not JSON): end the stream with an error.
        case invalid
    }

    private struct Key: Hashable {
        var choice: Int
        /// `content`, `reasoning_content`, `reasoning`, or `tool:<index>`.
        var field: String
    }

    private let engine: ModerationEngine
    private let policy: ModerationPolicy
    private let holdsSentences: Bool
    /// Text released since ``takeReleased()`` was last called.
    private var released = ""
    private var moderators: [Key: TextStreamModerator] = [:]
    private var finished: Set<Key> = []
    private var choices: Set<Int> = []
    /// Everything the upstream said, per field, for the digest and the evidence.
    private var fedText: [Key: String] = [:]
    /// id, created and model of the last chunk, for the chunks the gateway writes itself.
    private var envelope = JSONObject()
    /// Every hit so far.
    package private(set) var hits: [ModerationHit] = []
    /// Whether the stream was refused.
    package private(set) var isStopped = false

    /// - Parameter holdsSentences: release whole sentences only (a classifier checks each before
    ///   it is shown).
    package init(engine: ModerationEngine, policy: ModerationPolicy, holdsSentences: Bool = false) {
        self.engine = engine
        self.policy = policy
        self.holdsSentences = holdsSentences
    }

    /// Whether text is released sentence by sentence for a classifier to see first.
    package var holdsSentencesForClassifiers: Bool { self.holdsSentences }

    /// The text released since the last call (for a classifier that checks what is shown).
    package mutating func takeReleased() -> String {
        defer { self.released = "" }
        return self.released
    }

    /// Adds hits found elsewhere (a classifier) that do not refuse the stream.
    package mutating func note(_ hits: [ModerationHit]) {
        self.hits += hits
    }

    /// Refuses the stream on hits found elsewhere (a classifier): the payloads of the final chunk.
    package mutating func refuse(adding hits: [ModerationHit]) -> [String] {
        self.hits += hits
        guard case .stop(let payloads) = self.stop() else { return [] }
        return payloads
    }

    /// The verdict over the whole answer so far.
    package var verdict: ModerationVerdict { self.engine.verdict(self.hits, policy: self.policy) }

    /// Every text the upstream sent, field after field.
    package var answerText: String {
        self.fedText.keys.sorted { ($0.choice, $0.field) < ($1.choice, $1.field) }.compactMap { self.fedText[$0] }
            .joined(separator: "\n")
    }

    /// Takes one event's data (a chunk's JSON).
    package mutating func event(_ data: String) -> Outcome {
        guard !self.isStopped else { return .replace([]) }
        guard case .object(var object)? = try? JSONParser.parse(data) else { return .invalid }
        for key in ["id", "object", "created", "model", "system_fingerprint"] {
            if let value = object[key] { self.envelope[key] = value }
        }
        guard case .array(var choiceValues)? = object["choices"], !choiceValues.isEmpty else { return .pass }
        var changed = false
        for (position, choiceValue) in choiceValues.enumerated() {
            guard case .object(var choice) = choiceValue else { continue }
            let index = Int(choice["index"]?.numberText ?? "") ?? position
            self.choices.insert(index)
            var delta = choice["delta"]?.objectValue ?? JSONObject()
            var deltaChanged = false
            for field in ChatModeration.answerFields {
                guard case .string(let piece)? = delta[field] else { continue }
                let released = self.feed(Key(choice: index, field: field), piece)
                guard let released else { return self.stop() }
                if released != piece {
                    delta[field] = .string(released)
                    deltaChanged = true
                }
            }
            if case .array(var calls)? = delta["tool_calls"] {
                for (callPosition, call) in calls.enumerated() {
                    guard case .object(var callObject) = call, case .object(var function)? = callObject["function"],
                        case .string(let piece)? = function["arguments"]
                    else { continue }
                    let callIndex = callObject["index"]?.numberText ?? String(callPosition)
                    let released = self.feed(Key(choice: index, field: "tool:" + callIndex), piece)
                    guard let released else { return self.stop() }
                    if released != piece {
                        function["arguments"] = .string(released)
                        callObject["function"] = .object(function)
                        calls[callPosition] = .object(callObject)
                        delta["tool_calls"] = .array(calls)
                        deltaChanged = true
                    }
                }
            }
            if let reason = choice["finish_reason"], reason != .null {
                // The choice is complete: whatever is held back is checked to the end and released.
                for key in self.moderators.keys where key.choice == index && !self.finished.contains(key) {
                    guard let rest = self.finish(key) else { return self.stop() }
                    if !rest.isEmpty {
                        Self.append(rest, to: key, in: &delta)
                        deltaChanged = true
                    }
                }
            }
            if deltaChanged {
                choice["delta"] = .object(delta)
                choiceValues[position] = .object(choice)
                changed = true
            }
        }
        guard changed else { return .pass }
        object["choices"] = .array(choiceValues)
        return .replace([JSONValue.object(object).serialized])
    }

    /// The upstream sent `[DONE]`: texts still held back are checked to the end. Returns the
    /// payloads to send before `[DONE]`.
    package mutating func done() -> Outcome {
        guard !self.isStopped else { return .replace([]) }
        var choiceValues: [JSONValue] = []
        for index in self.choices.sorted() {
            var delta = JSONObject()
            for key in self.moderators.keys.sorted(by: { $0.field < $1.field })
            where key.choice == index && !self.finished.contains(key) {
                guard let rest = self.finish(key) else { return self.stop() }
                if !rest.isEmpty { Self.append(rest, to: key, in: &delta) }
            }
            if !delta.members.isEmpty {
                choiceValues.append(["index": .number(String(index)), "delta": .object(delta), "finish_reason": .null])
            }
        }
        guard !choiceValues.isEmpty else { return .replace([]) }
        var chunk = self.envelope
        chunk["choices"] = .array(choiceValues)
        return .replace([JSONValue.object(chunk).serialized])
    }

    /// Feeds a piece; the text to release, or `nil` on a refusal.
    private mutating func feed(_ key: Key, _ piece: String) -> String? {
        self.fedText[key, default: ""] += piece
        var moderator =
            self.moderators[key]
            ?? TextStreamModerator(engine: self.engine, policy: self.policy, holdsSentences: self.holdsSentences)
        let step = moderator.feed(piece)
        self.moderators[key] = moderator
        self.hits += step.hits
        self.released += step.release
        return step.isBlocked ? nil : step.release
    }

    private mutating func finish(_ key: Key) -> String? {
        guard var moderator = self.moderators[key] else { return "" }
        let step = moderator.finish()
        self.moderators[key] = moderator
        self.finished.insert(key)
        self.hits += step.hits
        self.released += step.release
        return step.isBlocked ? nil : step.release
    }

    /// Adds released text to a delta under the field its key names.
    private static func append(_ text: String, to key: Key, in delta: inout JSONObject) {
        if key.field.hasPrefix("tool:") {
            let callIndex = String(key.field.dropFirst(5))
            var calls = delta["tool_calls"]?.arrayValue ?? []
            if let position = calls.firstIndex(where: { $0.objectValue?["index"]?.numberText == callIndex }),
                case .object(var call) = calls[position]
            {
                var function = call["function"]?.objectValue ?? JSONObject()
                function["arguments"] = .string((function["arguments"]?.stringValue ?? "") + text)
                call["function"] = .object(function)
                calls[position] = .object(call)
            } else {
                calls.append(["index": .number(callIndex), "function": ["arguments": .string(text)]])
            }
            delta["tool_calls"] = .array(calls)
        } else {
            delta[key.field] = .string((delta[key.field]?.stringValue ?? "") + text)
        }
    }

    /// Ends the stream with the compliant answer for every choice seen.
    private mutating func stop() -> Outcome {
        self.isStopped = true
        let verdict = self.verdict
        let answer = verdict.answer ?? self.policy.defaultAnswer
        var chunk = self.envelope
        chunk["object"] = "chat.completion.chunk"
        chunk["choices"] = .array(
            self.choices.sorted().map { index in
                [
                    "index": .number(String(index)),
                    "delta": ["role": "assistant", "content": .string(answer)],
                    "finish_reason": "content_filter",
                ]
            }
        )
        chunk["hegui"] = ChatModeration.heguiObject(risks: verdict.risks, retract: true)
        return .stop([JSONValue.object(chunk).serialized])
    }
}

extension JSONValue {
    /// The literal text of a number, when this value is one.
    package var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}
