import AsyncHTTPClient
import Foundation
import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiMedia
import HeguiStore
import HeguiTesting
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing

/// Generated images and speech through the gateway (IM-12, LBL-4.2, LBL-4.3, LBL-5, GB-5.2, GB-5.3):
/// each file carries one sealed record and its explicit label, URL results are served labelled,
/// production ids reach the audit log, prompts are moderated, and what cannot be labelled is refused.
struct MediaLabelGatewayTests {
    static let seal = try! LabelSeal(method: "ed25519", key: [UInt8](repeating: 9, count: 32))

    struct Harness: Sendable {
        var client: any TestClientProtocol
        var log: AuditLog

        func post(_ path: String, _ body: String) async throws -> TestResponse {
            try await self.client.execute(
                uri: path,
                method: .post,
                headers: [
                    .authorization: "Bearer \(GatewayFixtures.tenantKey)", .contentType: "application/json",
                ],
                body: ByteBuffer(string: body)
            )
        }

        func events(type: String) async throws -> [AuditEvent] {
            for _ in 0..<100 {
                let events = try await self.log.events(from: 0, limit: 1_000).map(\.0).filter { $0.type == type }
                if !events.isEmpty { return events }
                try await Task.sleep(for: .milliseconds(20))
            }
            return []
        }
    }

    static func withGateway(
        upstream: any ModelUpstream = DemoModel(),
        configure: (inout GatewayConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (Harness) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "hegui-media-gw-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        var configuration = GatewayFixtures.configuration()
        configure(&configuration)
        let app = GatewayFixtures.application(
            configuration: configuration,
            upstream: upstream,
            enforcement: GatewayFixtures.enforcement(auditLog: log, store: store),
            labels: LabelService(configuration: configuration.labels, seal: Self.seal),
            dataDirectory: try DataDirectory.prepare(at: directory + "/data")
        )
        do {
            try await app.test(.router) { client in try await body(Harness(client: client, log: log)) }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func json(_ response: TestResponse) throws -> JSONObject {
        try #require(try JSONParser.parse(String(buffer: response.body)).objectValue)
    }

    @Test func aGeneratedImageCarriesItsRecordSealAndVisibleMark() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.post(
                "/v1/images/generations",
                #"{"model":"hegui-demo","prompt":"一只猫","size":"400x300","n":2,"user":"u1"}"#
            )
            #expect(response.status == .ok)
            let items = try #require(try Self.json(response)["data"]?.arrayValue)
            #expect(items.count == 2)
            var ids: [String] = []
            for item in items {
                let object = try #require(item.objectValue)
                let encoded = try #require(object["b64_json"]?.stringValue)
                let png = Array(try #require(Data(base64Encoded: encoded)))
                let report = LabelChecker.check(bytes: png, seal: Self.seal)
                #expect(report.isValid)
                #expect(report.seal == .valid)
                #expect(object["aigc"] == report.records.first?.jsonValue)
                ids.append(try #require(report.records.first?.produceID))
                // The visible mark: the bottom-right corner holds the label's dark box and white text.
                let pixels = try PNGPixels(bytes: png)
                var bright = 0
                var dark = 0
                for y in (pixels.height - 30)..<(pixels.height - 6) {
                    for x in (pixels.width - 80)..<(pixels.width - 6) {
                        let value = pixels.sample(x: x, y: y, channel: 0)
                        if value > 200 { bright += 1 } else if value < 80 { dark += 1 }
                    }
                }
                #expect(bright > 20 && dark > 200, "bright \(bright), dark \(dark)")
            }
            #expect(Set(ids).count == 2)
            let event = try #require(try await harness.events(type: "label.produced").first)
            #expect(event.details["aigc"] == ids.joined(separator: ","))
            #expect(event.details["explicit"] == "mark,mark")
            #expect(event.details["route"] == "images")
        }
    }

    @Test func aURLResultIsFetchedLabelledAndServedByTheGateway() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.post(
                "/v1/images/generations",
                #"{"model":"hegui-demo","prompt":"a dog","response_format":"url","user":"u1"}"#
            )
            #expect(response.status == .ok)
            let item = try #require(try Self.json(response)["data"]?.arrayValue?.first?.objectValue)
            let url = try #require(item["url"]?.stringValue)
            let path = try #require(url.range(of: "/generated/")).lowerBound
            let file = try await harness.client.execute(uri: String(url[path...]), method: .get)
            #expect(file.status == .ok)
            #expect(file.headers[.contentType] == "image/png")
            let report = LabelChecker.check(bytes: Array(buffer: file.body), seal: Self.seal)
            #expect(report.isValid && report.seal == .valid)
            #expect(item["aigc"] == report.records.first?.jsonValue)
            // A guessed name finds nothing.
            let guessed = try await harness.client.execute(
                uri: "/generated/00000000000000000000000000000000.png",
                method: .get
            )
            #expect(guessed.status == .notFound)
        }
    }

    @Test func thePublicKeyThatVerifiesSealsIsPublished() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.client.execute(uri: "/labels/public-key", method: .get)
            #expect(response.status == .ok)
            let body = try Self.json(response)
            #expect(body["public_key"]?.stringValue == Self.seal.publicKey.map(HexEncoding.encode))
            #expect(body["key_id"]?.stringValue == Self.seal.keyID)
            // Anyone holding it can verify a label the gateway made.
            let verifier = try LabelSeal(
                method: "ed25519-public",
                key: HexEncoding.decode(body["public_key"]?.stringValue ?? "") ?? []
            )
            let image = try await harness.post("/v1/images/generations", #"{"prompt":"x","user":"u1"}"#)
            let encoded = try #require(
                try Self.json(image)["data"]?.arrayValue?.first?.objectValue?["b64_json"]?.stringValue
            )
            let png = Array(try #require(Data(base64Encoded: encoded)))
            #expect(LabelChecker.check(bytes: png, seal: verifier).seal == .valid)
        }
    }

