import Crypto
import HeguiCore
import Testing

/// Requirement IDs: OPS-1 (logs kept and verifiable), IM-14.5 (records), IM-19 (shown to
/// regulators).
@Suite struct AuditLogVerifierTests {
    static let keys = SignedTreeHead.makeKeyPair()

    static func events(_ count: Int) -> [AuditEvent] {
        (0..<count).map(Self.event(_:))
    }

    static func event(_ index: Int) -> AuditEvent {
        let blocked = index % 3 == 0
        let time: Int64 = 1_764_000_000_000 + Int64(index) * 1000
        let risks: [RiskCode] = blocked ? [RiskCode.personalInformation] : []
        return AuditEvent(
            sequence: UInt64(index),
            type: blocked ? "moderation.blocked" : "moderation.checked",
            time: time,
            tenant: "app",
            user: "u\(index % 5)",
            requestID: "req_\(index)",
            action: blocked ? .block : .allow,
            risks: risks,
            contentDigest: String(repeating: "ab", count: 32)
        )
    }

    /// Tree heads signed every `step` events over the genuine log.
    static func heads(for events: [AuditEvent], every step: Int) throws -> [SignedTreeHead] {
        var accumulator = MerkleAccumulator()
        var heads: [SignedTreeHead] = []
        for event in events {
            accumulator.append(event.leafHash)
            if accumulator.size % step == 0 {
                heads.append(
                    try SignedTreeHead.sign(
                        treeSize: UInt64(accumulator.size),
                        root: accumulator.root,
                        time: event.time,
                        privateKey: Self.keys.privateKey
                    )
                )
            }
        }
        return heads
    }

    static func verify(
        _ events: [AuditEvent],
        heads: [SignedTreeHead],
        storedLeaves: [MerkleHash]? = nil
    ) -> [AuditLogVerifier.Finding] {
        var verifier = AuditLogVerifier(publicKey: Self.keys.publicKey)
        var remaining = heads[...]
        for (index, event) in events.enumerated() {
            verifier.feed(event, storedLeafHash: storedLeaves?[index])
            while let head = remaining.first, head.treeSize == verifier.eventCount {
                verifier.feed(head)
                remaining = remaining.dropFirst()
            }
        }
        for head in remaining { verifier.feed(head) }
        return verifier.finish()
    }

    @Test func aGenuineLogVerifies() throws {
        let events = Self.events(40)
        #expect(Self.verify(events, heads: try Self.heads(for: events, every: 10)).isEmpty)
    }

