/// An RFC 8259 JSON parser that keeps key order and number literals, bounds nesting, and rejects
/// invalid UTF-8, lone surrogates and trailing data with the byte offset of the fault.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"model":"qwen","stream":true}"#.utf8))
/// ```
package enum JSONParser {
    /// The deepest nesting accepted by default. Request bodies (messages, tool schemas) nest far less;
    /// the bound keeps hostile input from exhausting the stack.
    package static let defaultMaximumDepth = 128

    /// Parses one JSON document that fills `bytes` (surrounding white space allowed).
    /// - Parameters:
    ///   - bytes: the UTF-8 document.
    ///   - maximumDepth: how deeply arrays and objects may nest.
    /// - Returns: the document's value.
    /// - Throws: ``JSONParseError`` naming what is wrong and where.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: bytes, maximumDepth: maximumDepth)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        guard reader.index == bytes.count else {
            throw JSONParseError(.trailingData, offset: reader.index)
        }
        return value
    }

    /// Parses one JSON document held in an array of bytes.
    package static func parse(
        _ bytes: [UInt8],
        maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONParseError)
        -> JSONValue
    {
        // withUnsafeBytes cannot carry a typed throw through its closure, so the error is passed out.
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { buffer in
            do throws(JSONParseError) {
                return .success(try parse(buffer, maximumDepth: maximumDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one JSON document held in a string.
    package static func parse(
        _ text: String,
        maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONParseError)
        -> JSONValue
    {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }
}

/// Why a JSON document was rejected, and at which byte.
package struct JSONParseError: Error, Hashable, CustomStringConvertible {
    /// What kind of fault it is.
    package enum Kind: Sendable, Hashable {
        case unexpectedEnd
        case unexpectedCharacter
        case invalidNumber
        case invalidEscape
        case invalidUTF8
        case controlCharacterInString
        case loneSurrogate
        case tooDeep
        case trailingData
    }

    /// What kind of fault it is.
    package var kind: Kind
    /// The offset of the offending byte from the start of the document.
    package var offset: Int

    package init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    package var description: String {
        let what =
            switch self.kind {
            case .unexpectedEnd: "unexpected end of input"
            case .unexpectedCharacter: "unexpected character"
            case .invalidNumber: "invalid number"
            case .invalidEscape: "invalid escape sequence"
            case .invalidUTF8: "invalid UTF-8"
            case .controlCharacterInString: "unescaped control character in string"
            case .loneSurrogate: "unpaired UTF-16 surrogate in \\u escape"
            case .tooDeep: "nesting too deep"
            case .trailingData: "data after the JSON value"
            }
        return "\(what) at byte \(self.offset)"
    }
}

extension JSONParser {
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let maximumDepth: Int
        var index = 0

        init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        mutating func skipWhitespace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    self.index += 1
                default:
                    return
                }
            }
        }

        func peek() throws(JSONParseError) -> UInt8 {
            guard self.index < self.bytes.count else { throw JSONParseError(.unexpectedEnd, offset: self.index) }
            return self.bytes[self.index]
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            for offset in 0..<count {
                guard self.index + offset < self.bytes.count else {
                    throw JSONParseError(.unexpectedEnd, offset: self.index + offset)
                }
                guard self.bytes[self.index + offset] == literal.utf8Start[offset] else {
                    throw JSONParseError(.unexpectedCharacter, offset: self.index + offset)
                }
            }
            self.index += count
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            switch try self.peek() {
            case UInt8(ascii: "{"):
                return .object(try self.parseObject(depth: depth + 1))
            case UInt8(ascii: "["):
                return .array(try self.parseArray(depth: depth + 1))
            case UInt8(ascii: "\""):
                return .string(try self.parseString())
            case UInt8(ascii: "t"):
                try self.expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try self.expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try self.expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .number(try self.parseNumber())
            default:
                throw JSONParseError(.unexpectedCharacter, offset: self.index)
            }
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
            guard depth <= self.maximumDepth else { throw JSONParseError(.tooDeep, offset: self.index) }
            self.index += 1  // "{"
            var members: [(key: String, value: JSONValue)] = []
            self.skipWhitespace()
            if try self.peek() == UInt8(ascii: "}") {
                self.index += 1
                return JSONObject(members)
            }
            while true {
                self.skipWhitespace()
                guard try self.peek() == UInt8(ascii: "\"") else {
                    throw JSONParseError(.unexpectedCharacter, offset: self.index)
                }
                let key = try self.parseString()
                self.skipWhitespace()
                guard try self.peek() == UInt8(ascii: ":") else {
                    throw JSONParseError(.unexpectedCharacter, offset: self.index)
                }
                self.index += 1
                self.skipWhitespace()
                let value = try self.parseValue(depth: depth)
                members.append((key, value))
                self.skipWhitespace()
                switch try self.peek() {
                case UInt8(ascii: ","):
                    self.index += 1
                case UInt8(ascii: "}"):
                    self.index += 1
                    return JSONObject(members)
                default:
                    throw JSONParseError(.unexpectedCharacter, offset: self.index)
                }
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
            guard depth <= self.maximumDepth else { throw JSONParseError(.tooDeep, offset: self.index) }
            self.index += 1  // "["
            var elements: [JSONValue] = []
            self.skipWhitespace()
            if try self.peek() == UInt8(ascii: "]") {
                self.index += 1
                return elements
            }
            while true {
                self.skipWhitespace()
                elements.append(try self.parseValue(depth: depth))
                self.skipWhitespace()
                switch try self.peek() {
                case UInt8(ascii: ","):
                    self.index += 1
                case UInt8(ascii: "]"):
                    self.index += 1
                    return elements
                default:
                    throw JSONParseError(.unexpectedCharacter, offset: self.index)
                }
            }
        }

        mutating func parseNumber() throws(JSONParseError) -> String {
            let start = self.index
            func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            func digits(_ reader: inout Reader) throws(JSONParseError) {
                guard reader.index < reader.bytes.count, isDigit(reader.bytes[reader.index]) else {
                    throw JSONParseError(.invalidNumber, offset: reader.index)
                }
                while reader.index < reader.bytes.count, isDigit(reader.bytes[reader.index]) {
                    reader.index += 1
                }
            }
            if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
            guard self.index < self.bytes.count else { throw JSONParseError(.invalidNumber, offset: self.index) }
            if self.bytes[self.index] == UInt8(ascii: "0") {
                self.index += 1
            } else {
                try digits(&self)
            }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
                self.index += 1
                try digits(&self)
            }
            if self.index < self.bytes.count,
                self.bytes[self.index] == UInt8(ascii: "e") || self.bytes[self.index] == UInt8(ascii: "E")
            {
                self.index += 1
                if self.index < self.bytes.count,
                    self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-")
                {
                    self.index += 1
                }
                try digits(&self)
            }
            // The literal is ASCII by construction.
            return String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
        }

        mutating func parseString() throws(JSONParseError) -> String {
            self.index += 1  // opening quote
            var result = ""
            var runStart = self.index
            while true {
                guard self.index < self.bytes.count else { throw JSONParseError(.unexpectedEnd, offset: self.index) }
                let byte = self.bytes[self.index]
                switch byte {
                case UInt8(ascii: "\""):
                    try self.appendRun(from: runStart, to: self.index, into: &result)
                    self.index += 1
                    return result
                case UInt8(ascii: "\\"):
                    try self.appendRun(from: runStart, to: self.index, into: &result)
                    try self.parseEscape(into: &result)
                    runStart = self.index
                case 0..<0x20:
                    throw JSONParseError(.controlCharacterInString, offset: self.index)
                default:
                    self.index += 1
                }
            }
        }

        func appendRun(from start: Int, to end: Int, into result: inout String) throws(JSONParseError) {
            guard start < end else { return }
            let run = UnsafeRawBufferPointer(rebasing: self.bytes[start..<end])
            // `String(validating:)` is not specialised here and cost more than the rest of a
            // parse; decoding repairs invalid UTF-8, so a run is valid when it comes back as is.
            var text = String(decoding: run, as: UTF8.self)
            let unchanged = text.withUTF8 { decoded in
                guard decoded.count == run.count else { return false }
                for index in 0..<run.count where decoded[index] != run[index] { return false }
                return true
            }
            guard unchanged else {
                throw JSONParseError(.invalidUTF8, offset: start + Self.firstInvalidUTF8Offset(run))
            }
            result += text
        }

        /// The offset of the first byte that starts an invalid UTF-8 sequence (for the error message).
        static func firstInvalidUTF8Offset(_ run: UnsafeRawBufferPointer) -> Int {
            var iterator = run.makeIterator()
            var decoder = UTF8()
            var consumed = 0
            var lastGood = 0
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    consumed += UTF8.width(scalar)
                    lastGood = consumed
                case .emptyInput:
                    return lastGood
                case .error:
                    return lastGood
                }
            }
        }

        mutating func parseEscape(into result: inout String) throws(JSONParseError) {
            let escapeStart = self.index
            self.index += 1  // backslash
            guard self.index < self.bytes.count else { throw JSONParseError(.unexpectedEnd, offset: self.index) }
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""): result.append("\"")
            case UInt8(ascii: "\\"): result.append("\\")
            case UInt8(ascii: "/"): result.append("/")
            case UInt8(ascii: "b"): result.append("\u{08}")
            case UInt8(ascii: "f"): result.append("\u{0C}")
            case UInt8(ascii: "n"): result.append("\n")
            case UInt8(ascii: "r"): result.append("\r")
            case UInt8(ascii: "t"): result.append("\t")
            case UInt8(ascii: "u"):
                let unit = try self.parseHex4()
                if UTF16.isLeadSurrogate(unit) {
                    guard self.index + 1 < self.bytes.count,
                        self.bytes[self.index] == UInt8(ascii: "\\"),
                        self.bytes[self.index + 1] == UInt8(ascii: "u")
                    else { throw JSONParseError(.loneSurrogate, offset: escapeStart) }
                    self.index += 2
                    let trail = try self.parseHex4()
                    guard UTF16.isTrailSurrogate(trail) else {
                        throw JSONParseError(.loneSurrogate, offset: escapeStart)
                    }
                    let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(trail) - 0xDC00)
                    // A valid surrogate pair always decodes to a scalar.
                    guard let scalar = Unicode.Scalar(value) else {
                        throw JSONParseError(.loneSurrogate, offset: escapeStart)
                    }
                    result.unicodeScalars.append(scalar)
                } else {
                    guard let scalar = Unicode.Scalar(unit) else {
                        throw JSONParseError(.loneSurrogate, offset: escapeStart)
                    }
                    result.unicodeScalars.append(scalar)
                }
            default:
                throw JSONParseError(.invalidEscape, offset: escapeStart)
            }
        }

        mutating func parseHex4() throws(JSONParseError) -> UInt16 {
            guard self.index + 4 <= self.bytes.count else { throw JSONParseError(.unexpectedEnd, offset: self.index) }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = self.bytes[self.index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw JSONParseError(.invalidEscape, offset: self.index)
                }
                value = value << 4 | UInt16(digit)
                self.index += 1
            }
            return value
        }
    }
}
