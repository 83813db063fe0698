import HeguiCore
import Testing

/// Chat documents and streams under moderation (issue 5 items 1–3; IM-4, IM-14.1–14.3).
@Suite struct ChatModerationTests {
    static let lexicon: Lexicon = {
        let text = """
            # risk: A1d action: block
            恐怖袭击
            # risk: A4a action: redact
            傻逼
            """
        return try! LexiconParser.parse(text, file: "t.txt")
    }()
    static let engine = ModerationEngine(lexicon: lexicon, policies: .builtIn)
    static var policy: ModerationPolicy {
        var policy = ModerationPolicy.builtIn
        policy.personalInformation = []
        return policy
    }

    static func object(_ text: String) throws -> JSONObject {
        try #require(try JSONParser.parse(text).objectValue)
    }

    // MARK: Input

    @Test func everyRoleAndPartAndToolArgumentIsChecked() throws {
        let body = try Self.object(
            """
            {"model":"m","messages":[
              {"role":"system","content":"你是助手"},
              {"role":"user","content":[{"type":"text","text":"你真傻逼"},{"type":"image_url","image_url":{"url":"x"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\\"q\\":\\"傻逼\\"}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"结果"}],"temperature":0.10}
            """
        )
        let decision = ChatModeration.checkRequest(body, engine: Self.engine, policy: Self.policy)
        #expect(
            decision.findings.map(\.location.description) == [
                "messages[0].content", "messages[1].content[0].text", "messages[2].tool_calls[0].function.arguments",
                "messages[3].content",
            ]
        )
        #expect(decision.action == .redact)
        let redacted = try #require(decision.redacted)
        let serialized = JSONValue.object(redacted).serialized
        #expect(serialized.contains(#""text":"你真**""#))
        #expect(serialized.contains(#"\"q\":\"**\""#))
        // Everything else is untouched, number literals included.
        #expect(serialized.contains(#""temperature":0.10"#))
        #expect(serialized.contains(#""image_url":{"url":"x"}"#))
    }

    @Test func onlyTheNamedRolesAreChecked() throws {
        let body = try Self.object(#"{"messages":[{"role":"system","content":"恐怖袭击"},{"role":"user","content":"你好"}]}"#)
        #expect(ChatModeration.checkRequest(body, engine: Self.engine, policy: Self.policy).action == .block)
        let userOnly = ChatModeration.checkRequest(body, engine: Self.engine, policy: Self.policy, roles: ["user"])
        #expect(userOnly.action == .allow)
    }

    // MARK: Whole answers

    @Test func aRefusedCompletionKeepsItsEnvelope() throws {
        let body = try Self.object(
            #"{"id":"x1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"计划恐怖袭击","reasoning_content":"想想"},"finish_reason":"stop"}],"usage":{"total_tokens":9}}"#
        )
        let decision = ChatModeration.checkCompletion(body, engine: Self.engine, policy: Self.policy)
        #expect(decision.action == .block)
        let refused = ChatModeration.refusedCompletion(body, answer: "换个话题吧", risks: decision.verdict.risks)
        let text = JSONValue.object(refused).serialized
        #expect(text.contains(#""id":"x1""#) && text.contains(#""usage":{"total_tokens":9}"#))
        #expect(text.contains(#""finish_reason":"content_filter""#) && text.contains("换个话题吧"))
        #expect(!text.contains("恐怖") && !text.contains("想想"))
        #expect(text.contains(#""hegui":{"action":"block","retract":false,"risk":["A1d"]}"#))
    }

    @Test func reasoningAndToolArgumentsOfAnAnswerAreChecked() throws {
        let body = try Self.object(
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"reasoning_content":"他是傻逼","tool_calls":[{"index":0,"function":{"name":"f","arguments":"恐怖袭击"}}]}}]}"#
        )
        let decision = ChatModeration.checkCompletion(body, engine: Self.engine, policy: Self.policy)
        #expect(decision.findings.count == 2)
        #expect(decision.action == .block)
        #expect(decision.verdict.risks.map(\.rawValue) == ["A1d", "A4a"])
    }

    // MARK: Streams

    static func chunks(_ pieces: [String], finish: Bool = true) -> [String] {
        let builder = ChatCompletionBuilder(id: "c1", model: "m", created: 1)
        var events = [builder.chunk(role: "assistant", content: "").serialized]
        events += pieces.map { builder.chunk(content: $0).serialized }
        if finish { events.append(builder.chunk(finishReason: "stop").serialized) }
        return events
    }

    /// Runs the events through a moderator; returns the content a client would have assembled
    /// and the final payloads when the stream was stopped.
    static func stream(_ events: [String]) throws -> (shown: String, stopped: [String]?, passed: Int) {
        var moderator = ChatStreamModerator(engine: Self.engine, policy: Self.policy)
        var shown = ""
        var passed = 0
        func show(_ payload: String) throws {
            let object = try Self.object(payload)
            for choice in object["choices"]?.arrayValue ?? [] {
                shown += choice.objectValue?["delta"]?.objectValue?["content"]?.stringValue ?? ""
            }
        }
        for event in events {
            switch moderator.event(event) {
            case .pass:
                passed += 1
                try show(event)
            case .replace(let payloads): for payload in payloads { try show(payload) }
            case .stop(let payloads): return (shown, payloads, passed)
            case .invalid: throw ModerationTestFailure.invalid
            }
        }
        if case .replace(let payloads) = moderator.done() { for payload in payloads { try show(payload) } }
        return (shown, nil, passed)
    }

    static let answer = "好的，关于恐怖袭击我不能多说。"
    static let splits: [[String]] = {
        let characters = Array(answer).map(String.init)
        var cases = (1..<characters.count).map { cut in [characters[..<cut].joined(), characters[cut...].joined()] }
        cases.append(characters)  // one character per chunk
        cases.append([answer])  // the whole answer in one chunk
        return cases
    }()

    @Test(arguments: Self.splits)
    func aTermSplitAnywhereNeverReachesTheClient(pieces: [String]) throws {
        let (shown, stopped, _) = try Self.stream(Self.chunks(pieces))
        #expect("好的，关于".hasPrefix(shown))
        #expect(!shown.contains("恐"))
        let final = try Self.object(try #require(stopped?.last))
        let choice = try #require(final["choices"]?.arrayValue?.first?.objectValue)
        #expect(choice["finish_reason"] == "content_filter")
        #expect(choice["delta"]?.objectValue?["content"]?.stringValue == ModerationPolicy.builtInAnswer)
        #expect(final["hegui"] == ChatModeration.heguiObject(risks: [RiskCode("A1d")!], retract: true))
        #expect(final["id"] == "c1" && final["model"] == "m")
    }

    @Test(arguments: [["今天", "天气", "很好。"], ["今天天气很好。"], Array("今天天气很好。").map(String.init)])
    func cleanStreamsPassUntouched(pieces: [String]) throws {
        let events = Self.chunks(pieces)
        let (shown, stopped, passed) = try Self.stream(events)
        #expect(shown == "今天天气很好。" && stopped == nil)
        #expect(passed == events.count)
    }

    @Test func heldTextIsReleasedWithTheFinishReasonOrAtDone() throws {
        // "恐" could begin a term; the stream ends right after it.
        #expect(try Self.stream(Self.chunks(["你好", "恐"])).shown == "你好恐")
        #expect(try Self.stream(Self.chunks(["你好", "恐"], finish: false)).shown == "你好恐")
    }

    @Test func redactedTermsInStreamsAreMasked() throws {
        #expect(try Self.stream(Self.chunks(["你真", "傻", "逼啊"])).shown == "你真**啊")
    }

    /// Chunk shapes the scan must read as a parser would: no `index` (the position counts),
    /// a repeated key (the last wins), tool calls without an index, other members in any order.
    @Test(arguments: [
        (#"{"id":"c1","choices":[{"delta":{"content":"恐怖袭击"}}]}"#, true),
        (#"{"choices":[{"delta":{"content":"恐怖袭击","content":"你好"}}],"id":"c1"}"#, false),
        (#"{"choices":[{"delta":{"content":"你好","content":"恐怖袭击"}}]}"#, true),
        (#"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\"q\":\"恐怖袭击\"}"}}]}}]}"#, true),
        (#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"name":"f"}}]}}]}"#, false),
        (#"{"choices":[1,"x",{"index":2,"delta":{"reasoning_content":"恐怖袭击"}}]}"#, true),
        (#"{"choices":[{"finish_reason":"stop","delta":{"content":"恐怖袭击"},"index":0}],"usage":null}"#, true),
        (#"{"choices":{"0":{"delta":{"content":"恐怖袭击"}}}}"#, false),
    ])
    func chunkShapes(chunk: String, refused: Bool) {
        var moderator = ChatStreamModerator(engine: Self.engine, policy: Self.policy)
        var outcome = moderator.event(chunk)
        if case .stop = outcome {} else { outcome = moderator.done() }
        if case .stop = outcome {
            #expect(refused)
        } else {
            #expect(!refused, "\(outcome)")
        }
    }

    @Test func usageChunksAndUncheckableEventsAreHandled() throws {
        var moderator = ChatStreamModerator(engine: Self.engine, policy: Self.policy)
        #expect(moderator.event(#"{"id":"c1","choices":[],"usage":{"total_tokens":3}}"#) == .pass)
        #expect(moderator.event("not json") == .invalid)
        #expect(moderator.event(#"["not","an","object"]"#) == .invalid)
        #expect(moderator.event(#"{"choices":[{"delta":{"content":"x"}}]} trailing"#) == .invalid)
    }
}

enum ModerationTestFailure: Error { case invalid }
