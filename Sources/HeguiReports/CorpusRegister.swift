package import HeguiCore
import Yams

/// The training-data register (IM-7, IM-8, IM-19, TC-5.1): every corpus source with where it came
/// from, the licence or authorisation that makes its use lawful, when it was collected, its size,
/// type and language, whether it holds personal information and on what basis, the annotation
/// rules, and its share of the training data. Kept as a YAML file by the provider.
package struct CorpusRegister: Sendable, Hashable {
    package enum Origin: String, Sendable, Hashable, CaseIterable {
        /// An open-source corpus: its licence is required (TC-5.1.3).
        case openSource = "open_source"
        /// Collected by the provider: the collection record is required.
        case selfCollected = "self_collected"
        /// Bought: the contract and the supplier's commitments are required.
        case commercial
        /// Users' inputs: records of their authorisation are required.
        case userInput = "user_input"

        package var names: (zh: String, en: String) {
            switch self {
            case .openSource: ("开源语料", "open source")
            case .selfCollected: ("自采语料", "self-collected")
            case .commercial: ("商业语料", "commercial")
            case .userInput: ("用户输入", "user input")
            }
        }
    }

    package enum PersonalInformation: String, Sendable, Hashable, CaseIterable {
        case none, contains, sensitive

        package var names: (zh: String, en: String) {
            switch self {
            case .none: ("不含", "none")
            case .contains: ("含个人信息", "contains personal information")
            case .sensitive: ("含敏感个人信息", "contains sensitive personal information")
            }
        }
    }

    package struct Source: Sendable, Hashable {
        package var id = ""
        package var name = ""
        package var origin: Origin?
        /// The licence of an open-source corpus.
        package var licence = ""
        /// The contract, collection record or users' authorisation, by origin.
        package var authorisation = ""
        package var collected: CivilDate?
        /// The size as the provider states it ("12 GB").
        package var size = ""
        /// The number of items (documents, lines, files).
        package var items: Int?
        /// text, image, audio, video or multimodal.
        package var type = ""
        package var language = ""
        /// Whether the source is domestic (TC-5.1.2 asks for a sensible mix).
        package var domestic: Bool?
        package var personalInformation: PersonalInformation?
        package var consentBasis = ""
        package var annotationRules = ""
        /// Its share of the training data, 0…1.
        package var share: Double?
        /// Where the register file says it is.
        package var line: Int?

        package init(id: String = "") {
            self.id = id
        }
    }

    /// What is missing or wrong in an entry (`error`), or worth a look (`warning`).
    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        package enum Severity: String, Sendable, Hashable {
            case error, warning
        }

        package var severity: Severity
        package var source: String
        package var key: String
        package var message: String
        package var requirement: String

        package var description: String {
            "\(self.severity.rawValue): \(self.source.isEmpty ? "" : "\(self.source): ")\(self.key): \(self.message) (\(self.requirement))"
        }
    }

    /// A register file that cannot be read as YAML of the expected shape.
    package struct ReadError: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package static let types = ["text", "image", "audio", "video", "multimodal"]

    package var sources: [Source]

    package init(sources: [Source] = []) {
        self.sources = sources
    }

    /// Reads a register: `sources:` and a list of entries.
    /// - Throws: ``ReadError`` naming the file, line and key.
    package init(yaml: String, file: String = "register") throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ReadError(description: "\(file): not YAML: \(error)")
        }
        func fail(_ node: Node?, _ key: String, _ message: String) -> ReadError {
            ReadError(description: "\(file)\(node?.mark.map { ":\($0.line)" } ?? ""): \(key): \(message)")
        }
        guard case .mapping(let top)? = root, let list = top["sources"] else {
            throw fail(root, "sources", "the register is a mapping with a list 'sources'")
        }
        guard case .sequence(let items) = list else { throw fail(list, "sources", "must be a list") }
        let keys = [
            "id", "name", "origin", "licence", "authorisation", "collected", "size", "items", "type", "language",
            "domestic", "personal_information", "consent_basis", "annotation_rules", "share",
        ]
        self.sources = try items.enumerated().map { index, item in
            guard case .mapping(let mapping) = item else {
                throw fail(item, "sources[\(index)]", "each source is a mapping")
            }
            var source = Source()
            source.line = item.mark?.line
            for (keyNode, value) in mapping {
                guard let key = keyNode.string, keys.contains(key) else {
                    throw fail(
                        keyNode,
                        "sources[\(index)]",
                        "unknown key '\(keyNode.string ?? "?")'; known: \(keys.joined(separator: ", "))"
                    )
                }
                let path = "sources[\(index)].\(key)"
                guard case .scalar(let scalar) = value else { throw fail(value, path, "must be a single value") }
                let text = scalar.string
                switch key {
                case "id": source.id = text
                case "name": source.name = text
                case "origin":
                    guard let origin = Origin(rawValue: text) else {
                        throw fail(
                            value,
                            path,
                            "must be one of \(Origin.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    source.origin = origin
                case "licence": source.licence = text
                case "authorisation": source.authorisation = text
                case "collected":
                    guard let date = CivilDate(text) else { throw fail(value, path, "must be a date YYYY-MM-DD") }
                    source.collected = date
                case "size": source.size = text
                case "items":
                    guard let count = Int(text), count >= 0 else { throw fail(value, path, "must be a whole number") }
                    source.items = count
                case "type": source.type = text
                case "language": source.language = text
                case "domestic":
                    guard let flag = Bool(text) else { throw fail(value, path, "must be true or false") }
                    source.domestic = flag
                case "personal_information":
                    guard let kind = PersonalInformation(rawValue: text) else {
                        let names = PersonalInformation.allCases.map(\.rawValue).joined(separator: ", ")
                        throw fail(value, path, "must be one of \(names)")
                    }
                    source.personalInformation = kind
                case "consent_basis": source.consentBasis = text
                case "annotation_rules": source.annotationRules = text
                default:
                    guard let share = Double(text), share >= 0, share <= 1 else {
                        throw fail(value, path, "must be a number from 0 to 1")
                    }
                    source.share = share
                }
            }
            return source
        }
    }

    /// What the register lacks, entry by entry (IM-7 *Test*: every source has the required
    /// fields), and what TC-5.1.2 would question.
    package var problems: [Problem] {
        var problems: [Problem] = []
        var seen = Set<String>()
        for (index, source) in self.sources.enumerated() {
            let name = source.id.isEmpty ? "sources[\(index)]" : source.id
            func error(_ key: String, _ message: String, _ requirement: String) {
                problems.append(
                    Problem(severity: .error, source: name, key: key, message: message, requirement: requirement)
                )
            }
            if source.id.isEmpty { error("id", "missing", "IM-7") }
            if !source.id.isEmpty, !seen.insert(source.id).inserted { error("id", "used twice", "IM-7") }
            if source.name.trimmed.isEmpty { error("name", "missing", "IM-19.1") }
            if source.collected == nil { error("collected", "missing: when it was collected", "TC-5.1.3") }
            if source.size.trimmed.isEmpty && source.items == nil {
                error("size", "missing: give size or items", "IM-19.1")
            }
            if !Self.types.contains(source.type) {
                error("type", "must be one of \(Self.types.joined(separator: ", "))", "IM-19.1")
            }
            if source.language.trimmed.isEmpty { error("language", "missing", "TC-5.1.2") }
            if source.annotationRules.trimmed.isEmpty { error("annotation_rules", "missing", "IM-8.1") }
            if source.share == nil { error("share", "missing: its share of the training data", "IM-19.1") }
            switch source.origin {
            case nil:
                error("origin", "missing", "TC-5.1.3")
            case .openSource?:
                if source.licence.trimmed.isEmpty {
                    error("licence", "an open-source corpus needs its licence", "TC-5.1.3")
                }
            case .commercial?:
                if source.authorisation.trimmed.isEmpty {
                    error("authorisation", "a commercial corpus needs its contract", "TC-5.1.3")
                }
            case .selfCollected?:
                if source.authorisation.trimmed.isEmpty {
                    error("authorisation", "a self-collected corpus needs its collection record", "TC-5.1.3")
                }
            case .userInput?:
                if source.authorisation.trimmed.isEmpty {
                    error("authorisation", "users' inputs need the records of their authorisation", "TC-5.1.3")
                }
            }
            switch source.personalInformation {
            case nil:
                error("personal_information", "missing: none, contains or sensitive", "IM-7.3")
            case .contains?, .sensitive?:
                if source.consentBasis.trimmed.isEmpty {
                    error(
                        "consent_basis",
                        "personal information needs consent or another legal basis",
                        "IM-7.3, TC-5.2.3"
                    )
                }
            case .none?:
                break
            }
        }
        let total = self.sources.compactMap(\.share).reduce(0, +)
        if total > 1.0001 {
            problems.append(
                Problem(
                    severity: .error,
                    source: "",
                    key: "share",
                    message: "shares add up to \(total), more than 1",
                    requirement: "IM-19.1"
                )
            )
        }
        // TC-5.1.2: several sources for each language and each type.
        var byLanguage: [String: Int] = [:]
        var byType: [String: Int] = [:]
        for source in self.sources {
            if !source.language.isEmpty { byLanguage[source.language, default: 0] += 1 }
            if !source.type.isEmpty { byType[source.type, default: 0] += 1 }
        }
        for (language, count) in byLanguage.sorted(by: { $0.key < $1.key }) where count < 2 {
            problems.append(
                Problem(
                    severity: .warning,
                    source: "",
                    key: "language",
                    message: "only one source in '\(language)'",
                    requirement: "TC-5.1.2"
                )
            )
        }
        for (type, count) in byType.sorted(by: { $0.key < $1.key }) where count < 2 {
            problems.append(
                Problem(
                    severity: .warning,
                    source: "",
                    key: "type",
                    message: "only one source of type '\(type)'",
                    requirement: "TC-5.1.2"
                )
            )
        }
        return problems
    }

    package func source(_ id: String) -> Source? {
        self.sources.first { $0.id == id }
    }
}