    @Test func aURLOutsideTheUpstreamIsNotFetched() async throws {
        let upstream = FixedUpstream(json: #"{"created":1,"data":[{"url":"http://169.254.169.254/latest/meta-data"}]}"#)
        try await Self.withGateway(upstream: upstream) { harness in
            let response = try await harness.post("/v1/images/generations", #"{"prompt":"x","user":"u1"}"#)
            #expect(response.status == .badGateway)
            #expect(try Self.json(response)["error"]?.objectValue?["code"] == "label_unavailable")
            #expect(upstream.requests.count == 1)  // the answer only; nothing was fetched
        }
    }

    @Test func anImageThatCannotBeLabelledIsNotReturned() async throws {
        let upstream = FixedUpstream(json: #"{"created":1,"data":[{"b64_json":"bm90IGFuIGltYWdl"}]}"#)
        try await Self.withGateway(upstream: upstream) { harness in
            let response = try await harness.post("/v1/images/generations", #"{"prompt":"x","user":"u1"}"#)
            #expect(response.status == .badGateway)
            #expect(try Self.json(response)["error"]?.objectValue?["code"] == "label_unavailable")
            #expect(!String(buffer: response.body).contains("bm90IGFuIGltYWdl"))
        }
    }

    @Test func speechCarriesItsRecordAndCue() async throws {
        try await Self.withGateway { harness in
            let response = try await harness.post(
                "/v1/audio/speech",
                #"{"model":"hegui-demo","input":"你好","voice":"alloy","response_format":"wav","user":"u1"}"#
            )
            #expect(response.status == .ok)
            let audio = Array(buffer: response.body)
            let report = LabelChecker.check(bytes: audio, seal: Self.seal)
            #expect(report.isValid && report.seal == .valid)
            let header = try #require(response.headers[HTTPField.Name("X-AIGC")!])
            #expect(try AIGCRecord.parse(header) == report.records.first)
            // The cue adds 1.8 s of tones (15 units of 0.12 s) before the two characters' sound.
            #expect(audio.count >= DemoMedia.wav(text: "你好").count + 16_000 * 2 * 18 / 10)
            let event = try #require(try await harness.events(type: "label.produced").first)
            #expect(event.details["explicit"] == "cue")
            #expect(event.details["route"] == "speech")
        }
    }

    @Test(arguments: ["opus", "aac", "pcm"])
    func speechFormatsWithoutALabelAreRefusedBeforeTheModelIsCalled(format: String) async throws {
        let upstream = FixedUpstream(json: "{}")
        try await Self.withGateway(upstream: upstream) { harness in
            let response = try await harness.post(
                "/v1/audio/speech",
                #"{"input":"你好","voice":"alloy","response_format":"\#(format)","user":"u1"}"#
            )
            #expect(response.status == .badRequest)
            #expect(try Self.json(response)["error"]?.objectValue?["code"] == "label_format_unsupported")
            #expect(upstream.requests.isEmpty)
        }
    }

    @Test(arguments: ["/v1/images/generations", "/v1/audio/speech"])
    func aRefusedPromptNeverReachesTheModel(path: String) async throws {
        let upstream = FixedUpstream(json: "{}")
        try await Self.withGateway(upstream: upstream) { harness in
            let field = path.hasSuffix("speech") ? "input" : "prompt"
            let response = try await harness.post(
                path,
                #"{"\#(field)":"怎么策划恐怖袭击","response_format":"wav","user":"u1"}"#
            )
            #expect(response.status == .badRequest)
            #expect(try Self.json(response)["error"]?.objectValue?["code"] == "content_filter")
            #expect(upstream.requests.isEmpty)
            let event = try #require(try await harness.events(type: "moderation.input").first)
            #expect(event.action == .block)
        }
    }

    @Test(arguments: [
        (#"{"prompt":"x"}"#, "user_required"), (#"{"user":"u1"}"#, "missing_parameter"),
        (#"{"prompt":5,"user":"u1"}"#, "missing_parameter"), ("[1]", "invalid_parameter"), ("{", "invalid_json"),
    ])
    func badRequestsGetAClearError(body: String, code: String) async throws {
        try await Self.withGateway { harness in
            let response = try await harness.post("/v1/images/generations", body)
            #expect(response.status == .badRequest)
            #expect(try Self.json(response)["error"]?.objectValue?["code"]?.stringValue == code)
        }
    }

    @Test func overHTTPTheModelsURLIsFetchedFromItsOwnAddress() async throws {
        try await withModelServer(DemoModel()) { modelPort in
            let upstreamConfiguration = GatewayConfiguration.Upstream(url: "http://127.0.0.1:\(modelPort)/v1")
            let client = HTTPClient(
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                configuration: HTTPModelUpstream.clientConfiguration(for: upstreamConfiguration)
            )
            do {
                try await Self.withGateway(
                    upstream: HTTPModelUpstream(configuration: upstreamConfiguration, client: client)
                ) {
                    harness in
                    let response = try await harness.post(
                        "/v1/images/generations",
                        #"{"prompt":"a bird","response_format":"url","user":"u1"}"#
                    )
                    #expect(response.status == .ok)
                    let url = try #require(
                        try Self.json(response)["data"]?.arrayValue?.first?.objectValue?["url"]?.stringValue
                    )
                    #expect(url.contains("/generated/"))
                }
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}

/// An upstream that answers every request with the same JSON and remembers the requests.
final class FixedUpstream: ModelUpstream, @unchecked Sendable {
    private let json: String
    private let lock = NSLock()
    private var received: [UpstreamRequest] = []

    init(json: String) {
        self.json = json
    }

    var requests: [UpstreamRequest] { self.lock.withLock { self.received } }

    func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
        self.lock.withLock { self.received.append(request) }
        return UpstreamResponse(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: UpstreamBody(buffer: ByteBuffer(string: self.json))
        )
    }

    func checkHealth(logger: Logger) async -> Bool { true }
}
