import HeguiCore
import HeguiMedia

/// The entry points the fuzzers drive (`Fuzz/`, issue 11 item 4), shared with the regression
/// tests that replay every input the fuzzers kept. Each takes arbitrary bytes and must neither
/// crash nor break the property it checks (a broken property traps, so the fuzzer keeps the input).
package enum FuzzTarget: String, Sendable, CaseIterable {
    /// The SSE parser, the input cut into chunks where its first byte says: the messages must not
    /// depend on where the chunks were cut.
    case sse
    /// The JSON parser: what it accepts must serialise and parse back to the same value, and the
    /// scanner must accept exactly what it accepts.
    case json
    /// The chat request decoder over whatever JSON parses.
    case chatRequest = "chat-request"
    /// The lexicon loader (text and TSV), and a matcher built from what it loads.
    case lexicon
    /// The normaliser and matcher with every folding: matches found in the whole text and in
    /// chunks must agree.
    case matcher
    /// Every media format reader, through the label checker.
    case media
    /// Labelling a file held in memory: every format's writer and the visible marks on PNG and
    /// JPEG (a model's answer is input the gateway does not control).
    case label

    /// Runs the target on one input.
    package func run(_ data: [UInt8]) {
        switch self {
        case .sse: Self.sse(data)
        case .json: Self.json(data)
        case .chatRequest: Self.chatRequest(data)
        case .lexicon: Self.lexicon(data)
        case .matcher: Self.matcher(data)
        case .media: _ = LabelChecker.check(bytes: data)
        case .label: _ = try? Self.labeller.label(bytes: data, role: .producer(produceID: "fuzz"))
        }
    }

    static func sse(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let body = Array(data.dropFirst())
        var whole = ServerSentEventParser()
        let expected = try? whole.parse(body)
        var chunked = ServerSentEventParser()
        var messages: [ServerSentEventParser.Message] = []
        let size = Int(first % 16) + 1
        var index = 0
        var failed = false
        while index < body.count {
            let end = min(body.count, index + size)
            do {
                messages += try chunked.parse(Array(body[index..<end]))
            } catch {
                failed = true
                break
            }
            index = end
        }
        if let expected, !failed {
            precondition(messages == expected, "SSE messages depend on where the chunks were cut")
        }
    }

    static func json(_ data: [UInt8]) {
        let value = try? JSONParser.parse(data)
        if let value {
            let again = try? JSONParser.parse(value.serialized)
            precondition(again == value, "JSON does not round-trip")
        }
        // The stream path's scanner accepts exactly what the parser accepts.
        if let text = String(validating: data, as: UTF8.self) {
            let scanned = try? JSONScanner.scan(text) { scanner throws(JSONParseError) in try scanner.skipValue() }
            precondition((scanned != nil) == (value != nil), "the scanner and the parser disagree")
        }
    }

    static func chatRequest(_ data: [UInt8]) {
        guard let value = try? JSONParser.parse(data) else { return }
        _ = try? ChatCompletionRequest(json: value)
    }

    static func lexicon(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        for format in [LexiconParser.Format.text, .tsv] {
            guard let lexicon = try? LexiconParser.parse(text, file: "fuzz", format: format) else { continue }
            let matcher = KeywordMatcher(lexicon: lexicon, folding: .all)
            _ = matcher.matches(in: text)
        }
    }

    /// A labeller with the default visible mark, built once.
    static let labeller = Labeller(producer: ProviderCode.placeholder, visible: try! VisibleLabel())

    /// The sample lexicon with every folding, built once.
    static let sampleMatcher = KeywordMatcher(
        lexicon: try! LexiconParser.parse(SampleLexicon.text, file: SampleLexicon.fileName),
        folding: .all
    )

    static func matcher(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let text = String(decoding: data.dropFirst(), as: UTF8.self)
        let matcher = Self.sampleMatcher
        let whole = Set(matcher.matches(in: text))
        var scanner = matcher.makeScanner()
        var streamed: [KeywordMatch] = []
        let size = Int(first % 8) + 1
        var chunk = ""
        for character in text {
            chunk.append(character)
            if chunk.unicodeScalars.count >= size {
                streamed += scanner.feed(chunk)
                chunk = ""
            }
        }
        streamed += scanner.feed(chunk)
        streamed += scanner.finish()
        precondition(Set(streamed) == whole, "matches in chunks differ from matches in the whole text")
    }
}
