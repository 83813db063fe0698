import HeguiCore
import Testing

@Suite struct ServerSentEventParserTests {
    static let stream = """
        : keep-alive\r
        data: {"a":1}\r
        \r
        event: ping\n\
        id: 7\n\
        data: line one\n\
        data: line two\n\
        \n\
        data: 中文\rdata:[DONE]\r\r
        """

    static let expected: [ServerSentEventParser.Message] = [
        .comment("keep-alive"),
        .event(.init(data: #"{"a":1}"#)),
        .event(.init(event: "ping", data: "line one\nline two", id: "7")),
        .event(.init(data: "中文\n[DONE]")),
    ]

    /// Every way of cutting the stream in two gives the same messages as feeding it whole.
    @Test func anySplitGivesTheSameMessages() throws {
        let bytes = Array(Self.stream.utf8)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            var messages = try parser.parse(Array(bytes[..<cut]))
            messages += try parser.parse(Array(bytes[cut...]))
            #expect(messages == Self.expected, "cut at \(cut)")
            #expect(!parser.hasPartialMessage)
        }
    }

    @Test func byteByByteGivesTheSameMessages() throws {
        var parser = ServerSentEventParser()
        var messages: [ServerSentEventParser.Message] = []
        for byte in Array(Self.stream.utf8) {
            messages += try parser.parse([byte])
        }
        #expect(messages == Self.expected)
    }

    @Test(arguments: [
        ("data: [DONE]\n\n", true),
        ("data:[DONE]\n\n", true),
        ("event: x\ndata: [DONE]\n\n", false),
        ("data: [DONE] \n\n", false),
    ])
    func recognisesTheDoneSentinel(text: String, isDone: Bool) throws {
        var parser = ServerSentEventParser()
        let messages = try parser.parse(Array(text.utf8))
        guard case .event(let event)? = messages.first else {
            Issue.record("no event")
            return
        }
        #expect(event.isDone == isDone)
    }

    @Test func ignoresALeadingByteOrderMarkEvenWhenSplit() throws {
        var parser = ServerSentEventParser()
        var messages = try parser.parse([0xEF])
        messages += try parser.parse([0xBB, 0xBF] + Array("data: x\n\n".utf8))
        #expect(messages == [.event(.init(data: "x"))])
    }

    @Test func reportsAnUnfinishedMessage() throws {
        var parser = ServerSentEventParser()
        _ = try parser.parse(Array("data: half".utf8))
        #expect(parser.hasPartialMessage)
    }

    @Test func boundsAMessageThatNeverEnds() {
        var parser = ServerSentEventParser(maximumMessageBytes: 64)
        #expect(throws: ServerSentEventParser.MessageTooLargeError(limit: 64)) {
            _ = try parser.parse(Array(repeating: UInt8(ascii: "x"), count: 100))
        }
    }

    @Test(arguments: [
        ServerSentEvent(data: "one"),
        ServerSentEvent(event: "error", data: "a\nb", id: "3", retry: 100),
        ServerSentEvent(data: ""),
    ])
    func encodedEventsParseBack(event: ServerSentEvent) throws {
        var parser = ServerSentEventParser()
        #expect(try parser.parse(Array(event.encoded.utf8)) == [.event(event)])
    }
}

@Suite struct ServerSentEventOffsetTests {
    @Test(
        arguments: [
            ("data: a\n\n", [9], 9),
            ("data: a\r\n\r\ndata: b\n", [11], 11),
            (": c\ndata: a\n\n", [4, 13], 13),
            ("data: a\n", [], nil),
            ("\n\n", [], 2),
            ("data: a\n\ndata: b", [9], 9),
            ("data: a\r", [], nil),
        ] as [(String, [Int], Int?)]
    )
    func reportsWhereMessagesEndAndWhereTheStreamIsIdle(text: String, ends: [Int], idle: Int?) throws {
        var parser = ServerSentEventParser()
        _ = try parser.parse(Array(text.utf8))
        #expect(parser.messageEnds == ends)
        #expect(parser.lastIdleOffset == idle)
    }
}
