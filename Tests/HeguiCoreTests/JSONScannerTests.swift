import HeguiCore
import Testing

/// The scanner reads streamed chunks on the hot path (issue 2); it must accept exactly what the
/// parser accepts, since a chunk it passes goes to the app as written.
@Suite struct JSONScannerTests {
    static let documents: [String] = [
        // valid
        #"{}"#, #"[]"#, #" {"a" : [1, -2.5e+3, true, false, null, "x\"y\\z\u00e9\ud83d\ude00"] } "#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"你好"},"finish_reason":null}]}"#,
        #""text""#, #"0"#, #"{"a":{"b":{"c":[[[]]]}}}"#, #"{"a":1,"a":2}"#,
        // invalid
        #"{"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":}"#, #"{,"a":1}"#, #"[1 2]"#, #"[,1]"#, #"[1,]"#,
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":tru}"#, #"{"a":"\x"}"#, #"{"a":"\ud800"}"#,
        "{\"a\":\"\u{01}\"}", #"{"a":1} x"#, #"{"a":1}}"#, #"{} {}"#, #"{"a":[}"#, #"{1:2}"#, "",
        String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
    ]

    @Test(arguments: Self.documents)
    func acceptsExactlyWhatTheParserAccepts(document: String) {
        let parsed = (try? JSONParser.parse(document)) != nil
        let scanned: Bool
        do {
            _ = try JSONScanner.scan(document) { scanner throws(JSONParseError) in try scanner.skipValue() }
            scanned = true
        } catch {
            scanned = false
        }
        #expect(scanned == parsed)
    }

    @Test func readsTheMembersAskedForAndSkipsTheRest() throws {
        let document = #"{"id":"c\"1","n":-12.5e2,"skip":{"deep":[1,{"x":"y"}]},"list":["a",2,"b"],"z":null}"#
        var id: String?
        var number: String?
        var strings: [String] = []
        var sawNull = false
        try JSONScanner.scan(document) { scanner throws(JSONParseError) in
            #expect(try scanner.beginObject())
            while let key = try scanner.nextKey() {
                switch key {
                case "id": id = try scanner.stringValue()
                case "n": number = try scanner.numberLiteral()
                case "list":
                    #expect(try scanner.beginArray())
                    while try scanner.nextElement() {
                        if let text = try scanner.stringValue() { strings.append(text) }
                    }
                case "z": sawNull = try scanner.skipValue()
                default: try scanner.skipValue()
                }
            }
        }
        #expect(id == "c\"1")
        #expect(number == "-12.5e2")
        #expect(strings == ["a", "b"])
        #expect(sawNull)
    }

    @Test func aValueLeftUnreadIsAnError() {
        #expect(throws: JSONParseError.self) {
            try JSONScanner.scan(#"{"a":1}"#) { scanner throws(JSONParseError) in _ = try scanner.beginObject() }
        }
    }
}
