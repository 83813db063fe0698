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
    package static func serialize(string: String, into output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}", "\u{2028}", "\u{2029}":
                // U+2028/9 are valid JSON but break JavaScript consumers of SSE; escape them too.
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
