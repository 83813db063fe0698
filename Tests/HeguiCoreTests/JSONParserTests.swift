import HeguiCore
import Testing

@Suite struct JSONParserTests {
    @Test(arguments: [
        #"{"model":"qwen","stream":true}"#,
        #"{"a":[1,-2.5e+10,0.10,1E400,12345678901234567890],"b":null,"c":false}"#,
        #"{"z":1,"a":2,"m":{"nested":[{"k":"v"}]}}"#,
        #"["中文",{"emoji":"😀"},"\u4e2d\u6587","tab\tnew\nquote\"back\\slash"]"#,
        #""plain string""#,
        "42",
        #"{"dup":1,"dup":2}"#,
    ])
    func roundTripKeepsOrderAndNumberLiterals(document: String) throws {
        let value = try JSONParser.parse(document)
        let again = try JSONParser.parse(value.serialized)
        #expect(again == value)
        if !document.contains("\\") {
            #expect(value.serialized == document)
        }
    }

    @Test func keyOrderAndNumbersArePreservedExactly() throws {
        let value = try JSONParser.parse(#"{ "z" : 1.50 , "a" : [ 1e2 , -0 ] }"#)
        #expect(value.serialized == #"{"z":1.50,"a":[1e2,-0]}"#)
    }

    @Test(arguments: [
        ("", JSONParseError.Kind.unexpectedEnd, 0),
        ("{", .unexpectedEnd, 1),
        (#"{"a":}"#, .unexpectedCharacter, 5),
        (#"{"a":1,}"#, .unexpectedCharacter, 7),
        ("[1,2", .unexpectedEnd, 4),
        ("01", .trailingData, 1),
        ("-", .invalidNumber, 1),
        ("1.", .invalidNumber, 2),
        ("1e", .invalidNumber, 2),
        (#""abc"#, .unexpectedEnd, 4),
        (#""a\x""#, .invalidEscape, 2),
        (#""\ud800""#, .loneSurrogate, 1),
        (#""\udc00""#, .loneSurrogate, 1),
        ("\"a\u{01}b\"", .controlCharacterInString, 2),
        ("tru", .unexpectedEnd, 3),
        ("nul!", .unexpectedCharacter, 3),
        (#"{"a":1} x"#, .trailingData, 8),
        ("{1:2}", .unexpectedCharacter, 1),
    ])
    func rejectsMalformedInputWithItsOffset(document: String, kind: JSONParseError.Kind, offset: Int) {
        #expect(throws: JSONParseError(kind, offset: offset)) {
            try JSONParser.parse(document)
        }
    }

    @Test(
        arguments: [
            ([0x22, 0xFF, 0x22], 1),
            ([0x22, 0x61, 0xC3, 0x28, 0x22], 2),
            ([0x22, 0xE4, 0xB8, 0x22], 1),
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // UTF-8-encoded surrogate
            ([0x22, 0x61, 0xF0, 0x9F, 0x98, 0x22], 2),  // three bytes of four: repaired to one U+FFFD
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // beyond U+10FFFF
        ] as [([UInt8], Int)]
    )
    func rejectsInvalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(throws: JSONParseError(.invalidUTF8, offset: offset)) {
            try JSONParser.parse(bytes)
        }
    }

    @Test func acceptsAReplacementCharacterWrittenAsIs() throws {
        #expect(try JSONParser.parse([0x22, 0xEF, 0xBF, 0xBD, 0x61, 0x22]) == .string("\u{FFFD}a"))
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError(.tooDeep, offset: JSONParser.defaultMaximumDepth)) {
            try JSONParser.parse(deep)
        }
        let allowed = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        _ = try JSONParser.parse(allowed)
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func escapesWhatJSONAndJavaScriptNeedEscaped() {
        let value = JSONValue.string("a\"b\\c\n\u{01}\u{2028}中")
        #expect(value.serialized == #""a\"b\\c\n\u0001\u2028中""#)
    }

    /// Strings are written run by run between the characters that need escaping: every mix of
    /// plain runs, escapes at either end, combining marks after a quote, and the JavaScript line
    /// separators reads back as the string it was.
    @Test(arguments: [
        ("", #""""#), ("plain 中文 😀", #""plain 中文 😀""#), ("\"", #""\"""#), ("a\nb", #""a\nb""#),
        ("\u{1}x\u{1F}", #""\u0001x\u001f""#), ("\"\u{301}", #""\"\#u{301}""#),
        ("行\u{2028}分\u{2029}", #""行\u2028分\u2029""#), ("\u{2027}\u{202A}", "\"\u{2027}\u{202A}\""),
        ("end\\", #""end\\""#), ("\t\r\u{8}\u{C}", #""\t\r\b\f""#),
    ])
    func stringsAreEscapedExactly(string: String, expected: String) throws {
        let written = JSONValue.string(string).serialized
        #expect(written == expected)
        #expect(try JSONParser.parse(written) == .string(string))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomStringsReadBackAsWritten(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let pieces = [
            "a", "中", "😀", "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{2028}", "\u{2029}", "\u{301}", "é", "\u{7F}",
        ]
        for _ in 0..<200 {
            let string = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let written = JSONValue.string(string).serialized
            #expect(try JSONParser.parse(written) == .string(string), "\(string.debugDescription)")
            #expect(!written.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
        }
    }

    @Test func objectSubscriptReadsLastDuplicateAndWritesInPlace() throws {
        var object = try #require(try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#).objectValue)
        #expect(object["a"] == .number("3"))
        object["b"] = "x"
        object["c"] = true
        #expect(JSONValue.object(object).serialized == #"{"a":1,"b":"x","a":3,"c":true}"#)
        object["a"] = nil
        #expect(JSONValue.object(object).serialized == #"{"b":"x","c":true}"#)
    }
}
