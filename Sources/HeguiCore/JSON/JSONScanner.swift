/// Reads a JSON document member by member without building it, for hot paths that want a few
/// members of a small, frequent document (a streamed chunk) and nothing else. Every value it
/// skips is still checked as strictly as ``JSONParser`` checks it, so a document the scanner
/// accepts is one the parser accepts.
///
/// ```swift
/// try JSONScanner.scan(data) { scanner throws(JSONParseError) in
///     guard try scanner.beginObject() else { return }
///     while let key = try scanner.nextKey() {
///         if key == "id" { id = try scanner.stringValue() } else { try scanner.skipValue() }
///     }
/// }
/// ```
package struct JSONScanner {
    private var reader: JSONParser.Reader
    /// Arrays and objects open around the position, for the depth bound.
    private var depth = 0
    /// Whether the container just opened has had no member yet (no comma expected).
    private var atContainerStart = false

    private init(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.reader = JSONParser.Reader(bytes: bytes, maximumDepth: maximumDepth)
    }

    /// Runs `body` over the document in `text`, then checks that nothing but white space follows
    /// what it read (it must read or skip the whole top-level value).
    package static func scan<Result>(
        _ text: String,
        maximumDepth: Int = JSONParser.defaultMaximumDepth,
        _ body: (inout JSONScanner) throws(JSONParseError) -> Result
    ) throws(JSONParseError) -> Result {
        var text = text
        let outcome: Swift.Result<Result, JSONParseError> = text.withUTF8 { utf8 in
            var scanner = JSONScanner(UnsafeRawBufferPointer(utf8), maximumDepth: maximumDepth)
            do throws(JSONParseError) {
                scanner.reader.skipWhitespace()
                let result = try body(&scanner)
                scanner.reader.skipWhitespace()
                guard scanner.depth == 0, scanner.reader.index == scanner.reader.bytes.count else {
                    throw JSONParseError(.trailingData, offset: scanner.reader.index)
                }
                return .success(result)
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Enters the object at the position; `false`, consuming nothing, when the value is not one.
    package mutating func beginObject() throws(JSONParseError) -> Bool {
        try self.begin(UInt8(ascii: "{"))
    }

    /// Enters the array at the position; `false`, consuming nothing, when the value is not one.
    package mutating func beginArray() throws(JSONParseError) -> Bool {
        try self.begin(UInt8(ascii: "["))
    }

    /// The next key of the object entered last, positioned at its value; `nil` at the object's end
    /// (which it consumes). Every value must be read or skipped before the next key.
    package mutating func nextKey() throws(JSONParseError) -> String? {
        guard try self.nextMember(closing: UInt8(ascii: "}")) else { return nil }
        guard try self.reader.peek() == UInt8(ascii: "\"") else {
            throw JSONParseError(.unexpectedCharacter, offset: self.reader.index)
        }
        let key = try self.reader.parseString()
        self.reader.skipWhitespace()
        guard try self.reader.peek() == UInt8(ascii: ":") else {
            throw JSONParseError(.unexpectedCharacter, offset: self.reader.index)
        }
        self.reader.index += 1
        self.reader.skipWhitespace()
        return key
    }

    /// Whether the array entered last has another element, positioned at it; `false` at the
    /// array's end (which it consumes).
    package mutating func nextElement() throws(JSONParseError) -> Bool {
        try self.nextMember(closing: UInt8(ascii: "]"))
    }

    /// Calls `body` inside each object of the array at the position, with the object's position
    /// in the array (other elements are skipped, and so is a value that is not an array). `body`
    /// reads the object's keys with ``nextKey()`` to its end.
    package mutating func forEachObject(
        _ body: (inout JSONScanner, Int) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard try self.beginArray() else {
            try self.skipValue()
            return
        }
        var position = 0
        while try self.nextElement() {
            defer { position += 1 }
            if try self.beginObject() {
                try body(&self, position)
            } else {
                try self.skipValue()
            }
        }
    }

    /// The string at the position; `nil`, skipping the value, when it is something else.
    package mutating func stringValue() throws(JSONParseError) -> String? {
        guard try self.reader.peek() == UInt8(ascii: "\"") else {
            try self.skipValue()
            return nil
        }
        return try self.reader.parseString()
    }

    /// The literal of the number at the position; `nil`, skipping the value, when it is not one.
    package mutating func numberLiteral() throws(JSONParseError) -> String? {
        switch try self.reader.peek() {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try self.reader.parseNumber()
        default:
            try self.skipValue()
            return nil
        }
    }

    /// Skips the value at the position, checking it; `true` when it was `null`.
    @discardableResult
    package mutating func skipValue() throws(JSONParseError) -> Bool {
        switch try self.reader.peek() {
        case UInt8(ascii: "{"):
            _ = try self.beginObject()
            while try self.nextKey() != nil { try self.skipValue() }
        case UInt8(ascii: "["):
            _ = try self.beginArray()
            while try self.nextElement() { try self.skipValue() }
        case UInt8(ascii: "\""):
            try self.skipString()
        case UInt8(ascii: "t"):
            try self.reader.expectLiteral("true")
        case UInt8(ascii: "f"):
            try self.reader.expectLiteral("false")
        case UInt8(ascii: "n"):
            try self.reader.expectLiteral("null")
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try self.reader.parseNumber()
        default:
            throw JSONParseError(.unexpectedCharacter, offset: self.reader.index)
        }
        return false
    }

    private mutating func begin(_ opening: UInt8) throws(JSONParseError) -> Bool {
        guard try self.reader.peek() == opening else { return false }
        guard self.depth < self.reader.maximumDepth else {
            throw JSONParseError(.tooDeep, offset: self.reader.index)
        }
        self.reader.index += 1
        self.depth += 1
        self.atContainerStart = true
        return true
    }

    private mutating func nextMember(closing: UInt8) throws(JSONParseError) -> Bool {
        self.reader.skipWhitespace()
        let byte = try self.reader.peek()
        if byte == closing {
            self.reader.index += 1
            self.depth -= 1
            self.atContainerStart = false
            return false
        }
        if self.atContainerStart {
            self.atContainerStart = false
        } else {
            guard byte == UInt8(ascii: ",") else {
                throw JSONParseError(.unexpectedCharacter, offset: self.reader.index)
            }
            self.reader.index += 1
            self.reader.skipWhitespace()
        }
        return true
    }

    /// Checks a string without building it: escapes, control characters and UTF-8.
    private mutating func skipString() throws(JSONParseError) {
        let bytes = self.reader.bytes
        self.reader.index += 1  // opening quote
        var runStart = self.reader.index
        var ascii = true
        while true {
            guard self.reader.index < bytes.count else {
                throw JSONParseError(.unexpectedEnd, offset: self.reader.index)
            }
            let byte = bytes[self.reader.index]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                if !ascii { try self.validateRun(from: runStart, to: self.reader.index) }
                if byte == UInt8(ascii: "\"") {
                    self.reader.index += 1
                    return
                }
                var ignored = ""
                try self.reader.parseEscape(into: &ignored)
                runStart = self.reader.index
                ascii = true
            case 0..<0x20:
                throw JSONParseError(.controlCharacterInString, offset: self.reader.index)
            default:
                if byte >= 0x80 { ascii = false }
                self.reader.index += 1
            }
        }
    }

    private func validateRun(from start: Int, to end: Int) throws(JSONParseError) {
        let run = UnsafeRawBufferPointer(rebasing: self.reader.bytes[start..<end])
        var iterator = run.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue:
                continue
            case .emptyInput:
                return
            case .error:
                throw JSONParseError(.invalidUTF8, offset: start + JSONParser.Reader.firstInvalidUTF8Offset(run))
            }
        }
    }
}