    @Test func canonicalBytesAreStable() {
        let event = AuditEvent(
            sequence: 7,
            type: "moderation.blocked",
            time: 1_764_000_000_000,
            tenant: "app",
            action: .block,
            risks: [RiskCode("A4c")!, RiskCode("A1d")!],
            details: ["policy": "minors", "direction": "output"]
        )
        #expect(
            String(decoding: event.canonicalBytes, as: UTF8.self)
                == #"{"v":1,"seq":7,"type":"moderation.blocked","time":1764000000000,"tenant":"app","action":"block","risks":["A1d","A4c"],"details":{"direction":"output","policy":"minors"}}"#
        )
    }

    /// The byte writer escapes exactly as the JSON serializer does.
    @Test(arguments: ["plain", "引号\"和\\反斜杠", "tab\tnew\nline\r", "\u{01}\u{1F}\u{7F}", "\u{2028}\u{2029}x", "😀中文"])
    func canonicalStringsMatchTheJSONSerializer(text: String) {
        let event = AuditEvent(sequence: 1, type: text, time: 2, tenant: text, details: [text: text])
        var object = JSONObject()
        object["v"] = .number("1")
        object["seq"] = .number("1")
        object["type"] = .string(text)
        object["time"] = .number("2")
        object["tenant"] = .string(text)
        object["details"] = .object([text: .string(text)])
        #expect(String(decoding: event.canonicalBytes, as: UTF8.self) == JSONValue.object(object).serialized)
    }

    @Test func eventsReadBackFromTheirCanonicalJSON() {
        for event in Self.events(12) {
            #expect(AuditEvent(canonicalJSON: String(decoding: event.canonicalBytes, as: UTF8.self)) == event)
        }
        #expect(AuditEvent(canonicalJSON: #"{"v":2,"seq":1,"type":"x","time":0}"#) == nil)
        #expect(AuditEvent(canonicalJSON: #"{"v":1,"seq":1,"type":"x","time":0,"action":"ban"}"#) == nil)
    }

    @Test func alteringAnEventIsFoundAtTheNextTreeHead() throws {
        var events = Self.events(40)
        let heads = try Self.heads(for: events, every: 10)
        events[24].action = .allow
        #expect(
            Self.verify(events, heads: heads) == [
                .rootMismatch(treeSize: 30, firstSuspect: 20), .rootMismatch(treeSize: 40, firstSuspect: 20),
            ]
        )
        // With leaf hashes stored beside the events, the event itself is named.
        let stored = Self.events(40).map(\.leafHash)
        #expect(Self.verify(events, heads: heads, storedLeaves: stored).first == .alteredEvent(sequence: 24))
    }

    @Test func deletingInsertingAndReorderingAreFound() throws {
        let genuine = Self.events(40)
        let heads = try Self.heads(for: genuine, every: 10)

        var deleted = genuine
        deleted.remove(at: 12)
        #expect(Self.verify(deleted, heads: heads).first == .sequenceBreak(expected: 12, found: 13))

        // Deleted and renumbered so that the sequence has no gap: the tree still disagrees.
        let renumbered = deleted.enumerated().map { index, event in
            var event = event
            event.sequence = UInt64(index)
            return event
        }
        #expect(Self.verify(renumbered, heads: heads).first == .rootMismatch(treeSize: 20, firstSuspect: 10))

        var inserted = genuine
        inserted.insert(AuditEvent(sequence: 31, type: "forged", time: 0), at: 31)
        #expect(Self.verify(inserted, heads: heads).first == .sequenceBreak(expected: 32, found: 31))

        var reordered = genuine
        reordered.swapAt(5, 6)
        #expect(Self.verify(reordered, heads: heads).first == .sequenceBreak(expected: 5, found: 6))
    }

    @Test func forgedTreeHeadsAndTruncationAreFound() throws {
        let events = Self.events(20)
        var heads = try Self.heads(for: events, every: 10)
        heads[1].signature[0] ^= 1
        #expect(Self.verify(events, heads: heads) == [.badSignature(treeSize: 20)])

        let truncated = Array(Self.events(20).prefix(15))
        #expect(
            Self.verify(truncated, heads: try Self.heads(for: Self.events(20), every: 10))
                == [.headBeyondLog(treeSize: 20, logSize: 15)]
        )

        let otherKey = SignedTreeHead.makeKeyPair()
        let foreign = try SignedTreeHead.sign(
            treeSize: 20,
            root: MerkleTree.root(of: events.map(\.leafHash)),
            time: 0,
            privateKey: otherKey.privateKey
        )
        #expect(Self.verify(events, heads: [foreign]) == [.badSignature(treeSize: 20)])
    }
}

/// Salted content digests (IM-11: ordinary content is kept only as this hash).
@Suite struct ContentDigestTests {
    @Test func isKeyedAndDistinctFromPseudonyms() {
        let key = UserPseudonym.makeKey()
        let digest = ContentDigest.hex(of: "你好", key: key)
        #expect(digest.count == 64)
        #expect(ContentDigest.hex(of: "你好", key: key) == digest)
        #expect(ContentDigest.hex(of: Array("你好".utf8), key: key) == digest)
        #expect(ContentDigest.hex(of: "你好", key: UserPseudonym.makeKey()) != digest)
        #expect(ContentDigest.hex(of: "你好!", key: key) != digest)
        // Not the plain SHA-256 a reader of the log could compute for a guess.
        #expect(digest != HexEncoding.encode(Array(SHA256.hash(data: Array("你好".utf8)))))
        // Domain-separated from a pseudonym under the same key.
        #expect(ContentDigest.hex(of: "a\u{0}b", key: key) != UserPseudonym.make(tenant: "a", user: "b", key: key))
    }
}
