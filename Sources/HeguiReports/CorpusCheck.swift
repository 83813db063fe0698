import Foundation
package import HeguiCore

/// The corpus check (TC-5.1.1, TC-5.2.1, TC-9.2.2): a random sample of a source's items, drawn
/// from a recorded seed, run through the moderation engine; the share of illegal or harmful items
/// with its Wilson 95 % interval, and whether the source passes the 5 % threshold (the point
/// rate is the gate, as TC-9 reads; the interval says how sure the estimate is).
package struct CorpusCheck: Sendable {
    /// The threshold of TC-5.1.1: a source with more than 5 % illegal or harmful content is not
    /// collected or trained on.
    package static let threshold = 0.05
    /// TC-9.2.1's manual sample and TC-9.2.2's technical share.
    package static let minimumSample = 4_000
    package static let minimumFraction = 0.10

    /// The sample TC-9.2 asks for: 10 % of the items and at least 4,000 (all of them when fewer).
    package static func sampleSize(
        items: Int,
        minimum: Int = Self.minimumSample,
        fraction: Double = Self.minimumFraction
    ) -> Int {
        let tenth = Int((Double(items) * fraction).rounded(.up))
        return min(items, max(minimum, tenth))
    }

    /// Chooses exactly `sample` of `population` items in one pass, each equally likely (selection
    /// sampling, Knuth's Algorithm S), from a seed.
    package struct Selector: Sendable {
        private var generator: SeededGenerator
        private var remaining: Int
        private var needed: Int

        package init(population: Int, sample: Int, seed: UInt64) {
            self.generator = SeededGenerator(seed: seed)
            self.remaining = population
            self.needed = min(sample, population)
        }

        /// Whether the next item is in the sample.
        package mutating func take() -> Bool {
            guard self.remaining > 0 else { return false }
            defer { self.remaining -= 1 }
            guard self.needed > 0 else { return false }
            if Int.random(in: 0..<self.remaining, using: &self.generator) < self.needed {
                self.needed -= 1
                return true
            }
            return false
        }
    }

    /// What counts as illegal or harmful: an item whose verdict blocks (default), or any item with
    /// a hit at all.
    package enum Counting: String, Sendable, Hashable, CaseIterable {
        case block
        case any
    }

    /// The outcome for one source.
    package struct Result: Sendable, Hashable {
        package var source: String
        package var files: [String]
        package var items: Int
        package var sampled: Int
        package var flagged: Int
        /// Flagged items by risk code.
        package var risks: [String: Int]
        package var seed: UInt64
        package var counting: Counting
        package var threshold: Double
        package var policyVersion: String
        package var checkedAt: Int64

        package var share: Double { self.sampled == 0 ? 0 : Double(self.flagged) / Double(self.sampled) }
        package var interval: WilsonInterval { WilsonInterval(successes: self.flagged, trials: self.sampled) }
        /// Whether the source may be used: its share at most the threshold.
        package var admitted: Bool { self.share <= self.threshold }
        /// Whether the interval reaches past the threshold on the other side of the point rate:
        /// the verdict could change with a larger sample.
        package var isBorderline: Bool {
            self.admitted ? self.interval.upper > self.threshold : self.interval.lower <= self.threshold
        }

        package var json: JSONValue {
            func number(_ value: Int) -> JSONValue { .number(String(value)) }
            func fraction(_ value: Double) -> JSONValue { .number(ReportPage.decimal(value, places: 6)) }
            return .object([
                "source": .string(self.source),
                "files": .array(self.files.map { .string($0) }),
                "items": number(self.items),
                "sampled": number(self.sampled),
                "flagged": number(self.flagged),
                "share": fraction(self.share),
                "interval": .array([fraction(self.interval.lower), fraction(self.interval.upper)]),
                "threshold": fraction(self.threshold),
                "admitted": .bool(self.admitted),
                "borderline": .bool(self.isBorderline),
                "risks": .object(
                    JSONObject(self.risks.sorted { $0.key < $1.key }.map { (key: $0.key, value: number($0.value)) })
                ),
                "seed": .string(String(self.seed)),
                "counting": .string(self.counting.rawValue),
                "policy_version": .string(self.policyVersion),
                "checked_at": .string(ReportPage.timestamp(self.checkedAt)),
            ])
        }

        /// A result read back from its JSON line (the check log the explanation quotes).
        package init?(json: JSONValue) {
            guard let object = json.objectValue, let source = object["source"]?.stringValue,
                let items = object["items"]?.intValue, let sampled = object["sampled"]?.intValue,
                let flagged = object["flagged"]?.intValue
            else { return nil }
            self.source = source
            self.files = object["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
            self.items = items
            self.sampled = sampled
            self.flagged = flagged
            var risks: [String: Int] = [:]
            for (key, value) in object["risks"]?.objectValue?.members ?? [] { risks[key] = value.intValue ?? 0 }
            self.risks = risks
            self.seed = object["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
            self.counting = object["counting"]?.stringValue.flatMap(Counting.init) ?? .block
            self.threshold =
                object["threshold"].flatMap { value -> Double? in
                    if case .number(let text) = value { return Double(text) }
                    return nil
                } ?? CorpusCheck.threshold
            self.policyVersion = object["policy_version"]?.stringValue ?? ""
            self.checkedAt = 0
            self.checkedText = object["checked_at"]?.stringValue ?? ""
        }

        package init(
            source: String,
            files: [String],
            items: Int,
            sampled: Int,
            flagged: Int,
            risks: [String: Int],
            seed: UInt64,
            counting: Counting,
            threshold: Double,
            policyVersion: String,
            checkedAt: Int64
        ) {
            self.source = source
            self.files = files
            self.items = items
            self.sampled = sampled
            self.flagged = flagged
            self.risks = risks
            self.seed = seed
            self.counting = counting
            self.threshold = threshold
            self.policyVersion = policyVersion
            self.checkedAt = checkedAt
            self.checkedText = ReportPage.timestamp(checkedAt)
        }

        /// When it was checked, as written.
        package var checkedText: String
    }

    package let engine: ModerationEngine
    package let policy: ModerationPolicy
    package let counting: Counting

    package init(engine: ModerationEngine, policy: ModerationPolicy, counting: Counting = .block) {
        self.engine = engine
        self.policy = policy
        self.counting = counting
    }

    /// Checks one item: the risks it is flagged for, empty when it passes.
    package func check(_ text: String) -> [String] {
        let verdict = self.engine.check(text, direction: .output, policy: self.policy)
        switch self.counting {
        case .block:
            guard verdict.action == .block else { return [] }
            return Array(Set(verdict.hits.filter { $0.action == .block }.map(\.risk.rawValue))).sorted()
        case .any:
            return Array(Set(verdict.hits.map(\.risk.rawValue))).sorted()
        }
    }
}

/// Reads a corpus's items: the non-empty lines of text files, or one field of each line of a
/// JSONL file (`.jsonl`), a chunk at a time, so a large corpus never sits in memory whole.
package struct CorpusFiles: Sendable {
    package var paths: [String]
    /// The JSONL field that holds an item's text.
    package var field: String

    /// A file that cannot be read, or a JSONL line that is not an object with the field.
    package struct ReadError: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package init(paths: [String], field: String = "text") {
        self.paths = paths
        self.field = field
    }

    /// Calls `body` with each item's text (or `nil` when only counting) in order.
    package func forEachItem(decoding: Bool, _ body: (String?) throws -> Void) throws {
        for path in self.paths {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ReadError(description: "\(path): cannot be read")
            }
            defer { try? handle.close() }
            let isJSONL = path.hasSuffix(".jsonl")
            var pending: [UInt8] = []
            var lineNumber = 0
            func emit(_ line: ArraySlice<UInt8>) throws {
                lineNumber += 1
                var line = line
                if line.last == 0x0D { line = line.dropLast() }
                guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
                guard decoding else { return try body(nil) }
                guard let text = String(validating: line, as: UTF8.self) else {
                    throw ReadError(description: "\(path):\(lineNumber): not UTF-8")
                }
                if isJSONL {
                    guard let object = try? JSONParser.parse(text).objectValue,
                        let value = object[self.field]?.stringValue
                    else {
                        throw ReadError(
                            description: "\(path):\(lineNumber): not a JSON object with a string '\(self.field)'"
                        )
                    }
                    try body(value)
                } else {
                    try body(text)
                }
            }
            while true {
                let chunk: Data
                do {
                    chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                } catch {
                    throw ReadError(description: "\(path): \(error)")
                }
                if chunk.isEmpty { break }
                pending.append(contentsOf: chunk)
                var start = 0
                while let newline = pending[start...].firstIndex(of: 0x0A) {
                    try emit(pending[start..<newline])
                    start = newline + 1
                }
                pending.removeFirst(start)
            }
            if !pending.isEmpty { try emit(pending[...]) }
        }
    }

    /// Counts the items, then checks a sample of them (``CorpusCheck/sampleSize(items:minimum:fraction:)``
    /// unless `sample` is given) with `check`.
    package func check(
        _ check: CorpusCheck,
        source: String,
        sample: Int?,
        seed: UInt64,
        threshold: Double = CorpusCheck.threshold,
        policyVersion: String,
        now: Int64
    ) throws -> CorpusCheck.Result {
        var items = 0
        try self.forEachItem(decoding: false) { _ in items += 1 }
        let size = min(items, sample ?? CorpusCheck.sampleSize(items: items))
        var selector = CorpusCheck.Selector(population: items, sample: size, seed: seed)
        var sampled = 0
        var flagged = 0
        var risks: [String: Int] = [:]
        try self.forEachItem(decoding: true) { text in
            guard selector.take(), let text else { return }
            sampled += 1
            let found = check.check(text)
            if !found.isEmpty {
                flagged += 1
                for risk in found { risks[risk, default: 0] += 1 }
            }
        }
        return CorpusCheck.Result(
            source: source,
            files: self.paths,
            items: items,
            sampled: sampled,
            flagged: flagged,
            risks: risks,
            seed: seed,
            counting: check.counting,
            threshold: threshold,
            policyVersion: policyVersion,
            checkedAt: now
        )
    }
}
