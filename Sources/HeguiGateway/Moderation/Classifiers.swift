package import AsyncHTTPClient
import Foundation
package import HeguiCore
package import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What one classifier said about one text.
package struct ClassifierVerdict: Sendable, Hashable {
    /// The risks it found (none: the text is safe).
    package var risks: [RiskCode]
}

/// Why a classifier gave no verdict.
package struct ClassifierFailure: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        case timeout, unavailable, status
        case invalidResponse = "invalid_response"
        case overloaded
    }

    package var kind: Kind
    package var detail: String

    package var description: String { "\(self.kind.rawValue): \(self.detail)" }
}

/// Runs the configured classifier models (issue 5 item 4; TC-8 asks for classifiers beside the
/// keyword lexicon): each with its timeout and concurrency limit, all of a direction in parallel.
/// A classifier that fails or times out counts as a refusal when it fails closed (the default)
/// and as nothing when it fails open; either way the failure is reported for the audit log.
package final class ClassifierSet: Sendable {
    package let classifiers: [GatewayConfiguration.Classifier]
    private let client: HTTPClient
    private let inFlight: NIOLockedValueBox<[Int]>

    /// The outcome of running every classifier of a direction on one text.
    package struct Outcome: Sendable {
        /// Hits (one per risk and classifier), spanning the whole text.
        package var hits: [ModerationHit]
        /// Classifiers that failed, and whether the failure refuses the text.
        package var failures: [(name: String, failure: ClassifierFailure, refuses: Bool)]

        /// Whether a failing classifier refuses the text (fail-closed).
        package var refusedByFailure: Bool { self.failures.contains { $0.refuses } }
    }

    package init(classifiers: [GatewayConfiguration.Classifier], client: HTTPClient) {
        self.classifiers = classifiers
        self.client = client
        self.inFlight = NIOLockedValueBox(Array(repeating: 0, count: classifiers.count))
    }

    package var isEmpty: Bool { self.classifiers.isEmpty }

    /// Whether any classifier checks this direction.
    package func covers(_ direction: ModerationDirection) -> Bool {
        self.classifiers.contains { $0.directions.contains(direction) }
    }

    /// Whether streamed text waits for a classifier before it is shown.
    package var holdsStreams: Bool {
        self.classifiers.contains { $0.directions.contains(.output) && $0.holdsStream }
    }

    /// The fewest characters after which a stream is checked again.
    package var streamCharacters: Int {
        self.classifiers.filter { $0.directions.contains(.output) }.map(\.streamCharacters).min() ?? 200
    }

    /// Runs every classifier of `direction` on `text` in parallel.
    package func classify(
        _ text: String,
        direction: ModerationDirection,
        policy: ModerationPolicy,
        logger: Logger
    ) async -> Outcome {
        let span = TextSpan(bytes: 0..<text.utf8.count, characters: 0..<text.unicodeScalars.count)
        return await withTaskGroup(of: (Int, Result<ClassifierVerdict, ClassifierFailure>).self) { group in
            for (index, classifier) in self.classifiers.enumerated() where classifier.directions.contains(direction) {
                group.addTask {
                    (index, await self.run(index, classifier, text: text, direction: direction, logger: logger))
                }
            }
            var outcome = Outcome(hits: [], failures: [])
            for await (index, result) in group {
                let classifier = self.classifiers[index]
                switch result {
                case .success(let verdict):
                    for risk in verdict.risks {
                        outcome.hits.append(
                            ModerationHit(
                                risk: risk,
                                source: .classifier(classifier.name),
                                action: policy.action(for: risk, termAction: classifier.action, direction: direction),
                                span: span
                            )
                        )
                    }
                case .failure(let failure):
                    logger.warning(
                        "classifier failed",
                        metadata: [
                            "classifier": .string(classifier.name), "classifier.error": .string(failure.kind.rawValue),
                        ]
                    )
                    outcome.failures.append((classifier.name, failure, classifier.onFailure == .block))
                }
            }
            outcome.hits.sort { $0.termID < $1.termID }
            outcome.failures.sort { $0.name < $1.name }
            return outcome
        }
    }

    private func run(
        _ index: Int,
        _ classifier: GatewayConfiguration.Classifier,
        text: String,
        direction: ModerationDirection,
        logger: Logger
    ) async -> Result<ClassifierVerdict, ClassifierFailure> {
        // The concurrency limit: beyond it a check fails at once rather than queueing without end.
        let admitted = self.inFlight.withLockedValue { counts in
            guard counts[index] < classifier.maximumConcurrency else { return false }
            counts[index] += 1
            return true
        }
        guard admitted else {
            return .failure(
                ClassifierFailure(
                    kind: .overloaded,
                    detail: "more than \(classifier.maximumConcurrency) checks in flight"
                )
            )
        }
        defer { self.inFlight.withLockedValue { $0[index] -= 1 } }
        do {
            return .success(try await self.request(classifier, text: text, direction: direction))
        } catch let failure as ClassifierFailure {
            return .failure(failure)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(
                ClassifierFailure(kind: .timeout, detail: "no answer within \(classifier.timeoutMilliseconds) ms")
            )
        } catch {
            return .failure(ClassifierFailure(kind: .unavailable, detail: String(describing: type(of: error))))
        }
    }

    private func request(
        _ classifier: GatewayConfiguration.Classifier,
        text: String,
        direction: ModerationDirection
    ) async throws -> ClassifierVerdict {
        var request: HTTPClientRequest
        let body: JSONValue
        switch classifier.kind {
        case .openaiChat:
            request = HTTPClientRequest(url: classifier.url.trimmingSuffix("/") + "/chat/completions")
            body = [
                "model": .string(classifier.model),
                "messages": [
                    [
                        "role": "user",
                        "content": .string(classifier.prompt.replacingOccurrences(of: "{text}", with: text)),
                    ]
                ],
                "temperature": 0,
                "stream": false,
            ]
        case .httpJSON:
            request = HTTPClientRequest(url: classifier.url)
            body = ["text": .string(text), "direction": .string(direction.rawValue)]
        }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key = classifier.apiKey { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(string: body.serialized))
        let timeout = TimeAmount.milliseconds(Int64(classifier.timeoutMilliseconds))
        let response = try await self.client.execute(request, deadline: .now() + timeout)
        guard (200..<300).contains(response.status.code) else {
            throw ClassifierFailure(kind: .status, detail: "HTTP \(response.status.code)")
        }
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let parsed = try? bytes.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
        guard case .object(let object)? = parsed else {
            throw ClassifierFailure(kind: .invalidResponse, detail: "not a JSON object")
        }
        switch classifier.kind {
        case .openaiChat:
            guard
                case .string(let answer)? = object["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?[
                    "content"
                ]
            else {
                throw ClassifierFailure(kind: .invalidResponse, detail: "no choices[0].message.content")
            }
            return Self.read(guardAnswer: answer, classifier: classifier)
        case .httpJSON:
            return try Self.read(json: object)
        }
    }

    /// Reads a guard model's answer ("Safety: Unsafe\nCategories: Violent", "unsafe\nS1"): the
    /// labels it contains, or the default risk when it says unsafe without a known label.
    package static func read(
        guardAnswer answer: String,
        classifier: GatewayConfiguration.Classifier
    ) -> ClassifierVerdict {
        let lower = answer.lowercased()
        // "unsafe" contains "safe": the marker decides, and labels only count on an unsafe answer.
        guard lower.contains(classifier.unsafeMarker.lowercased()) else { return ClassifierVerdict(risks: []) }
        var risks = Set<RiskCode>()
        for (label, risk) in classifier.labels where lower.contains(label.lowercased()) {
            risks.insert(risk)
        }
        if risks.isEmpty { risks.insert(classifier.defaultRisk) }
        return ClassifierVerdict(risks: risks.sorted())
    }

    /// Reads a generic endpoint's answer: `{"risks":[…]}` or `{"flagged":…,"categories":{…}}`.
    package static func read(json object: JSONObject) throws -> ClassifierVerdict {
        if case .array(let items)? = object["risks"] {
            return ClassifierVerdict(
                risks: try items.map { item in
                    guard case .string(let text) = item, let risk = RiskCode(text) else {
                        throw ClassifierFailure(kind: .invalidResponse, detail: "a risk is not a risk code")
                    }
                    return risk
                }.sorted()
            )
        }
        guard case .bool(let flagged)? = object["flagged"] else {
            throw ClassifierFailure(kind: .invalidResponse, detail: "neither risks nor flagged")
        }
        guard flagged else { return ClassifierVerdict(risks: []) }
        var risks: [RiskCode] = []
        for member in object["categories"]?.objectValue?.members ?? [] where member.value == .bool(true) {
            if let risk = RiskCode(member.key) { risks.append(risk) }
        }
        return ClassifierVerdict(risks: risks.isEmpty ? [RiskCode("A1h")!] : risks.sorted())
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        self.hasSuffix(suffix) ? String(self.dropLast(suffix.count)) : self
    }
}
