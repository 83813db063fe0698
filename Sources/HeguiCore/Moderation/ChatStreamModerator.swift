/// Moderates a streamed chat completion event by event (issue 5: no prohibited term, nor a prefix
/// of one, reaches the client; IM-14.1–14.3). Each choice's `content`, reasoning text and each
/// tool call's `arguments` run through their own ``TextStreamModerator``.
///
/// Whole events are held, not split: an event goes out — as the upstream wrote it, no byte
/// re-encoded — once every text it carries is final, and in order. An event whose texts are final
/// at once is passed straight through (the common case). Only an event with a span to mask is
/// rewritten. On a refusal the held events are dropped and the stream ends with a final chunk
/// carrying the compliant answer, `finish_reason: "content_filter"` and
/// `"hegui":{"retract":true,…}` — the client's cue to take back what it has shown.
package struct ChatStreamModerator: Sendable {
    /// What to send for one upstream event.
    package enum Outcome: Sendable, Equatable {
        /// Send the event as the upstream wrote it.
        case pass
        /// Send these event payloads instead (JSON texts; none to hold the event back).
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

    /// A piece of text an event carries, and where it lies in its field's text.
    private struct Piece {
        var key: Key
        var start: Int
        var end: Int
        var text: String
        /// Where the text sits in the event: a delta field, or a tool call's arguments.
        var choicePosition: Int
        var callPosition: Int?
    }

    private struct HeldEvent {
        var data: String
        var pieces: [Piece]
    }

    /// What moderation reads of a chunk, scanned without building the rest of it.
    struct ChunkTexts {
        struct Choice {
            var position: Int
            var index: Int?
            /// The answer fields' texts (the last of a repeated key, as a parser would keep).
            var texts: [String: String] = [:]
            /// Each tool call's position, `index` literal and `function.arguments`.
            var calls: [(position: Int, index: String?, arguments: String)] = []
            var isFinished = false
        }

        var namesID = false
        var choices: [Choice] = []

        /// Scans a chunk; `nil` when it is not a JSON object.
        init?(_ data: String) {
            do throws(JSONParseError) {
                self = try JSONScanner.scan(data) { scanner throws(JSONParseError) in
                    var chunk = ChunkTexts()
                    guard try scanner.beginObject() else { return chunk }
                    while let key = try scanner.nextKey() {
                        switch key {
                        case "id":
                            chunk.namesID = true
                            try scanner.skipValue()
                        case "choices":
                            chunk.choices = try Self.choices(&scanner)
                        default:
                            try scanner.skipValue()
                        }
                    }
                    chunk.isObject = true
                    return chunk
                }
            } catch {
                return nil
            }
            guard self.isObject else { return nil }
        }

        private var isObject = false

        private init() {}

        private static func choices(_ scanner: inout JSONScanner) throws(JSONParseError) -> [Choice] {
            var choices: [Choice] = []
            try scanner.forEachObject { scanner, position throws(JSONParseError) in
                var choice = Choice(position: position)
                while let key = try scanner.nextKey() {
                    switch key {
                    case "index":
                        choice.index = try scanner.numberLiteral().flatMap { Int($0) }
                    case "delta":
                        try Self.delta(&scanner, into: &choice)
                    case "finish_reason":
                        choice.isFinished = !(try scanner.skipValue())
                    default:
                        try scanner.skipValue()
                    }
                }
                choices.append(choice)
            }
            return choices
        }

        private static func delta(_ scanner: inout JSONScanner, into choice: inout Choice) throws(JSONParseError) {
            guard try scanner.beginObject() else {
                try scanner.skipValue()
                return
            }
            while let key = try scanner.nextKey() {
                if ChatModeration.answerFields.contains(key) {
                    choice.texts[key] = try scanner.stringValue()
                } else if key == "tool_calls" {
                    choice.calls = try Self.calls(&scanner)
                } else {
                    try scanner.skipValue()
                }
            }
        }

        private static func calls(
            _ scanner: inout JSONScanner
        ) throws(JSONParseError) -> [(position: Int, index: String?, arguments: String)] {
            var calls: [(position: Int, index: String?, arguments: String)] = []
            try scanner.forEachObject { scanner, position throws(JSONParseError) in
                var index: String?
                var arguments: String?
                while let key = try scanner.nextKey() {
                    switch key {
                    case "index":
                        index = try scanner.numberLiteral()
                    case "function":
                        arguments = nil
                        guard try scanner.beginObject() else {
                            try scanner.skipValue()
                            continue
                        }
                        while let member = try scanner.nextKey() {
                            if member == "arguments" {
                                arguments = try scanner.stringValue()
                            } else {
                                try scanner.skipValue()
                            }
                        }
                    default:
                        try scanner.skipValue()
                    }
                }
                if let arguments { calls.append((position, index, arguments)) }
            }
            return calls
        }
    }

    private let engine: ModerationEngine
    private let policy: ModerationPolicy
    private let holdsSentences: Bool
    /// One moderator per field, in the order the fields appeared; mutated in place (taking one
    /// out of a dictionary and putting it back copied its buffers on every event).
    private var moderators: [TextStreamModerator] = []
    private var fields: [Key] = []
    private var fieldIndex: [Key: Int] = [:]
    private var finished: Set<Key> = []
    private var choices: Set<Int> = []
    private var held: [HeldEvent] = []
    /// Spans to mask, per field.
    private var redactions: [Key: [TextSpan]] = [:]
    /// Text released since ``takeReleased()`` was last called.
    private var released = ""
    /// Everything the upstream said, per field, for the digest and the evidence.
    private var fedText: [Key: String] = [:]
    /// The last chunk that named its id, for the id, created and model of the chunks the gateway
    /// writes itself (parsed only then).
    private var lastNamedChunk = ""
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

    /// The verdict over the whole answer so far.
    package var verdict: ModerationVerdict { self.engine.verdict(self.hits, policy: self.policy) }

    /// Every text the upstream sent, field after field.
    package var answerText: String {
        self.fedText.keys.sorted { ($0.choice, $0.field) < ($1.choice, $1.field) }.compactMap { self.fedText[$0] }
            .joined(separator: "\n")
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

    /// Takes one event's data (a chunk's JSON).
    package mutating func event(_ data: String) -> Outcome {
        guard !self.isStopped else { return .replace([]) }
        guard let chunk = ChunkTexts(data) else { return .invalid }
        if chunk.namesID { self.lastNamedChunk = data }
        var pieces: [Piece] = []
        for choice in chunk.choices {
            let index = choice.index ?? choice.position
            self.choices.insert(index)
            for field in ChatModeration.answerFields {
                guard let text = choice.texts[field] else { continue }
                guard let piece = self.feed(Key(choice: index, field: field), text, choice.position, nil) else {
                    return self.stop()
                }
                pieces.append(piece)
            }
            for call in choice.calls {
                let key = Key(choice: index, field: "tool:" + (call.index ?? String(call.position)))
                guard let piece = self.feed(key, call.arguments, choice.position, call.position) else {
                    return self.stop()
                }
                pieces.append(piece)
            }
            if choice.isFinished {
                // The choice is complete: whatever is held back is checked to the end.
                for key in self.fields where key.choice == index && !self.finished.contains(key) {
                    guard self.finish(key) else { return self.stop() }
                }
            }
        }
        self.held.append(HeldEvent(data: data, pieces: pieces))
        let payloads = self.releaseHeld()
        if payloads.count == 1, self.held.isEmpty, payloads[0] == data { return .pass }
        return .replace(payloads)
    }

    /// The upstream sent `[DONE]`: texts still held back are checked to the end. Returns the
    /// payloads to send before `[DONE]`.
    package mutating func done() -> Outcome {
        guard !self.isStopped else { return .replace([]) }
        for key in self.fields.sorted(by: { ($0.choice, $0.field) < ($1.choice, $1.field) })
        where !self.finished.contains(key) {
            guard self.finish(key) else { return self.stop() }
        }
        return .replace(self.releaseHeld())
    }

    /// Feeds a piece; `nil` on a refusal.
    private mutating func feed(_ key: Key, _ text: String, _ choicePosition: Int, _ callPosition: Int?) -> Piece? {
        self.fedText[key, default: ""] += text
        let index: Int
        if let known = self.fieldIndex[key] {
            index = known
        } else {
            index = self.moderators.count
            self.moderators.append(
                TextStreamModerator(engine: self.engine, policy: self.policy, holdsSentences: self.holdsSentences)
            )
            self.fields.append(key)
            self.fieldIndex[key] = index
        }
        let start = self.moderators[index].fedBytes
        let step = self.moderators[index].feed(text)
        self.record(step.hits, for: key)
        guard !step.isBlocked else { return nil }
        return Piece(
            key: key,
            start: start,
            end: start + text.utf8.count,
            text: text,
            choicePosition: choicePosition,
            callPosition: callPosition
        )
    }

    /// Ends a field's text; `false` on a refusal.
    private mutating func finish(_ key: Key) -> Bool {
        guard let index = self.fieldIndex[key] else { return true }
        let step = self.moderators[index].finish()
        self.finished.insert(key)
        self.record(step.hits, for: key)
        return !step.isBlocked
    }

    private mutating func record(_ hits: [ModerationHit], for key: Key) {
        self.hits += hits
        let spans = hits.filter { $0.action == .redact }.map(\.span)
        if !spans.isEmpty { self.redactions[key, default: []] += spans }
    }

    /// Sends, in order, the held events whose texts are all final: as written, or rewritten where
    /// a span is masked.
    private mutating func releaseHeld() -> [String] {
        var payloads: [String] = []
        while let event = self.held.first,
            event.pieces.allSatisfy({ piece in
                (self.fieldIndex[piece.key].map { self.moderators[$0].releasedBytes } ?? 0) >= piece.end
            })
        {
            self.held.removeFirst()
            // Built only for an event that needs a span masked (the scan that read it kept no tree).
            var object: JSONObject?
            var unreadable = false
            for piece in event.pieces {
                let spans = (self.redactions[piece.key] ?? []).filter {
                    $0.bytes.lowerBound < piece.end && $0.bytes.upperBound > piece.start
                }
                guard !spans.isEmpty else {
                    self.released += piece.text
                    continue
                }
                let masked = Self.mask(piece, spans: spans, with: self.policy.mask)
                self.released += masked
                if object == nil {
                    guard case .object(let parsed)? = try? JSONParser.parse(event.data) else {
                        // The scan accepted it, so the parser does; were it not so, nothing unmasked
                        // goes out.
                        unreadable = true
                        break
                    }
                    object = parsed
                }
                Self.replace(piece, with: masked, in: &object!)
            }
            if unreadable { continue }
            payloads.append(object.map { JSONValue.object($0).serialized } ?? event.data)
        }
        return payloads
    }

    /// The piece with every character inside a span replaced by the mask.
    private static func mask(_ piece: Piece, spans: [TextSpan], with mask: Character) -> String {
        var result = ""
        var offset = piece.start
        for scalar in piece.text.unicodeScalars {
            if spans.contains(where: { $0.bytes.contains(offset) }) {
                result.append(mask)
            } else {
                result.unicodeScalars.append(scalar)
            }
            offset += UTF8.width(scalar)
        }
        return result
    }

    /// Writes a piece's new text back where it came from in its event.
    private static func replace(_ piece: Piece, with text: String, in object: inout JSONObject) {
        guard case .array(var choices)? = object["choices"], piece.choicePosition < choices.count,
            case .object(var choice) = choices[piece.choicePosition], case .object(var delta)? = choice["delta"]
        else { return }
        if let callPosition = piece.callPosition {
            guard case .array(var calls)? = delta["tool_calls"], callPosition < calls.count,
                case .object(var call) = calls[callPosition], case .object(var function)? = call["function"]
            else { return }
            function["arguments"] = .string(text)
            call["function"] = .object(function)
            calls[callPosition] = .object(call)
            delta["tool_calls"] = .array(calls)
        } else {
            delta[piece.key.field] = .string(text)
        }
        choice["delta"] = .object(delta)
        choices[piece.choicePosition] = .object(choice)
        object["choices"] = .array(choices)
    }

    /// Ends the stream with the compliant answer for every choice seen; held events are dropped.
    private mutating func stop() -> Outcome {
        self.isStopped = true
        self.held = []
        let verdict = self.verdict
        let answer = verdict.answer ?? self.policy.defaultAnswer
        var chunk = JSONObject()
        if case .object(let named)? = try? JSONParser.parse(self.lastNamedChunk) {
            for key in ["id", "object", "created", "model", "system_fingerprint"] {
                if let value = named[key] { chunk[key] = value }
            }
        }
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
