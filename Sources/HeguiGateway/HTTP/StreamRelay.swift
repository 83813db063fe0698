package import HeguiCore
package import NIOCore

/// The state of one relayed event stream: parses the upstream's bytes into events and re-emits
/// whole events only, so the app never receives half an event, and notices a stream that ends
/// without OpenAI's `data: [DONE]`.
///
/// This is the seam where output moderation plugs in: it sees each complete event before release.
package struct StreamRelay: Sendable {
    private var parser = ServerSentEventParser()
    /// Whether `data: [DONE]` has been relayed.
    package private(set) var isDone = false

    package init() {}

    /// What one upstream buffer produced.
    package struct Step: Sendable {
        /// Bytes to send to the app now (whole events).
        package var output: ByteBuffer
        /// A fault that ends the stream, after `output` has been sent.
        package var failure: APIError?
    }

    /// Consumes one buffer from the upstream.
    package mutating func consume(_ buffer: ByteBuffer) -> Step {
        var output = ByteBuffer()
        guard !self.isDone else { return Step(output: output, failure: nil) }
        let messages: [ServerSentEventParser.Message]
        do {
            messages = try buffer.withUnsafeReadableBytes { bytes throws(ServerSentEventParser.MessageTooLargeError) in
                try self.parser.parse(bytes)
            }
        } catch {
            return Step(output: output, failure: .upstreamInvalidResponse())
        }
        for message in messages {
            switch message {
            case .event(let event):
                output.writeString(event.encoded)
                if event.isDone {
                    self.isDone = true
                    return Step(output: output, failure: nil)
                }
            case .comment(let comment):
                // Keep-alive comments pass through: they keep idle proxies from closing the stream.
                output.writeString(": \(comment)\n\n")
            }
        }
        return Step(output: output, failure: nil)
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
