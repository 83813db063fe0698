package import HeguiCore

/// What a file says about itself (LBL-6.1): whether it carries one valid AIGC record, what the
/// record holds, and whether Hegui's seal over it verifies.
package struct LabelReport: Sendable, Hashable {
    package var path: String
    package var format: MediaFormat?
    /// The records found, parsed (an unreadable one appears in ``problems``).
    package var records: [AIGCRecord]
    /// Where each record was found.
    package var places: [String]
    /// Everything that keeps the file from carrying exactly one conforming record.
    package var problems: [String]
    /// What conforms but needs attention (a placeholder producer code).
    package var warnings: [String] = []
    /// The seal's verdict, when a key was given and the file has one record.
    package var seal: LabelSeal.Verdict?

    /// Whether the file carries exactly one conforming record (and, when checked, a valid seal).
    package var isValid: Bool {
        self.records.count == 1 && self.problems.isEmpty
            && (self.seal == nil || self.seal == .valid || self.seal == .unsealed)
    }

    /// The report as JSON, for pipelines.
    package var json: JSONValue {
        var object: JSONObject = [
            "path": .string(self.path),
            "format": self.format.map { .string($0.rawValue) } ?? .null,
            "valid": .bool(self.isValid),
            "records": .array(
                zip(self.records, self.places).map { record, place in
                    var object = record.jsonValue.objectValue ?? JSONObject()
                    object["place"] = .string(place)
                    return .object(object)
                }
            ),
            "problems": .array(self.problems.map(JSONValue.string)),
            "warnings": .array(self.warnings.map(JSONValue.string)),
        ]
        object["seal"] = self.seal.map { .string($0.rawValue) } ?? .null
        return .object(object)
    }
}

/// Checks the labels of files.
package enum LabelChecker {
    /// Reads the label of the file at `path`; `seal` verifies Hegui's integrity value when given.
    package static func check(path: String, seal: LabelSeal? = nil) -> LabelReport {
        var report = LabelReport(path: path, format: nil, records: [], places: [], problems: [], seal: nil)
        do throws(MediaError) {
            let input = try MediaInput(path: path)
            try Self.check(input, name: path, seal: seal, into: &report)
        } catch {
            report.problems.append(error.description)
        }
        return report
    }

    /// Reads the label of a file held in memory.
    package static func check(bytes: [UInt8], name: String = "", seal: LabelSeal? = nil) -> LabelReport {
        var report = LabelReport(path: name, format: nil, records: [], places: [], problems: [], seal: nil)
        do throws(MediaError) {
            try Self.check(MediaInput(bytes: bytes), name: name, seal: seal, into: &report)
        } catch {
            report.problems.append(error.description)
        }
        return report
    }

    private static func check(
        _ input: MediaInput,
        name: String,
        seal: LabelSeal?,
        into report: inout LabelReport
    ) throws(MediaError) {
        let format = try Labeller.format(of: input, name: name)
        report.format = format
        let carrier = try format.carrier.init(input: input)
        for found in carrier.records {
            do throws(AIGCRecordError) {
                let record = try AIGCRecord.parse(found.text)
                report.records.append(record)
                report.places.append(found.place)
                report.problems += record.problems
                if record.contentProducer == ProviderCode.placeholder {
                    report.warnings.append(
                        "ContentProducer is Hegui's placeholder code, not a provider's: set labels.producer (LBL-CODE)"
                    )
                }
            } catch {
                report.problems.append("\(found.place): \(error.description)")
            }
        }
        if carrier.records.isEmpty { report.problems.append("no AIGC record") }
        if carrier.records.count > 1 {
            report.problems.append("\(carrier.records.count) AIGC records; a file keeps exactly one (GB-6.1 c)")
        }
        if let seal, report.records.count == 1 {
            let digest = try Labeller.digest(of: carrier.essence, in: input)
            report.seal = seal.verify(report.records[0], essenceDigest: digest)
        }
    }
}
