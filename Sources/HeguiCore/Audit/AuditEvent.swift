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
    /// absent members left out, risks and details sorted. Anyone can re-derive it from an export.
    package var canonicalBytes: [UInt8] {
        var object = JSONObject()
        object["v"] = .number("1")
        object["seq"] = .number(String(self.sequence))
        object["type"] = .string(self.type)
        object["time"] = .number(String(self.time))
        if let tenant = self.tenant { object["tenant"] = .string(tenant) }
        if let user = self.user { object["user"] = .string(user) }
        if let requestID = self.requestID { object["request"] = .string(requestID) }
        if let action = self.action { object["action"] = .string(action.rawValue) }
        if !self.risks.isEmpty { object["risks"] = .array(self.risks.sorted().map { .string($0.rawValue) }) }
        if let digest = self.contentDigest { object["content_sha256"] = .string(digest) }
        if !self.details.isEmpty {
            object["details"] = .object(
                JSONObject(self.details.keys.sorted().map { (key: $0, value: .string(self.details[$0] ?? "")) })
            )
        }
        return Array(JSONValue.object(object).serialized.utf8)
    }

    /// The event's Merkle leaf hash.
    package var leafHash: MerkleHash {
        MerkleTree.leafHash(self.canonicalBytes)
    }
}
