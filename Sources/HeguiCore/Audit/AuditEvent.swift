/// One entry of the audit log: something the gateway decided or did, as evidence (OPS-1,
/// IM-14, IM-15, IM-19). Content itself is never in an event, only a salted hash of it; the
/// content, when it is evidence, is kept beside the log so that it can be erased while the log
/// still verifies.
package struct AuditEvent: Sendable, Hashable {
    /// The event's position in the log, from 0, without gaps.
    package var sequence: UInt64
    /// What happened, as a dotted name: `moderation.blocked`, `sanction.applied`,
    /// `complaint.received`, `evidence.erased`, `lexicon.reloaded`, …
    package var type: String
    /// When, in milliseconds since 1970-01-01 UTC.
    package var time: Int64
    /// The tenant concerned, if any.
    package var tenant: String?
    /// The end user concerned, as a pseudonym (keyed hash), if any.
    package var user: String?
    /// The request it belongs to, if any.
    package var requestID: String?
    /// The action taken, if it was a moderation decision.
    package var action: ModerationAction?
    /// The risks found, if any.
    package var risks: [RiskCode]
    /// A salted SHA-256 of the content concerned (hexadecimal), if any.
    package var contentDigest: String?
    /// Further facts as short strings (never content).
    package var details: [String: String]

    package init(
        sequence: UInt64,
        type: String,
        time: Int64,
        tenant: String? = nil,
        user: String? = nil,
        requestID: String? = nil,
        action: ModerationAction? = nil,
        risks: [RiskCode] = [],
        contentDigest: String? = nil,
        details: [String: String] = [:]
    ) {
        self.sequence = sequence
        self.type = type
        self.time = time
        self.tenant = tenant
        self.user = user
        self.requestID = requestID
        self.action = action
        self.risks = risks
        self.contentDigest = contentDigest
        self.details = details
    }

    /// The bytes the Merkle leaf commits to: compact JSON with the members in a fixed order,
    /// absent members left out, risks and details sorted, strings escaped as ``JSONValue`` does.
    /// Anyone can re-derive it from an export.
    package var canonicalBytes: [UInt8] {
        var details: [UInt8]? = nil
        if !self.details.isEmpty {
            var object: [UInt8] = [UInt8(ascii: "{")]
            for (position, key) in self.details.keys.sorted().enumerated() {
                if position > 0 { object.append(UInt8(ascii: ",")) }
                Self.appendJSONString(key, to: &object)
                object.append(UInt8(ascii: ":"))
                Self.appendJSONString(self.details[key] ?? "", to: &object)
            }
            object.append(UInt8(ascii: "}"))
            details = object
        }
        return Self.canonicalBytes(
            sequence: self.sequence,
            type: self.type,
            time: self.time,
            tenant: self.tenant,
            user: self.user,
            requestID: self.requestID,
            action: self.action?.rawValue,
            risks: self.risks.sorted().map(\.rawValue),
            contentDigest: self.contentDigest,
            detailsJSON: details
        )
    }

    /// The canonical bytes from an event's stored parts, without building the event: what
    /// `hegui audit verify` computes for every row. `risks` must be sorted and `detailsJSON` the
    /// details object's compact JSON with sorted keys (as the store keeps it), or `nil` when
    /// there are none. A stored part that is not in that form gives other bytes, and so a leaf
    /// hash that does not match — which is what a verifier should see.
    package static func canonicalBytes(
        sequence: UInt64,
        type: String,
        time: Int64,
        tenant: String?,
        user: String?,
        requestID: String?,
        action: String?,
        risks: [String],
        contentDigest: String?,
        detailsJSON: [UInt8]?
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func literal(_ text: StaticString) {
            text.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        literal("{\"v\":1,\"seq\":")
        out.append(contentsOf: String(sequence).utf8)
        literal(",\"type\":")
        Self.appendJSONString(type, to: &out)
        literal(",\"time\":")
        out.append(contentsOf: String(time).utf8)
        if let tenant {
            literal(",\"tenant\":")
            Self.appendJSONString(tenant, to: &out)
        }
        if let user {
            literal(",\"user\":")
            Self.appendJSONString(user, to: &out)
        }
        if let requestID {
            literal(",\"request\":")
            Self.appendJSONString(requestID, to: &out)
        }
        if let action {
            literal(",\"action\":")
            Self.appendJSONString(action, to: &out)
        }
        if !risks.isEmpty {
            literal(",\"risks\":[")
            for (position, risk) in risks.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendJSONString(risk, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let contentDigest {
            literal(",\"content_sha256\":")
            Self.appendJSONString(contentDigest, to: &out)
        }
        if let detailsJSON {
            literal(",\"details\":")
            out.append(contentsOf: detailsJSON)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends a JSON string, escaped exactly as ``JSONValue`` serializes strings.
    package static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        func literal(_ text: StaticString) {
            text.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        out.append(UInt8(ascii: "\""))
        // Most values need no escaping: copy them whole.
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0xE2 {
                return false
            }
            out.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        var utf8 = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = pending.isEmpty ? utf8.next() : pending.removeFirst() {
            switch byte {
            case UInt8(ascii: "\""): literal("\\\"")
            case UInt8(ascii: "\\"): literal("\\\\")
            case 0x0A: literal("\\n")
            case 0x0D: literal("\\r")
            case 0x09: literal("\\t")
            case 0x08: literal("\\b")
            case 0x0C: literal("\\f")
            case 0x00..<0x20:
                literal("\\u00")
                out.append(Self.hexDigits[Int(byte >> 4)])
                out.append(Self.hexDigits[Int(byte & 0x0F)])
            case 0xE2:
                // U+2028 and U+2029 (E2 80 A8 / A9) are escaped as JSONValue does.
                guard let second = utf8.next() else {
                    out.append(byte)
                    continue
                }
                guard second == 0x80, let third = utf8.next() else {
                    out.append(byte)
                    pending.append(second)
                    continue
                }
                if third == 0xA8 {
                    literal("\\u2028")
                } else if third == 0xA9 {
                    literal("\\u2029")
                } else {
                    out.append(contentsOf: [byte, second, third])
                }
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The event's Merkle leaf hash.
    package var leafHash: MerkleHash {
        MerkleTree.leafHash(self.canonicalBytes)
    }
}

extension AuditEvent {
    /// Reads an event back from its canonical JSON (an export's line).
    /// - Returns: `nil` when the text is not an event in the canonical shape.
    package init?(canonicalJSON text: String) {
        guard case .object(let object) = try? JSONParser.parse(text),
            object["v"] == .number("1"),
            case .number(let sequenceText)? = object["seq"], let sequence = UInt64(sequenceText),
            case .string(let type)? = object["type"],
            case .number(let timeText)? = object["time"], let time = Int64(timeText)
        else { return nil }
        func string(_ key: String) -> String? {
            if case .string(let value)? = object[key] { return value }
            return nil
        }
        var risks: [RiskCode] = []
        if case .array(let values)? = object["risks"] {
            for value in values {
                guard case .string(let text) = value, let risk = RiskCode(text) else { return nil }
                risks.append(risk)
            }
        }
        var details: [String: String] = [:]
        if case .object(let members)? = object["details"] {
            for member in members.members {
                guard case .string(let value) = member.value else { return nil }
                details[member.key] = value
            }
        }
        let action = string("action").flatMap(ModerationAction.init(rawValue:))
        if string("action") != nil, action == nil { return nil }
        self.init(
            sequence: sequence,
            type: type,
            time: time,
            tenant: string("tenant"),
            user: string("user"),
            requestID: string("request"),
            action: action,
            risks: risks,
            contentDigest: string("content_sha256"),
            details: details
        )
    }
}
