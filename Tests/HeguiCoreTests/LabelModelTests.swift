import HeguiCore
import Testing

/// The AIGC record of GB 45438-2025 Appendix E, the provider code and the seal (IM-12, LBL-5,
/// REQUIREMENTS.md §8.1).
struct LabelModelTests {
    static let producer = "001191110102MAD55U9H0F10002"

    @Test func theRecordHasTheSevenKeysInOrderAndEqualPropagationFieldsAtFirstWrite() {
        let record = AIGCRecord(producer: Self.producer, produceID: "item-1")
        #expect(
            record.json
                == #"{"Label":"1","ContentProducer":"001191110102MAD55U9H0F10002","ProduceID":"item-1","ReservedCode1":"","ContentPropagator":"001191110102MAD55U9H0F10002","PropagateID":"item-1","ReservedCode2":""}"#
        )
        #expect(record.wrappedJSON == #"{"AIGC":"# + record.json + "}")
        #expect(record.problems.isEmpty)
    }

    @Test(arguments: [
        #"{"Label":"1","ContentProducer":"P","ProduceID":"x","ReservedCode1":"","ContentPropagator":"P","PropagateID":"x","ReservedCode2":""}"#,
        #"{"AIGC":{"Label":"1","ContentProducer":"P","ProduceID":"x","ReservedCode1":"","ContentPropagator":"P","PropagateID":"x","ReservedCode2":""}}"#,
        #"{"Label":"1","ContentProducer":"P","ProduceID":"x"}"#,
        #" { "ProduceID" : "x", "Label": "1", "ContentProducer": "P" } "#,
    ])
    func bareAndWrappedRecordsAreRead(text: String) throws {
        let record = try AIGCRecord.parse(text)
        #expect(record.label == "1")
        #expect(record.contentProducer == "P")
        #expect(record.produceID == "x")
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        (#"{"Label":1,"ContentProducer":"P","ProduceID":"x"}"#, "Label is a number"),
        (#"{"Label":"1","ContentProducer":"P"}"#, "no ProduceID"),
        (#"{"Label":"1","Label":"2","ContentProducer":"P","ProduceID":"x"}"#, "appears twice"),
    ])
    func malformedRecordsAreRefusedWithTheReason(text: String, reason: String) {
        #expect {
            _ = try AIGCRecord.parse(text)
        } throws: { error in
            (error as? AIGCRecordError)?.description.contains(reason) == true
        }
    }

    @Test(arguments: [
        ("4", "P", "x", "Label must be"),
        ("1", "", "x", "ContentProducer is empty"),
        ("1", "生成公司", "x", "ContentProducer holds characters outside"),
        ("1", "P", "has space", "ProduceID holds characters outside"),
        ("1", "P", #"q"uote"#, "ProduceID holds characters outside"),
        ("1", "P", #"back\slash"#, "ProduceID holds characters outside"),
    ])
    func recordsOutsideAppendixEAreReported(label: String, producer: String, id: String, problem: String) {
        var record = AIGCRecord(producer: producer, produceID: id)
        record.label = label
        #expect(record.problems.contains { $0.hasPrefix(problem) }, "\(record.problems)")
    }

    @Test(arguments: [
        ("001191110102MAD55U9H0F10002", true),
        ("00119111010", false),
        ("001191110102mad55u9h0f10002", false),
        ("991191110102MAD55U9H0F10002", false),
        ("001191110102MAD55U9H0F1000-", false),
    ])
    func providerCodesHaveThePublishedShape(code: String, valid: Bool) {
        #expect(((try? ProviderCode(code)) != nil) == valid)
    }

    @Test func theServiceDigitTellsGenerationFromPropagation() throws {
        #expect(try ProviderCode("001191110102MAD55U9H0F10002").service == .generation)
        #expect(try ProviderCode("001191110102MAD55U9H0F20002").service == .propagation)
    }

    @Test(arguments: ["ed25519", "hmac-sha256"])
    func aSealVerifiesOnlyTheContentAndLabelItWasMadeFor(method: String) throws {
        let key = [UInt8](repeating: 7, count: 32)
        let seal = try LabelSeal(method: method, key: key)
        var record = AIGCRecord(producer: Self.producer, produceID: "item-1")
        let digest = [UInt8](repeating: 1, count: 32)
        record.reservedCode1 = try seal.seal(record, essenceDigest: digest)
        #expect(AIGCRecord.isAllowed(record.reservedCode1))
        #expect(record.problems.isEmpty)
        #expect(seal.verify(record, essenceDigest: digest) == .valid)
        // Other content (a label copied onto another file), or an altered record.
        #expect(seal.verify(record, essenceDigest: [UInt8](repeating: 2, count: 32)) == .invalid)
        var altered = record
        altered.produceID = "item-2"
        #expect(seal.verify(altered, essenceDigest: digest) == .invalid)
        altered = record
        altered.label = "3"
        #expect(seal.verify(altered, essenceDigest: digest) == .invalid)
        // Another key, no seal, a damaged seal.
        let other = try LabelSeal(method: method, key: [UInt8](repeating: 8, count: 32))
        #expect(other.verify(record, essenceDigest: digest) == .unknownKey)
        var unsealed = record
        unsealed.reservedCode1 = ""
        #expect(seal.verify(unsealed, essenceDigest: digest) == .unsealed)
        var damaged = record
        damaged.reservedCode1 = "HG1.X"
        #expect(seal.verify(damaged, essenceDigest: digest) == .malformed)
    }

    @Test func aPublicKeyVerifiesButCannotSeal() throws {
        let privateKey = SignedTreeHead.makeKeyPair()
        let sealing = try LabelSeal(method: "ed25519", key: privateKey.privateKey)
        let verifying = try LabelSeal(method: "ed25519-public", key: try #require(sealing.publicKey))
        var record = AIGCRecord(producer: Self.producer, produceID: "item-1")
        record.reservedCode1 = try sealing.seal(record, essenceDigest: [9])
        #expect(verifying.verify(record, essenceDigest: [9]) == .valid)
        #expect(!verifying.canSeal)
        #expect(throws: AIGCRecordError.self) { try verifying.seal(record, essenceDigest: [9]) }
        #expect(throws: AIGCRecordError.self) { try LabelSeal(method: "hmac-sha256", key: [1, 2, 3]) }
    }
}

/// The explicit text label of chat answers (LBL-4.1, GB-5.1, GB-IF).
struct ChatLabelTests {
    @Test(arguments: [
        ("本内容由人工智能生成", true),
        ("AI生成", true),
        ("由AI合成", true),
        ("AI-generated", false),
        ("人工智能", false),
        ("生成内容", false),
    ])
    func aLabelNamesBothElements(text: String, conforming: Bool) {
        #expect(ChatLabelPolicy.isConforming(text) == conforming)
    }

    @Test(arguments: [
        (ChatLabelPolicy.Placement.start, #"{"messages":[{"role":"user","content":"hi"}]}"#, true, false),
        (.end, #"{"messages":[{"role":"user","content":"hi"}]}"#, false, true),
        (.both, #"{"messages":[{"role":"user","content":"hi"}]}"#, true, true),
        (.interface, #"{"messages":[{"role":"user","content":"hi"}]}"#, false, false),
        (.conversation, #"{"messages":[{"role":"user","content":"hi"}]}"#, true, false),
        (
            .conversation,
            #"{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"x"},{"role":"user","content":"y"}]}"#,
            false, false
        ),
        (.start, #"{"messages":[],"response_format":{"type":"json_object"}}"#, false, false),
        (.start, #"{"messages":[],"response_format":{"type":"text"}}"#, true, false),
    ])
    func theLabelGoesWhereThePolicyAndTheRequestAllow(
        placement: ChatLabelPolicy.Placement,
        request: String,
        start: Bool,
        end: Bool
    ) throws {
        let body = try #require(try JSONParser.parse(request).objectValue)
        let chosen = ChatLabelPolicy(placement: placement).placement(for: body)
        #expect(chosen.start == start)
        #expect(chosen.end == end)
    }

    @Test func aCompletionCarriesTheRecordAndTheLabelInEachChoice() throws {
        let completion = try #require(
            try JSONParser.parse(
                #"{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"答案"}},{"index":1,"message":{"role":"assistant","content":null,"tool_calls":[]}}]}"#
            ).objectValue
        )
        let record = AIGCRecord(producer: "P", produceID: "req-1")
        let policy = ChatLabelPolicy(placement: .both, text: "AI生成")
        let labelled = ChatLabeling.label(completion, record: record, start: true, end: true, policy: policy)
        let choices = try #require(labelled["choices"]?.arrayValue)
        #expect(choices[0].objectValue?["message"]?.objectValue?["content"] == "AI生成\n\n答案\n\nAI生成")
        #expect(choices[1].objectValue?["message"]?.objectValue?["content"] == .null)
        #expect(labelled["aigc"] == record.jsonValue)
    }

    @Test func streamChunksCopyTheUpstreamIdentity() throws {
        let first = #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":17,"model":"qwen","choices":[]}"#
        let record = AIGCRecord(producer: "P", produceID: "req-1")
        let opening = try #require(
            try JSONParser.parse(
                ChatLabeling.openingChunk(firstChunk: first, record: record, content: "AI生成\n\n", choices: 2)
            )
            .objectValue
        )
        #expect(opening["id"] == "chatcmpl-9")
        #expect(opening["model"] == "qwen")
        #expect(opening["aigc"] == record.jsonValue)
        #expect(opening["choices"]?.arrayValue?.count == 2)
        #expect(opening["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"] == "AI生成\n\n")
        let closing = try #require(
            try JSONParser.parse(ChatLabeling.closingChunk(like: first, text: "\n\nAI生成", choices: 1)).objectValue
        )
        #expect(closing["id"] == "chatcmpl-9")
        #expect(closing["aigc"] == nil)
        #expect(closing["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"] == "\n\nAI生成")
    }
}
