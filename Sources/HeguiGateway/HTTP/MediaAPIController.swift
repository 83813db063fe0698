import Foundation
import HTTPTypes
import HeguiCore
import HeguiMedia
package import Hummingbird
import Logging
import NIOCore

/// `POST /v1/images/generations` and `POST /v1/audio/speech`: forwarded to the upstream like chat,
/// with the prompt moderated on the way in (IM-4, IM-14) and every generated file labelled on the
/// way out (IM-12, LBL-4, LBL-5): the AIGC record in the file, the visible mark on PNG and JPEG images, the
/// audio cue on WAV speech, and the production ids in the audit log. A file that cannot be
/// labelled is not returned (502 `label_unavailable`).
package struct MediaAPIController: Sendable {
    let model: ModelAPIController
    let files: GeneratedFiles
    let publicURL: String?
    let settings: GatewayConfiguration.Labels
    /// ffmpeg, when installed: the audio cue in MP3 and FLAC speech.
    let ffmpeg: FFmpeg?

    /// Speech formats whose files carry a label (the others have no metadata Hegui writes yet).
    static let speechFormats = ["mp3", "wav", "flac"]

    package init(model: ModelAPIController, files: GeneratedFiles, configuration: GatewayConfiguration) {
        self.model = model
        self.files = files
        self.publicURL = configuration.server.publicURL
        self.settings = configuration.labels
        self.ffmpeg = configuration.labels.audioCue == nil ? nil : FFmpeg.find()
    }

    /// Adds the model routes to a group mounted at `/v1`.
    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("images/generations", use: self.images)
        group.post("audio/speech", use: self.speech)
    }

    /// Serves labelled copies of URL results at `/generated/<name>` (no key: the name is the secret),
    /// and at `/labels/public-key` the key that verifies this deployment's seals, for the platforms
    /// that check labels (LBL-6.1) and for auditors.
    package static func addPublicRoutes(
        to router: Router<GatewayRequestContext>,
        files: GeneratedFiles,
        labels: LabelService
    ) {
        router.get("labels/public-key") { _, _ -> Response in
            guard let seal = labels.seal, let key = seal.publicKey else {
                throw APIError.notFound()
            }
            let body: JSONValue = [
                "algorithm": "ed25519",
                "key_id": .string(seal.keyID),
                "public_key": .string(HexEncoding.encode(key)),
                "content_producer": .string(labels.producer),
            ]
            return Response.json(body.serialized)
        }
        router.get("generated/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let bytes = files.load(name) else {
                throw APIError.notFound()
            }
            return Response(
                status: .ok,
                headers: [.contentType: GeneratedFiles.contentType(of: name), .cacheControl: "private, max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    /// What every media request shares: its body, tenant, end user, gate admission and the
    /// moderated prompt.
    private struct Checked {
        var body: JSONObject
        var tenant: GatewayConfiguration.Tenant
        var pseudonym: String?
        var finish: @Sendable () async -> Void
        var decision:
            @Sendable (String, ModerationAction, [RiskCode], String, [String: String]) -> DecisionRecorder.Decision
    }

    private func check(
        _ request: Request,
        context: GatewayRequestContext,
        textField: String,
        route: String
    ) async throws -> Checked {
        let raw = try await request.body.collect(upTo: self.model.maximumBodyBytes)
        let json: JSONValue
        do {
            json = try raw.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
        } catch {
            throw APIError.invalidJSON(error)
        }
        guard var body = json.objectValue else {
            throw APIError.invalidParameter(
                "body",
                expectedZH: "JSON 对象",
                expected: "a JSON object",
                got: json.typeName
            )
        }
        guard let text = body[textField]?.stringValue, !text.isEmpty else {
            throw APIError.missingParameter(textField)
        }
        var bodyUser: String?
        if let value = body["user"] {
            guard let user = value.stringValue else {
                throw APIError.invalidParameter("user", expectedZH: "字符串", expected: "a string", got: value.typeName)
            }
            bodyUser = user
        }
        let user = try EndUserID.resolve(bodyUser: bodyUser, header: request.headers[.heguiUser])
        if self.model.requireUser, user == nil { throw APIError.userRequired() }
        if !self.model.aliases.isEmpty, let name = body["model"]?.stringValue {
            guard let alias = self.model.aliases[name] else { throw APIError.modelNotFound(name) }
            body["model"] = .string(alias.upstreamModel)
        }
        let enforcement = self.model.enforcement
        let tenant = context.tenant ?? GatewayConfiguration.Tenant(id: "-", name: "-", keySHA256: "")
        let pseudonym = await enforcement.recorder.pseudonym(tenant: tenant.id, user: user)
        let gate = enforcement.gate
        let admission = try await gate?.admit(tenant: tenant, pseudonym: pseudonym, requestID: context.requestID)
        let outcome = RequestOutcome()
        outcome.setTokens(prompt: TokenEstimate.count(text), completion: 0)
        let finish = { @Sendable () async in
            guard let gate, let admission, outcome.claimFinish() else { return }
            await gate.finish(
                admission,
                tenant: tenant,
                promptTokens: outcome.tokens.prompt,
                completionTokens: 0,
                violated: outcome.isViolated
            )
        }
        let (engine, version) = enforcement.moderation.snapshot
        let policy = engine.policies.policy(tenant: tenant.id, group: admission?.group, preferred: tenant.policy)
        let make = ModelAPIController.decisions(
            tenant: tenant.id,
            user: pseudonym,
            requestID: context.requestID,
            policy: policy.name,
            version: version,
            outcome: outcome,
            extra: ["route": route]
        )
        let decision = {
            @Sendable (
                type: String,
                action: ModerationAction,
                risks: [RiskCode],
                text: String,
                details: [String: String]
            ) in
            make(type, action, risks, text, action == .allow ? nil : text, details)
        }
        // Input moderation of the prompt (IM-4, IM-14): a refusal is an error, since no picture or
        // sound can stand in for the compliant answer.
        var verdict = engine.check(text, direction: .input, policy: policy)
        if verdict.action != .block, enforcement.classifiers?.covers(.input) == true {
            let hits = try await self.model.classify(
                text,
                direction: .input,
                policy: policy,
                version: version,
                tenant: tenant.id,
                user: pseudonym,
                requestID: context.requestID,
                logger: context.logger
            )
            verdict = engine.verdict(verdict.hits + hits, policy: policy)
        }
        if verdict.action != .allow {
            self.model.metrics.recordModeration(direction: "input", action: verdict.action.rawValue)
            do {
                try await enforcement.recorder.record(
                    decision("moderation.input", verdict.action, verdict.risks, text, ["direction": "input"])
                )
            } catch {
                await finish()
                throw error
            }
        }
        switch verdict.action {
        case .block:
            await finish()
            throw APIError.contentFilter(risks: verdict.risks)
        case .redact:
            body[textField] = .string(Self.masked(text, verdict.hits.filter { $0.action == .redact }))
        default:
            break
        }
        return Checked(body: body, tenant: tenant, pseudonym: pseudonym, finish: finish, decision: decision)
    }

    /// The upstream's error, relayed to the app as it came.
    struct Relayed: Error {
        var response: Response
    }

    /// Sends the checked request to the upstream: its answer, or its error relayed.
    private func forward(
        _ checked: Checked,
        path: String,
        context: GatewayRequestContext
    ) async throws -> Result<UpstreamResponse, Relayed> {
        let response = try await self.model.send(
            UpstreamRequest(
                method: .post,
                path: path,
                body: ByteBuffer(string: JSONValue.object(checked.body).serialized),
                requestID: context.requestID
            ),
            logger: context.logger
        )
        guard (200..<300).contains(response.status.code) else {
            return .failure(
                Relayed(response: try await self.model.relayUpstreamError(response, logger: context.logger))
            )
        }
        return .success(response)
    }

    /// Records what was labelled (`label.produced`): the production ids and each file's explicit label.
    private func recordProduced(_ checked: Checked, ids: [String], explicit: [String]) async throws {
        try await self.model.enforcement.recorder.record(
            checked.decision(
                "label.produced",
                .allow,
                [],
                "",
                ["aigc": ids.joined(separator: ","), "explicit": explicit.joined(separator: ",")]
            )
        )
    }

    /// `text` with the characters of `hits` replaced by "＊".
    static func masked(_ text: String, _ hits: [ModerationHit]) -> String {
        var scalars = Array(text.unicodeScalars)
        for hit in hits {
            for index in hit.span.characters where index < scalars.count { scalars[index] = "＊" }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    // MARK: POST /v1/images/generations

    @Sendable func images(request: Request, context: GatewayRequestContext) async throws -> Response {
        let checked = try await self.check(request, context: context, textField: "prompt", route: "images")
        defer { Task { await checked.finish() } }
        let response: UpstreamResponse
        switch try await self.forward(checked, path: "images/generations", context: context) {
        case .success(let answer): response = answer
        case .failure(let relayed): return relayed.response
        }
        let whole = try await self.model.collect(response, logger: context.logger)
        guard
            var answer =
                (try? whole.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) })?
                .objectValue,
            var items = answer["data"]?.arrayValue
        else { throw APIError.upstreamInvalidResponse() }

        var labeller = self.model.labels.labeller
        if self.settings.imageMark {
            labeller.visible = try? VisibleLabel(
                text: self.settings.imageMarkText,
                position: VisibleLabel.Position(rawValue: self.settings.imageMarkPosition) ?? .bottomRight,
                style: VisibleLabel.Style(rawValue: self.settings.imageMarkStyle) ?? .light
            )
        }
        var ids: [String] = []
        var marks: [String] = []
        for index in items.indices {
            guard var item = items[index].objectValue else { throw APIError.upstreamInvalidResponse() }
            let produceID = LabelService.produceID("\(context.requestID)-\(index)")
            let original: [UInt8]
            if let encoded = item["b64_json"]?.stringValue {
                guard let data = Data(base64Encoded: encoded) else {
                    throw APIError.labelUnavailable("the model's image is not valid base64")
                }
                original = Array(data)
            } else if let url = item["url"]?.stringValue {
                original = try await self.fetch(url, context: context)
            } else {
                throw APIError.upstreamInvalidResponse()
            }
            let (labelled, outcome, mark) = try self.label(original, labeller: labeller, produceID: produceID)
            if item["b64_json"] != nil {
                item["b64_json"] = .string(Data(labelled).base64EncodedString())
            } else {
                let name: String
                do {
                    name = try self.files.store(
                        labelled,
                        fileExtension: outcome.format == .jpeg ? "jpg" : outcome.format.rawValue
                    )
                } catch {
                    throw APIError.labelUnavailable("the labelled copy could not be stored")
                }
                item["url"] = .string("\(self.base(request))/generated/\(name)")
            }
            item["aigc"] = outcome.record.jsonValue
            items[index] = .object(item)
            ids.append(outcome.record.produceID)
            marks.append(mark)
        }
        answer["data"] = .array(items)
        try await self.recordProduced(checked, ids: ids, explicit: marks)
        return Response(
            status: response.status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(answer).serialized))
        )
    }

    /// Labels one image: the visible mark where the format takes one (PNG, JPEG), else the implicit label
    /// only (recorded: the app's interface must show the prompt). Returns what was done.
    private func label(
        _ bytes: [UInt8],
        labeller: Labeller,
        produceID: String
    ) throws -> ([UInt8], Labeller.Outcome, String) {
        do {
            let markable = bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) || bytes.starts(with: [0xFF, 0xD8, 0xFF])
            if labeller.visible != nil, markable {
                do {
                    let (labelled, outcome) = try labeller.label(bytes: bytes, role: .producer(produceID: produceID))
                    return (labelled, outcome, "mark")
                } catch {
                    // An image the mark does not fit (interlaced, palette, too small) keeps its implicit label.
                    var plain = labeller
                    plain.visible = nil
                    let (labelled, outcome) = try plain.label(bytes: bytes, role: .producer(produceID: produceID))
                    return (labelled, outcome, "interface:\(error.description)")
                }
            }
            var plain = labeller
            plain.visible = nil
            let (labelled, outcome) = try plain.label(bytes: bytes, role: .producer(produceID: produceID))
            return (labelled, outcome, labeller.visible == nil ? "off" : "interface:\(outcome.format.rawValue)")
        } catch {
            throw APIError.labelUnavailable(error.description)
        }
    }

    /// Fetches a URL result through the upstream (only URLs under an upstream's API base, so the
    /// gateway never fetches addresses an answer merely names).
    private func fetch(_ url: String, context: GatewayRequestContext) async throws -> [UInt8] {
        guard let source = self.model.upstream.fileSource(for: url) else {
            throw APIError.labelUnavailable(
                "the model's image URL is outside its API base \(self.model.upstream.baseURL)"
            )
        }
        let response: UpstreamResponse
        do {
            response = try await source.upstream.send(
                UpstreamRequest(method: .get, path: source.path, requestID: context.requestID),
                logger: context.logger
            )
        } catch {
            throw APIError.labelUnavailable("the model's image URL could not be fetched")
        }
        guard (200..<300).contains(response.status.code) else {
            throw APIError.labelUnavailable("the model's image URL answered \(response.status.code)")
        }
        let body = try await self.model.collect(response, logger: context.logger)
        return Array(buffer: body)
    }

    /// The address apps reach the gateway at.
    private func base(_ request: Request) -> String {
        self.publicURL ?? "http://\(request.head.authority ?? "127.0.0.1")"
    }

    // MARK: POST /v1/audio/speech

    @Sendable func speech(request: Request, context: GatewayRequestContext) async throws -> Response {
        let checked = try await self.check(request, context: context, textField: "input", route: "speech")
        defer { Task { await checked.finish() } }
        let format = checked.body["response_format"]?.stringValue ?? "mp3"
        guard Self.speechFormats.contains(format) else {
            throw APIError.labelFormatUnsupported(format, supported: Self.speechFormats)
        }
        let response: UpstreamResponse
        switch try await self.forward(checked, path: "audio/speech", context: context) {
        case .success(let answer): response = answer
        case .failure(let relayed): return relayed.response
        }
        let audio = Array(buffer: try await self.model.collect(response, logger: context.logger))
        var labeller = self.model.labels.labeller
        let produceID = LabelService.produceID(context.requestID)
        let isWAV = audio.count > 12 && audio[8..<12].elementsEqual(Array("WAVE".utf8))
        if isWAV || self.ffmpeg != nil, let cue = self.settings.audioCue.flatMap(AudioCue.Placement.init(rawValue:)) {
            // WAV takes the cue directly; MP3 and FLAC through ffmpeg (re-encoding).
            labeller.cue = AudioCue(placement: cue, voice: self.model.labels.voice)
            labeller.ffmpeg = self.ffmpeg
        }
        let labelled: [UInt8]
        let outcome: Labeller.Outcome
        do {
            (labelled, outcome) = try labeller.label(bytes: audio, role: .producer(produceID: produceID))
        } catch {
            throw APIError.labelUnavailable(error.description)
        }
        try await self.recordProduced(
            checked,
            ids: [produceID],
            explicit: [labeller.cue != nil ? "cue" : "interface:\(outcome.format.rawValue)"]
        )
        var headers: HTTPFields = [.contentType: response.headers[.contentType] ?? "application/octet-stream"]
        headers[.aigc] = outcome.record.json
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: labelled)))
    }
}
