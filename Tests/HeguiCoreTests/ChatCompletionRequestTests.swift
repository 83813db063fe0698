import HeguiCore
import Testing

@Suite struct ChatCompletionRequestTests {
    @Test func readsTheFieldsTheGatewayNeeds() throws {
        let request = try ChatCompletionRequest(
            json: JSONParser.parse(
                #"{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","content":[{"type":"text","text":"x"}]}],"stream":true,"user":"u-1","tools":[]}"#
            )
        )
        #expect(request.model == "m")
        #expect(request.isStreaming)
        #expect(request.user == "u-1")
        #expect(request.messageCount == 2)
    }

    @Test(arguments: [
        (#"[]"#, "invalid_parameter", "body"),
        (#"{"messages":[{"role":"user"}]}"#, "missing_parameter", "model"),
        (#"{"model":"","messages":[{"role":"user"}]}"#, "invalid_parameter", "model"),
        (#"{"model":7,"messages":[{"role":"user"}]}"#, "invalid_parameter", "model"),
        (#"{"model":"m"}"#, "missing_parameter", "messages"),
        (#"{"model":"m","messages":[]}"#, "invalid_parameter", "messages"),
        (#"{"model":"m","messages":"hi"}"#, "invalid_parameter", "messages"),
        (#"{"model":"m","messages":["hi"]}"#, "invalid_parameter", "messages[0]"),
        (#"{"model":"m","messages":[{"content":"hi"}]}"#, "missing_parameter", "messages[0].role"),
        (#"{"model":"m","messages":[{"role":"user"},{"role":5}]}"#, "invalid_parameter", "messages[1].role"),
        (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "invalid_parameter", "messages[0].content"),
        (#"{"model":"m","messages":[{"role":"user"}],"stream":"yes"}"#, "invalid_parameter", "stream"),
        (#"{"model":"m","messages":[{"role":"user"}],"user":42}"#, "invalid_parameter", "user"),
        (#"{"model":"m","messages":[{"role":"user"}],"stream_options":1}"#, "invalid_parameter", "stream_options"),
    ])
    func rejectsWrongTypesNamingTheParameter(body: String, code: String, param: String) throws {
        let json = try JSONParser.parse(body)
        do {
            _ = try ChatCompletionRequest(json: json)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.status == 400)
            #expect(error.code.rawValue == code)
            #expect(error.param == param)
        }
    }

    @Test(
        arguments: [
            ("u-1", nil, "u-1"),
            (nil, "header-user", "header-user"),
            ("body", "header", "body"),
            ("用户一号", nil, "用户一号"),
        ] as [(String?, String?, String?)]
    )
    func resolvesTheEndUser(body: String?, header: String?, expected: String?) throws {
        #expect(try EndUserID.resolve(bodyUser: body, header: header) == expected)
    }

    @Test func noUserIsNil() throws {
        #expect(try EndUserID.resolve(bodyUser: nil, header: nil) == nil)
    }

    @Test(arguments: ["", "a\u{0}b", "tab\tuser", String(repeating: "x", count: 257)])
    func rejectsUnusableUserIDs(id: String) {
        #expect(throws: APIError.self) { try EndUserID.resolve(bodyUser: id, header: nil) }
        #expect(throws: APIError.self) { try EndUserID.resolve(bodyUser: nil, header: id) }
    }

    @Test func errorsHaveOpenAIsShapeWithBothLanguages() throws {
        let error = APIError.userRequired()
        let object = try #require(error.json.objectValue?["error"]?.objectValue)
        #expect(object["code"] == "user_required")
        #expect(object["type"] == "invalid_request_error")
        #expect(object["param"] == "user")
        let message = try #require(object["message"]?.stringValue)
        #expect(message.contains("用户") && message.contains("end user"))
    }

    @Test(arguments: [("你好世界", 4), ("hello world", 2), ("GPT-4 好", 4), ("", 0)])
    func estimatesTokens(text: String, count: Int) {
        #expect(ChatCompletionBuilder.estimateTokens(text) == count)
    }

    @Test func apiKeyDigestsAreHexSHA256() {
        #expect(APIKeyDigest.hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeyDigest.isDigest(APIKeyDigest.hex(of: "k")))
        #expect(!APIKeyDigest.isDigest("BA7816BF"))
    }
}
