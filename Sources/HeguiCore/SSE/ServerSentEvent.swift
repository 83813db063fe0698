/// One message of a `text/event-stream` (the WHATWG server-sent events format).
package struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, when given.
    package var event: String?
    /// The `data:` lines joined with line feeds.
    package var data: String
    /// The `id:` field, when given.
    package var id: String?
    /// The `retry:` field in milliseconds, when given and valid.
    package var retry: Int?

    package init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Whether this is OpenAI's end-of-stream sentinel `data: [DONE]`.
    package var isDone: Bool {
        self.event == nil && self.data == "[DONE]"
    }

    /// The event in wire form, ending with the blank line that dispatches it.
    package var encoded: String {
        var output = ""
        if let event = self.event { output += "event: \(event)\n" }
        if let id = self.id { output += "id: \(id)\n" }
        if let retry = self.retry { output += "retry: \(retry)\n" }
        var start = self.data.startIndex
        while let newline = self.data[start...].firstIndex(of: "\n") {
            output += "data: \(self.data[start..<newline])\n"
            start = self.data.index(after: newline)
        }
        output += "data: \(self.data[start...])\n\n"
        return output
    }
}
