/// An incremental parser for `text/event-stream` bodies that accepts the stream in arbitrary pieces.
///
/// Pieces may split lines, fields, CRLF pairs and multi-byte UTF-8 characters anywhere; the parser
/// returns each message once its dispatching blank line has arrived. It keeps at most
/// ``maximumMessageBytes`` of an unfinished message, so an upstream that never ends a line cannot
/// exhaust memory.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// for message in try parser.parse(Array("data: {\"a\":1}\n\n".utf8)) { … }
/// ```
package struct ServerSentEventParser: Sendable {
    /// One parsed item of the stream.
    package enum Message: Sendable, Hashable {
        /// A dispatched event.
        case event(ServerSentEvent)
        /// A comment line (`: keep-alive`), without its leading colon.
        case comment(String)
    }

    /// The stream exceeded the size bound for one message.
    package struct MessageTooLargeError: Error, Hashable {
        package var limit: Int
        package init(limit: Int) { self.limit = limit }
    }

    /// The most bytes one unfinished message may occupy.
    package let maximumMessageBytes: Int

    private var line: [UInt8] = []
    private var dataLines: [String] = []
    private var hasData = false
    private var eventName: String?
    private var eventID: String?
    private var retry: Int?
    private var pendingBytes = 0
    private var lastWasCarriageReturn = false
    private var bomBytesSeen = 0
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    package init(maximumMessageBytes: Int = 1 << 20) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Where, in the piece most recently parsed, each returned message ended: the offset just past
    /// the line ending that completed it (parallel to the returned messages).
    package private(set) var messageEnds: [Int] = []
    /// The offset, in the piece most recently parsed, just past the last line ending at which no
    /// message was in progress; `nil` when there was none. Bytes before it form whole messages, so a
    /// relay can pass them on unchanged and keep only the rest.
    package private(set) var lastIdleOffset: Int?

    /// Consumes the next piece of the stream and returns the messages it completed.
    package mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(MessageTooLargeError) -> [Message] {
        var messages: [Message] = []
        self.messageEnds.removeAll(keepingCapacity: true)
        self.lastIdleOffset = nil
        var index = 0
        // A leading byte-order mark is ignored (WHATWG §9.2.5); it may arrive split across pieces.
        while self.bomBytesSeen < 3, index < bytes.count {
            if bytes[index] == Self.byteOrderMark[self.bomBytesSeen] {
                self.bomBytesSeen += 1
                index += 1
            } else {
                // Not a mark after all: what matched so far is content.
                self.line.append(contentsOf: Self.byteOrderMark[0..<self.bomBytesSeen])
                self.pendingBytes += self.bomBytesSeen
                self.bomBytesSeen = 3
            }
        }
        while index < bytes.count {
            // The bytes up to the next line break go into the line in one step.
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
            if end > index {
                self.pendingBytes += end - index
                if self.pendingBytes > self.maximumMessageBytes {
                    throw MessageTooLargeError(limit: self.maximumMessageBytes)
                }
                self.line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
                self.lastWasCarriageReturn = false
                index = end
                continue
            }
            // A line break.
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\r") {
                self.lastWasCarriageReturn = true
                self.endLine(into: &messages, at: index)
                continue
            }
            if self.lastWasCarriageReturn {
                // The LF of a CRLF: the line already ended; move the recorded offsets past it.
                self.lastWasCarriageReturn = false
                if self.messageEnds.last == index - 1 { self.messageEnds[self.messageEnds.count - 1] = index }
                if self.lastIdleOffset == index - 1 { self.lastIdleOffset = index }
                continue
            }
            self.endLine(into: &messages, at: index)
        }
        return messages
    }

    /// Consumes the next piece of the stream held in an array.
    package mutating func parse(_ bytes: [UInt8]) throws(MessageTooLargeError) -> [Message] {
        let result: Result<[Message], MessageTooLargeError> = bytes.withUnsafeBytes { buffer in
            do throws(MessageTooLargeError) {
                return .success(try self.parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Whether a message has begun but not yet been dispatched (the stream ended mid-message).
    package var hasPartialMessage: Bool {
        !self.line.isEmpty || self.hasData || self.eventName != nil || self.eventID != nil
    }

    private mutating func endLine(into messages: inout [Message], at offset: Int) {
        let count = messages.count
        defer {
            self.line.removeAll(keepingCapacity: true)
            if messages.count > count { self.messageEnds.append(offset) }
            if !self.hasData, self.eventName == nil, self.eventID == nil, self.retry == nil {
                self.lastIdleOffset = offset
            }
        }
        if self.line.isEmpty {
            self.dispatch(into: &messages)
            return
        }
        let colon = self.line.firstIndex(of: UInt8(ascii: ":"))
        if colon == 0 {
            var comment = self.line[1...]
            if comment.first == UInt8(ascii: " ") { comment = comment.dropFirst() }
            messages.append(.comment(String(decoding: comment, as: UTF8.self)))
            return
        }
        let name = String(decoding: self.line[..<(colon ?? self.line.endIndex)], as: UTF8.self)
        var value = colon.map { self.line[($0 + 1)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        let text = String(decoding: value, as: UTF8.self)
        switch name {
        case "data":
            self.dataLines.append(text)
            self.hasData = true
        case "event":
            self.eventName = text
        case "id":
            if !text.contains("\u{0}") { self.eventID = text }
        case "retry":
            if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                self.retry = Int(text)
            }
        default:
            break  // unknown fields are ignored, as the format requires
        }
    }

    private mutating func dispatch(into messages: inout [Message]) {
        defer {
            self.dataLines.removeAll(keepingCapacity: true)
            self.hasData = false
            self.eventName = nil
            self.retry = nil
            self.eventID = nil
            self.pendingBytes = 0
        }
        guard self.hasData else { return }
        messages.append(
            .event(
                ServerSentEvent(
                    event: self.eventName,
                    data: self.dataLines.count == 1 ? self.dataLines[0] : self.dataLines.joined(separator: "\n"),
                    id: self.eventID,
                    retry: self.retry
                )
            )
        )
    }
}
