/// The implicit label of one generated item: the seven-field AIGC record of GB 45438-2025 Appendix E
/// (LBL-5.1, GB-6.1, REQUIREMENTS.md §8.1).
///
/// ``json`` writes the bare object with the keys in the standard's order; ``wrappedJSON`` writes
/// `{"AIGC":{…}}` for containers without a key name (EXIF UserComment). ``parse(_:)`` reads either
/// form and keeps whatever the file holds, so that ``problems`` can report a record that breaks the
/// rules instead of hiding it.
package struct AIGCRecord: Sendable, Hashable {
    /// The generated/synthetic attribute (App. E c) 1)).
    package enum Label: String, Sendable, Hashable, CaseIterable {
        /// "1": the content is AI-generated or synthetic.
        case generated = "1"
        /// "2": the content may be AI-generated (a platform's finding from the user's declaration, LBL-6.2).
        case possiblyGenerated = "2"
        /// "3": the content is suspected to be AI-generated (LBL-6.3).
        case suspected = "3"
    }

    /// The seven keys in the order Appendix E gives.
    package static let keys = [
        "Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID",
        "ReservedCode2",
    ]

    /// The `Label` value as written in the file ("1", "2" or "3" in a valid record).
    package var label: String
    package var contentProducer: String
    package var produceID: String
    /// The producer's safety data: Hegui writes a ``LabelSeal`` here when one is configured.
    package var reservedCode1: String
    package var contentPropagator: String
    package var propagateID: String
    package var reservedCode2: String

    /// A record at first write: the propagation elements equal the production elements (App. E note 1).
    package init(label: Label = .generated, producer: String, produceID: String, reservedCode1: String = "") {
        self.label = label.rawValue
        self.contentProducer = producer
        self.produceID = produceID
        self.reservedCode1 = reservedCode1
        self.contentPropagator = producer
        self.propagateID = produceID
        self.reservedCode2 = ""
    }

    /// A record with every field given, as read from a file.
    package init(fields: [String]) {
        precondition(fields.count == 7)
        self.label = fields[0]
        self.contentProducer = fields[1]
        self.produceID = fields[2]
        self.reservedCode1 = fields[3]
        self.contentPropagator = fields[4]
        self.propagateID = fields[5]
        self.reservedCode2 = fields[6]
    }

    /// The values in key order.
    package var fields: [String] {
        [
            self.label, self.contentProducer, self.produceID, self.reservedCode1, self.contentPropagator,
            self.propagateID, self.reservedCode2,
        ]
    }

    /// The label value, when it is one of the three the standard defines.
    package var labelValue: Label? { Label(rawValue: self.label) }

    /// The bare object, keys in order, no white space: `{"Label":"1",…,"ReservedCode2":""}`.
    package var json: String {
        var output = "{"
        for (index, (key, value)) in zip(Self.keys, self.fields).enumerated() {
            if index > 0 { output += "," }
            JSONValue.serialize(string: key, into: &output)
            output += ":"
            JSONValue.serialize(string: value, into: &output)
        }
        return output + "}"
    }

    /// The wrapped object `{"AIGC":{…}}` (PG-WRAP).
    package var wrappedJSON: String { #"{"AIGC":"# + self.json + "}" }

    /// The record as a JSON value (for API responses and audit events).
    package var jsonValue: JSONValue {
        .object(JSONObject(zip(Self.keys, self.fields).map { (key: $0, value: .string($1)) }))
    }

    /// What is wrong with the record under Appendix E: an unknown label, a missing producer or id,
    /// a value outside the character allow-list (App. E j). Empty for a conforming record.
    package var problems: [String] {
        var problems: [String] = []
        if self.labelValue == nil { problems.append("Label must be \"1\", \"2\" or \"3\", not \"\(self.label)\"") }
        if self.contentProducer.isEmpty { problems.append("ContentProducer is empty") }
        if self.produceID.isEmpty { problems.append("ProduceID is empty") }
        for (key, value) in zip(Self.keys, self.fields) where !Self.isAllowed(value) {
            problems.append(
                "\(key) holds characters outside GB 45438 App. E j (printable ASCII without space, \" or \\)"
            )
        }
        return problems
    }

    /// Whether every character of `value` is in the allow-list 0x21, 0x23–0x5B, 0x5D–0x7E.
    package static func isAllowed(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
    }

    /// Reads a record in the bare or the wrapped form (PG-WRAP: readers accept both).
    /// - Throws: ``AIGCRecordError`` when the text is not such a record.
    package static func parse(_ text: some StringProtocol) throws(AIGCRecordError) -> AIGCRecord {
        let value: JSONValue
        do {
            value = try JSONParser.parse(String(text), maximumDepth: 4)
        } catch {
            throw AIGCRecordError("the AIGC value is not JSON (\(error))")
        }
        guard var object = value.objectValue else { throw AIGCRecordError("the AIGC value is not a JSON object") }
        if object.members.count == 1, object.members[0].key == "AIGC" {
            guard let inner = object.members[0].value.objectValue else {
                throw AIGCRecordError("the wrapped AIGC value is not a JSON object")
            }
            object = inner
        }
        var fields = [String](repeating: "", count: 7)
        var seen = Set<String>()
        for member in object.members {
            guard let index = Self.keys.firstIndex(of: member.key) else { continue }
            guard seen.insert(member.key).inserted else { throw AIGCRecordError("the key \(member.key) appears twice") }
            guard let string = member.value.stringValue else {
                throw AIGCRecordError("\(member.key) is a \(member.value.typeName), not a string")
            }
            fields[index] = string
        }
        for key in ["Label", "ContentProducer", "ProduceID"] where !seen.contains(key) {
            throw AIGCRecordError("the record has no \(key)")
        }
        return AIGCRecord(fields: fields)
    }
}

/// Why a text is not an AIGC record.
package struct AIGCRecordError: Error, Hashable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
