import AsyncHTTPClient
import HeguiCore
import HeguiGateway
import HeguiTesting
import NIOHTTP1
import Testing

/// Labels on chat answers through the gateway (IM-12, LBL-4.1, LBL-5, GB-5.1, GB-IF): the explicit
/// label in the text where the tenant's policy puts it, the AIGC record in the JSON, the first
/// stream chunk and the `X-AIGC` header, and the production id in the audit log.
struct ChatLabelGatewayTests {
    typealias Harness = EnforcementTests.Harness

    static let reply = "今天天气很好，适合散步。"

    static func script() -> ScriptedModel.Script {
        ScriptedModel.Script(reply: Self.reply, chunkCharacters: 3)
    }

    /// The record of the `X-AIGC` header, checked against the request id it was made for.
    static func headerRecord(_ response: HTTPClientResponse) throws -> AIGCRecord {
        let header = try #require(response.headers.first(name: "X-AIGC"))
        let record = try AIGCRecord.parse(header)
        let requestID = try #require(response.headers.first(name: "X-Request-Id"))
        #expect(record.produceID == LabelService.produceID(requestID))
        #expect(record.contentProducer == GatewayConfiguration.Labels.placeholderProducer)
        #expect(record.problems.isEmpty)
        return record
    }

    @Test func aJSONAnswerOpensWithTheLabelAndCarriesTheRecord() async throws {
        try await EnforcementTests.withGateway(Self.script()) { harness in
            let response = try await harness.chat(GatewayFixtures.chatBody("天气"))
            #expect(response.status == .ok)
            let record = try Self.headerRecord(response)
            let body = try await EnforcementTests.json(response)
            #expect(body["aigc"] == record.jsonValue)
            let message = body["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue
            #expect(message?["content"]?.stringValue == ChatLabelPolicy.defaultText + "\n\n" + Self.reply)
            // The production id leads back to the request in the audit log.
            let event = try #require(try await harness.events(type: "moderation.checked", count: 1).first)
            #expect(event.details["aigc"] == record.produceID)
            #expect(event.details["label"] == "start")
        }
    }

    @Test func aStreamOpensWithTheRecordAndTheLabel() async throws {
        try await EnforcementTests.withGateway(Self.script()) { harness in
            let response = try await harness.chat(GatewayFixtures.chatBody("天气", stream: true))
            let record = try Self.headerRecord(response)
            let events = try await EnforcementTests.events(response)
            let opening = try #require(events.first)
            let first = try #require(try JSONParser.parse(opening.data).objectValue)
            #expect(first["aigc"] == record.jsonValue)
            #expect(first["object"] == "chat.completion.chunk")
            let text = try RouterTests.content(of: events)
            #expect(text == ChatLabelPolicy.defaultText + "\n\n" + Self.reply)
            #expect(events.filter { $0.data.contains(#""aigc""#) }.count == 1)
            #expect(events.last?.isDone == true)
        }
    }

    @Test(arguments: [false, true])
    func theEndLabelClosesTheAnswer(stream: Bool) async throws {
        let policy = ChatLabelPolicy(placement: .end, text: "以上内容由AI生成")
        try await EnforcementTests.withGateway(Self.script(), chatLabels: policy) { harness in
            let response = try await harness.chat(GatewayFixtures.chatBody("天气", stream: stream))
            _ = try Self.headerRecord(response)
            let text: String
            if stream {
                let events = try await EnforcementTests.events(response)
                text = try RouterTests.content(of: events)
                #expect(events.last?.isDone == true)
            } else {
                let body = try await EnforcementTests.json(response)
                text =
                    body["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?.stringValue
                    ?? ""
            }
            #expect(text == Self.reply + "\n\n以上内容由AI生成")
        }
    }

    @Test(arguments: [false, true])
    func anInterfaceLabelledTenantGetsTheRecordButNoText(stream: Bool) async throws {
        try await EnforcementTests.withGateway(Self.script(), chatLabels: ChatLabelPolicy(placement: .interface)) {
            harness in
            let response = try await harness.chat(GatewayFixtures.chatBody("天气", stream: stream))
            let record = try Self.headerRecord(response)
            if stream {
                let events = try await EnforcementTests.events(response)
                #expect(try RouterTests.content(of: events) == Self.reply)
                let opening = try #require(events.first)
                #expect(try JSONParser.parse(opening.data).objectValue?["aigc"] == record.jsonValue)
            } else {
                let body = try await EnforcementTests.json(response)
                #expect(body["aigc"] == record.jsonValue)
                #expect(
                    body["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?.stringValue
                        == Self.reply
                )
            }
            // On record: this answer's label is the tenant's interface (the duty stays with the provider).
            let event = try #require(try await harness.events(type: "moderation.checked", count: 1).first)
            #expect(event.details["label"] == "interface")
        }
    }

    @Test func structuredAnswersAreNotBroken() async throws {
        var script = Self.script()
        script.reply = #"{"weather":"good"}"#
        try await EnforcementTests.withGateway(script) { harness in
            let response = try await harness.chat(
                GatewayFixtures.chatBody("天气", extra: #","response_format":{"type":"json_object"}"#)
            )
            let body = try await EnforcementTests.json(response)
            let content = body["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]
            #expect(content?.stringValue == #"{"weather":"good"}"#)
            #expect(body["aigc"] != nil)
        }
    }
}
