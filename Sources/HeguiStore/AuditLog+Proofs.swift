package import HeguiCore

/// An event with the proof that it is in the tree of a signed tree head (RFC 6962 §2.1.1).
package struct AuditInclusionProof: Sendable {
    package var event: AuditEvent
    package var treeHead: SignedTreeHead
    package var path: [MerkleHash]
    package var publicKey: [UInt8]

    /// The proof as auditors read it: the event's canonical JSON (the exact bytes of its leaf),
    /// the leaf hash, the signed tree head, the audit path and the public key.
    package var json: JSONValue {
        .object([
            "sequence": .number(String(self.event.sequence)),
            "event": .string(String(decoding: self.event.canonicalBytes, as: UTF8.self)),
            "leaf_hash": .string(self.event.leafHash.hex),
            "tree_head": self.treeHead.json,
            "inclusion_proof": .array(self.path.map { .string($0.hex) }),
            "public_key": .string(HexEncoding.encode(self.publicKey)),
        ])
    }
}

/// The proof that a larger signed tree head extends a smaller one without rewriting it
/// (RFC 6962 §2.1.2).
package struct AuditConsistencyProof: Sendable {
    package var oldTreeHead: SignedTreeHead
    package var newTreeHead: SignedTreeHead
    package var path: [MerkleHash]
    package var publicKey: [UInt8]

    package var json: JSONValue {
        .object([
            "old_tree_head": self.oldTreeHead.json,
            "new_tree_head": self.newTreeHead.json,
            "consistency_proof": .array(self.path.map { .string($0.hex) }),
            "public_key": .string(HexEncoding.encode(self.publicKey)),
        ])
    }
}

extension SignedTreeHead {
    /// The head as JSON: `tree_size`, `root` (hex), `time` (ms since 1970), `signature` (hex).
    package var json: JSONValue {
        .object([
            "tree_size": .number(String(self.treeSize)),
            "root": .string(self.root.hex),
            "time": .number(String(self.time)),
            "signature": .string(HexEncoding.encode(self.signature)),
        ])
    }
}

extension AuditLog {
    /// The signed tree head of `treeSize`, or the latest one when `nil`.
    /// - Throws: ``StoreError`` (`notFound`) when there is no such head.
    package func treeHead(size treeSize: UInt64?) async throws -> SignedTreeHead {
        let heads = try await self.treeHeads()
        let found = treeSize.map { size in heads.first { $0.treeSize == size } } ?? heads.last
        guard let found else {
            throw StoreError(.notFound, "no signed tree head of size \(treeSize.map(String.init) ?? "any")")
        }
        return found
    }

    /// Proves that event `sequence` is in the tree of the signed tree head of `treeSize` (the
    /// latest when `nil`). The proof is checked against the head's root before it is returned.
    /// - Throws: ``StoreError``: `notFound` for an unknown head or event, `invalid` when the head
    ///   does not cover the event, `corrupt` when the stored log no longer matches the head.
    package func provenInclusion(sequence: UInt64, treeSize: UInt64?) async throws -> AuditInclusionProof {
        let head = try await self.treeHead(size: treeSize)
        guard sequence < head.treeSize else {
            throw StoreError(.invalid, "event \(sequence) is not in the tree of size \(head.treeSize)")
        }
        guard let (event, _) = try await self.event(sequence: sequence) else {
            throw StoreError(.notFound, "no audit event \(sequence)")
        }
        let path = try await self.inclusionProof(sequence: sequence, treeSize: head.treeSize)
        guard
            MerkleTree.verifyInclusion(
                leaf: event.leafHash,
                index: Int(sequence),
                treeSize: Int(head.treeSize),
                proof: path,
                root: head.root
            )
        else {
            throw StoreError(.corrupt, "the inclusion proof does not verify; run hegui audit verify")
        }
        return AuditInclusionProof(event: event, treeHead: head, path: path, publicKey: self.publicKey)
    }

    /// Proves that the signed tree head of `newSize` extends the one of `oldSize`. Checked against
    /// both roots before it is returned.
    /// - Throws: ``StoreError``: `notFound` for a size no head was signed at, `invalid` when the
    ///   sizes are out of order, `corrupt` when the stored log no longer matches the heads.
    package func provenConsistency(from oldSize: UInt64, to newSize: UInt64) async throws -> AuditConsistencyProof {
        guard oldSize > 0, oldSize <= newSize else {
            throw StoreError(.invalid, "no consistency proof from size \(oldSize) to \(newSize)")
        }
        let old = try await self.treeHead(size: oldSize)
        let new = try await self.treeHead(size: newSize)
        let path = try await self.consistencyProof(from: oldSize, to: newSize)
        guard
            MerkleTree.verifyConsistency(
                oldSize: Int(oldSize),
                newSize: Int(newSize),
                oldRoot: old.root,
                newRoot: new.root,
                proof: path
            )
        else {
            throw StoreError(.corrupt, "the consistency proof does not verify; run hegui audit verify")
        }
        return AuditConsistencyProof(oldTreeHead: old, newTreeHead: new, path: path, publicKey: self.publicKey)
    }
}
