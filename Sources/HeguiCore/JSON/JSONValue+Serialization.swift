extension JSONValue {
    /// The compact JSON text of this value (no insignificant white space; non-ASCII left as UTF-8).
    package var serialized: String {
        var output = ""
        self.serialize(into: &output)
        return output
    }

    /// Appends the compact JSON text of this value to `output`.
    package func serialize(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let literal): output += literal
        case .string(let value): Self.serialize(string: value, into: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.serialize(into: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { output += "," }
                Self.serialize(string: member.key, into: &output)
                output += ":"
                member.value.serialize(into: &output)
            }
            output += "}"
        }
    }

    /// Appends `string` as a JSON string literal, escaping quotes, backslashes and control characters.
    ///
    /// The runs between characters that need escaping are appended whole (answers are mostly such
    /// runs; appending scalar by scalar took several per cent of the gateway's CPU at load).
    package static func serialize(string: String, into output: inout String) {
        output += "\""
        var utf8 = string
        let escaped = utf8.withUTF8 { bytes -> Bool in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                var length = 1
                let escape: String?
                switch byte {
                case 0x22: escape = "\\\""
                case 0x5C: escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0x00..<0x20: escape = Self.unicodeEscape(UInt32(byte))
                case 0xE2
                where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    // U+2028/9 are valid JSON but break JavaScript consumers of SSE; escape them too.
                    escape = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    length = 3
                default: escape = nil
                }
                guard let escape else {
                    index += 1
                    continue
                }
                if runStart < index {
                    output += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                }
                output += escape
                index += length
                runStart = index
            }
            if runStart > 0, runStart < bytes.count {
                output += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart...]), as: UTF8.self)
            }
            return runStart > 0
        }
        if !escaped { output += string }
        output += "\""
    }

    /// `\u00XX` for a control character.
    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
