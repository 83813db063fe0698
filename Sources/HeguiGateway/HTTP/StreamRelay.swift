package import HeguiCore
package import NIOCore

/// The state of one relayed event stream: parses the upstream's bytes and releases whole messages
/// only, so the app never receives half an event, and notices a stream that ends without OpenAI's
/// `data: [DONE]`.
///
/// This is the seam where output moderation plugs in: it sees each complete event before release.
package struct StreamRelay: Sendable {
    private var parser = ServerSentEventParser()
    /// Upstream bytes of a message not yet complete.
    private var unfinished = ByteBuffer()
    /// Whether `data: [DONE]` has been relayed.
    package private(set) var isDone = false
    /// Whether moderation stopped the stream (its `[DONE]` written by the gateway).
    package private(set) var isStopped = false
    /// The labels this stream carries (IM-12), when it is labelled.
    private var labels: StreamLabels?

    package init(labels: StreamLabels? = nil) {
        self.labels = labels
    }

    /// What one upstream buffer produced.
    package struct Step: Sendable {
        /// Bytes to send to the app now (whole events).
        package var output: ByteBuffer
        /// A fault that ends the stream, after `output` has been sent.
        package var failure: APIError?
    }

    /// Consumes one buffer from the upstream.
    ///
    /// Whole messages pass through as the upstream wrote them (no re-encoding: it was the largest
    /// cost of relaying a stream); the bytes of an unfinished message wait for the rest of it.
    package mutating func consume(_ buffer: ByteBuffer) -> Step {
        guard !self.isDone else { return Step(output: ByteBuffer(), failure: nil) }
        guard let messages = self.parse(buffer) else {
            return Step(output: ByteBuffer(), failure: .upstreamInvalidResponse())
        }
        var cut = self.parser.lastIdleOffset
        for (message, end) in zip(messages, self.parser.messageEnds) {
            if case .event(let event) = message, event.isDone {
                self.isDone = true
                cut = end  // nothing after [DONE] is relayed
                break
            }
        }
        guard let cut else {
            self.unfinished.writeImmutableBuffer(buffer)
            return Step(output: ByteBuffer(), failure: nil)
        }
        var output = self.unfinished
        output.writeImmutableBuffer(buffer.getSlice(at: buffer.readerIndex, length: cut) ?? ByteBuffer())
        self.unfinished =
            buffer.getSlice(at: buffer.readerIndex + cut, length: buffer.readableBytes - cut) ?? ByteBuffer()
        return Step(output: output, failure: nil)
    }

    /// Consumes one buffer from the upstream with output moderation: each complete event goes
    /// through `moderator`, which passes it as written, rewrites it to hold text back, or stops the
    /// stream with the compliant answer (then `data: [DONE]` follows at once and ``isStopped`` is
    /// set: the caller stops reading the upstream).
    package mutating func consume(_ buffer: ByteBuffer, moderator: inout ChatStreamModerator) -> Step {
        guard !self.isDone else { return Step(output: ByteBuffer(), failure: nil) }
        guard let messages = self.parse(buffer) else {
            return Step(output: ByteBuffer(), failure: .upstreamInvalidResponse())
        }
        var output = ByteBuffer()
        var start = 0
        for (message, end) in zip(messages, self.parser.messageEnds) {
            var raw = self.unfinished
            self.unfinished = ByteBuffer()
            raw.writeImmutableBuffer(
                buffer.getSlice(at: buffer.readerIndex + start, length: end - start) ?? ByteBuffer()
            )
            start = end
            guard case .event(let event) = message else {
                output.writeImmutableBuffer(raw)
                continue
            }
            if var labels = self.labels, !labels.isOpened, !event.isDone {
                // The stream opens with the record and any leading label, before the first chunk.
                Self.writeEvent(labels.opening(before: event.data), to: &output)
                labels.isOpened = true
                self.labels = labels
            }
            let outcome = event.isDone ? moderator.done() : moderator.event(event.data)
            if event.isDone, let labels = self.labels, labels.isOpened, let closing = labels.closing,
                case .pass = outcome
            {
                // The trailing label goes after everything the moderator released, before [DONE].
                Self.writeEvent(
                    ChatLabeling.closingChunk(like: labels.firstChunk, text: closing, choices: labels.choices),
                    to: &output
                )
            }
            switch outcome {
            case .pass:
                output.writeImmutableBuffer(raw)
            case .replace(let payloads):
                for payload in payloads { Self.writeEvent(payload, to: &output) }
                if event.isDone {
                    if let labels = self.labels, labels.isOpened, let closing = labels.closing {
                        let chunk = ChatLabeling.closingChunk(
                            like: labels.firstChunk,
                            text: closing,
                            choices: labels.choices
                        )
                        Self.writeEvent(chunk, to: &output)
                    }
                    output.writeImmutableBuffer(raw)
                }
            case .stop(let payloads):
                for payload in payloads { Self.writeEvent(payload, to: &output) }
                output.writeString(ServerSentEvent(data: "[DONE]").encoded)
                self.isStopped = true
            case .invalid:
                return Step(output: output, failure: .upstreamInvalidResponse())
            }
            if event.isDone || self.isStopped {
                self.isDone = true
                return Step(output: output, failure: nil)
            }
        }
        self.unfinished.writeImmutableBuffer(
            buffer.getSlice(at: buffer.readerIndex + start, length: buffer.readableBytes - start) ?? ByteBuffer()
        )
        return Step(output: output, failure: nil)
    }

    /// The messages a buffer completes; `nil` when one is larger than the parser allows.
    private mutating func parse(_ buffer: ByteBuffer) -> [ServerSentEventParser.Message]? {
        try? buffer.withUnsafeReadableBytes { bytes throws(ServerSentEventParser.MessageTooLargeError) in
            try self.parser.parse(bytes)
        }
    }

    /// Writes `data: <payload>` and the blank line; a payload with line breaks gets a `data:`
    /// line for each.
    static func writeEvent(_ payload: String, to output: inout ByteBuffer) {
        if payload.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            output.writeString(ServerSentEvent(data: payload).encoded)
        } else {
            output.writeStaticString("data: ")
            output.writeString(payload)
            output.writeStaticString("\n\n")
        }
    }

    /// Called when the upstream body has ended; returns the fault if it ended before `[DONE]`.
    package func finish() -> APIError? {
        self.isDone ? nil : .upstreamStreamInterrupted()
    }

    /// The error an upstream body failure maps to.
    package static func failure(for error: any Error) -> APIError {
        if let error = error as? UpstreamError, error.code == .timeout {
            return .upstreamTimeout()
        }
        return .upstreamStreamInterrupted()
    }

    /// The event that tells the app the stream failed: `data: {"error":{…}}`, the form OpenAI's
    /// clients raise as an error. No `[DONE]` follows, so no client mistakes the answer for complete.
    package static func errorEvent(_ error: APIError) -> String {
        ServerSentEvent(data: error.json.serialized).encoded
    }
}

/// The labels of one stream: the record and leading label in an opening chunk, the trailing label
/// in a chunk before `[DONE]` (IM-12, LBL-4.1).
package struct StreamLabels: Sendable {
    package var record: AIGCRecord
    package var opening: String?
    package var closing: String?
    package var choices: Int
    var isOpened = false
    /// The upstream's first chunk, whose id and model the label chunks copy.
    var firstChunk = ""

    package init(record: AIGCRecord, opening: String?, closing: String?, choices: Int) {
        self.record = record
        self.opening = opening
        self.closing = closing
        self.choices = choices
    }

    mutating func opening(before first: String) -> String {
        self.firstChunk = first
        return ChatLabeling.openingChunk(
            firstChunk: first,
            record: self.record,
            content: self.opening,
            choices: self.choices
        )
    }
}
