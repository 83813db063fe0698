/// Why the upstream could not be used. Descriptions name the fault, never the upstream's key or
/// the request's content.
package struct UpstreamError: Error, Hashable, CustomStringConvertible {
    /// The kind of fault; extensible.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case connectionFailed, timeout, responseTooLarge, invalidResponse, streamInterrupted
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection could not be opened or broke before the response head.
        package static let connectionFailed = Code(.connectionFailed)
        /// The upstream did not answer within its time.
        package static let timeout = Code(.timeout)
        /// A non-streaming response exceeded the configured size.
        package static let responseTooLarge = Code(.responseTooLarge)
        /// The response could not be understood.
        package static let invalidResponse = Code(.invalidResponse)
        /// A streamed response broke off before it ended.
        package static let streamInterrupted = Code(.streamInterrupted)

        package var description: String {
            switch self.base {
            case .connectionFailed: "connection_failed"
            case .timeout: "timeout"
            case .responseTooLarge: "response_too_large"
            case .invalidResponse: "invalid_response"
            case .streamInterrupted: "stream_interrupted"
            }
        }
    }

    package var code: Code

    package init(_ code: Code) {
        self.code = code
    }

    package var description: String { "upstream error: \(self.code)" }
}
