/// Re-derives the audit log's Merkle tree from its events in one pass and checks it against the
/// signed tree heads: the core of `hegui audit verify` and of the offline verifier in an export.
///
/// Feed events in sequence order and tree heads in size order (interleaving is fine); ask for the
/// findings at the end. A finding names the first sequence number where the log stops matching
/// its history.
package struct AuditLogVerifier: Sendable {
    /// Something that does not hold.
    package enum Finding: Sendable, Hashable, CustomStringConvertible {
        /// An event is missing, duplicated or out of order: `expected` was due, `found` came.
        case sequenceBreak(expected: UInt64, found: UInt64)
        /// An event's stored leaf hash is not the hash of its contents (the event was altered).
        case alteredEvent(sequence: UInt64)
        /// The tree over the first `treeSize` events does not have the signed root: an event
        /// before that size was altered, removed, inserted or reordered.
        case rootMismatch(treeSize: UInt64, firstSuspect: UInt64)
        /// A tree head's signature is not the log key's.
        case badSignature(treeSize: UInt64)
        /// A tree head covers more events than the log holds.
        case headBeyondLog(treeSize: UInt64, logSize: UInt64)
        /// An event's metadata is gone but no recorded purge covers it (it was removed by hand).
        case unrecordedPurge(sequence: UInt64)

        package var description: String {
            switch self {
            case .sequenceBreak(let expected, let found):
                "sequence \(expected): 事件缺失或顺序错误 / event missing or out of order (found \(found))"
            case .alteredEvent(let sequence):
                "sequence \(sequence): 事件内容被改动 / event altered (its leaf hash does not match)"
            case .rootMismatch(let size, let suspect):
                "tree head of size \(size): 根哈希不符，首个可疑事件 \(suspect) / root mismatch; first suspect event \(suspect)"
            case .badSignature(let size):
                "tree head of size \(size): 签名无效 / signature invalid"
            case .headBeyondLog(let size, let logSize):
                "tree head of size \(size): 超出日志长度 \(logSize) / covers more events than the log holds (\(logSize))"
            case .unrecordedPurge(let sequence):
                "sequence \(sequence): 元数据被清除但无清除记录 / metadata removed without a recorded purge"
            }
        }
    }

    private let publicKey: [UInt8]
    private var accumulator = MerkleAccumulator()
    private var pendingHeads: [SignedTreeHead] = []
    /// The size of the last tree head that verified.
    package private(set) var verifiedSize: UInt64 = 0
    package private(set) var findings: [Finding] = []

    /// A verifier for the log signed by this raw 32-byte Ed25519 public key.
    package init(publicKey: [UInt8]) {
        self.publicKey = publicKey
    }

    /// The number of events fed.
    package var eventCount: UInt64 { UInt64(self.accumulator.size) }

    /// Feeds the next event, with the leaf hash stored beside it when the store keeps one.
    package mutating func feed(_ event: AuditEvent, storedLeafHash: MerkleHash? = nil) {
        self.feed(sequence: event.sequence, leaf: event.leafHash, storedLeafHash: storedLeafHash)
    }

    /// Feeds the next event as its sequence number and the leaf hash computed from its contents.
    package mutating func feed(sequence: UInt64, leaf: MerkleHash, storedLeafHash: MerkleHash?) {
        let expected = self.eventCount
        if sequence != expected {
            self.findings.append(.sequenceBreak(expected: expected, found: sequence))
        }
        if let storedLeafHash, storedLeafHash != leaf {
            self.findings.append(.alteredEvent(sequence: sequence))
        }
        self.accumulator.append(leaf)
        self.checkHeads()
    }

    /// Feeds a signed tree head (in size order).
    package mutating func feed(_ head: SignedTreeHead) {
        guard head.isSigned(byPublicKey: self.publicKey) else {
            self.findings.append(.badSignature(treeSize: head.treeSize))
            return
        }
        self.pendingHeads.append(head)
        self.checkHeads()
    }

    /// Ends the log: tree heads beyond it are findings.
    package mutating func finish() -> [Finding] {
        for head in self.pendingHeads {
            self.findings.append(.headBeyondLog(treeSize: head.treeSize, logSize: self.eventCount))
        }
        self.pendingHeads = []
        return self.findings
    }

    private mutating func checkHeads() {
        while let head = self.pendingHeads.first, head.treeSize <= self.eventCount {
            self.pendingHeads.removeFirst()
            guard head.treeSize == self.eventCount else {
                // Heads arrive in size order; one for a size already passed cannot be checked
                // with the accumulator: feed heads before the events beyond them.
                self.findings.append(.rootMismatch(treeSize: head.treeSize, firstSuspect: self.verifiedSize))
                continue
            }
            if head.treeSize == 0 ? head.root == MerkleTree.emptyRoot : head.root == self.accumulator.root {
                self.verifiedSize = head.treeSize
            } else {
                self.findings.append(.rootMismatch(treeSize: head.treeSize, firstSuspect: self.verifiedSize))
            }
        }
    }
}
