import Foundation
import HTTPTypes
import HeguiCore
package import Hummingbird
import NIOCore

/// `POST /v1/moderations` in OpenAI's request and response shape (issue 5 item 5), for apps that
/// only want checks: `results[].flagged`, `categories` and `category_scores` keyed by the TC260
/// risk codes (`A1a` … `A5b`, and any `custom.*` a lexicon uses), and a `hegui` object with the
/// action, the risks, the compliant answer when the text would be refused, and every hit's span.
///
/// Request: `{"input": "…" | ["…", …] | [{"type":"text","text":"…"}, …]}`; the hegui extension
/// `"direction": "output"` checks the text as an answer (the output rules of the policy).
/// Every check is an audit event (`moderation.check`), with evidence only when flagged.
package struct ModerationAPIController: Sendable {
    let enforcement: Enforcement
    let metrics: GatewayMetrics
    let maximumInputs = 256

    package init(enforcement: Enforcement, metrics: GatewayMetrics) {
        self.enforcement = enforcement
        self.metrics = metrics
    }

    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("moderations", use: self.moderations)
    }

    @Sendable func moderations(request: Request, context: GatewayRequestContext) async throws -> Response {
        let object = try await Request.jsonObject(request, limit: 1 << 20)
        let inputs = try Self.inputs(object["input"])
        guard inputs.count <= self.maximumInputs else {
            throw APIError.invalidParameter(
                "input",
                expectedZH: "至多 \(self.maximumInputs) 项",
                expected: "at most \(self.maximumInputs) items",
                got: "\(inputs.count) items"
            )
        }
        let direction: ModerationDirection
        switch object["direction"] {
        case nil, .string("input")?: direction = .input
        case .string("output")?: direction = .output
        case let other?:
            throw APIError.invalidParameter(
                "direction",
                expectedZH: "\"input\" 或 \"output\"",
                expected: "\"input\" or \"output\"",
                got: other.typeName
            )
        }
        let tenant = context.tenant?.id ?? "-"
        let user = try EndUserID.resolve(bodyUser: object["user"]?.stringValue, header: request.headers[.heguiUser])
        let (engine, version) = self.enforcement.moderation.snapshot
        let policy = engine.policies.policy(tenant: tenant, group: nil)
        let verdicts = inputs.map { engine.check($0, direction: direction, policy: policy) }

        let all = engine.verdict(verdicts.flatMap(\.hits), policy: policy)
        try await self.enforcement.recorder.record(
            DecisionRecorder.Decision(
                type: "moderation.check",
                tenant: tenant,
                user: await self.enforcement.recorder.pseudonym(tenant: tenant, user: user),
                requestID: context.requestID,
                action: all.action,
                risks: all.risks,
                text: inputs.joined(separator: "\n"),
                evidence: zip(inputs, verdicts).filter { $0.1.action != .allow }.map(\.0).joined(separator: "\n"),
                details: [
                    "direction": direction == .input ? "input" : "output", "policy": policy.name,
                    "policy_version": version, "inputs": String(inputs.count),
                ]
            )
        )
        if all.action != .allow { self.metrics.recordModeration(direction: "check", action: all.action.rawValue) }

        let codes = Self.categoryCodes(engine: engine)
        let results: [JSONValue] = verdicts.map { verdict in
            let found = Set(verdict.risks.map(\.rawValue))
            var categories = JSONObject()
            var scores = JSONObject()
            for code in codes {
                categories[code] = .bool(found.contains(code))
                scores[code] = .number(found.contains(code) ? "1.0" : "0.0")
            }
            var hegui: JSONObject = [
                "action": .string(verdict.action.rawValue),
                "risks": .array(verdict.risks.map { .string($0.rawValue) }),
                "hits": .array(
                    verdict.hits.map { hit in
                        [
                            "risk": .string(hit.risk.rawValue),
                            "action": .string(hit.action.rawValue),
                            "source": .string(Self.source(of: hit)),
                            "span": [
                                "bytes": [
                                    .number(String(hit.span.bytes.lowerBound)),
                                    .number(String(hit.span.bytes.upperBound)),
                                ],
                                "characters": [
                                    .number(String(hit.span.characters.lowerBound)),
                                    .number(String(hit.span.characters.upperBound)),
                                ],
                            ],
                        ]
                    }
                ),
            ]
            if let answer = verdict.answer { hegui["answer"] = .string(answer) }
            return [
                "flagged": .bool(verdict.action != .allow),
                "categories": .object(categories),
                "category_scores": .object(scores),
                "hegui": .object(hegui),
            ]
        }
        let response: JSONValue = [
            "id": .string("modr-" + context.requestID.dropFirst(4)),
            "model": .string("hegui-" + version),
            "results": .array(results),
        ]
        return .json(response.serialized)
    }

    /// The texts of `input`: a string, an array of strings, or an array of content parts (text
    /// parts are checked; others, such as images, are left out).
    static func inputs(_ value: JSONValue?) throws -> [String] {
        switch value {
        case .string(let text)?: return [text]
        case .array(let items)?:
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                switch item {
                case .string(let text): texts.append(text)
                case .object(let part):
                    if case .string(let text)? = part["text"] { texts.append(text) }
                default:
                    throw APIError.invalidParameter(
                        "input[\(index)]",
                        expectedZH: "字符串或内容片段",
                        expected: "a string or a content part",
                        got: item.typeName
                    )
                }
            }
            return texts
        case nil: throw APIError.missingParameter("input")
        case let other?:
            throw APIError.invalidParameter(
                "input",
                expectedZH: "字符串或数组",
                expected: "a string or an array",
                got: other.typeName
            )
        }
    }

    /// The category keys: the 31 TC260 risks, then the custom categories the lexicon uses.
    static func categoryCodes(engine: ModerationEngine) -> [String] {
        let standard = RiskCatalogue.standard.risks.map(\.code.rawValue)
        let custom = Set(engine.lexicon.entries.compactMap(\.risk).map(\.rawValue)).subtracting(standard).sorted()
        return standard + custom
    }

    /// What found a hit, without repeating the term itself: `lexicon` or `pii.<kind>`.
    static func source(of hit: ModerationHit) -> String {
        switch hit.source {
        case .term: "lexicon"
        case .personalInformation(let kind): kind.termID
        case .classifier(let name): "classifier." + name
        }
    }
}
