import Crypto

/// A SHA-256 node of the audit log's Merkle tree, held inline (no allocation): verifying a log
/// hashes two nodes per event.
package struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ digest: SHA256.Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            digest.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        self.words = words
    }

    /// A hash from 32 bytes; `nil` for any other length.
    package init?(bytes: [UInt8]) {
        guard bytes.count == SHA256.byteCount else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            bytes.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        self.words = words
    }

    /// A hash from 64 hexadecimal digits; `nil` otherwise.
    package init?(hex: String) {
        var hex = hex
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        // `audit verify` decodes one stored hash per event: read the digits in place.
        let valid = hex.withUTF8 { digits -> Bool in
            guard digits.count == 64 else { return false }
            return withUnsafeMutableBytes(of: &words) { target -> Bool in
                var invalid: UInt8 = 0
                for index in 0..<32 {
                    let high = HexEncoding.digitValues[Int(digits[2 * index])]
                    let low = HexEncoding.digitValues[Int(digits[2 * index + 1])]
                    invalid |= (high | low) & 0x10
                    target[index] = high << 4 | (low & 0x0F)
                }
                return invalid == 0
            }
        }
        guard valid else { return nil }
        self.words = words
    }

    /// The 32 bytes.
    package var bytes: [UInt8] {
        withUnsafeBytes(of: self.words) { Array($0) }
    }

    /// Lower-case hexadecimal.
    package var hex: String { withUnsafeBytes(of: self.words) { HexEncoding.encode($0) } }

    package var description: String { self.hex }

    package static func == (lhs: MerkleHash, rhs: MerkleHash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(self.words.0)
        hasher.combine(self.words.1)
        hasher.combine(self.words.2)
        hasher.combine(self.words.3)
    }

    /// Calls `body` with the 32 bytes, without copying them.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeBytes(of: self.words, body)
    }
}

/// The Merkle tree of RFC 6962 §2.1 / RFC 9162 §2.1 over the audit log's events: the hashing,
/// inclusion proofs (an event is in the log) and consistency proofs (a later log extends an
/// earlier one without rewriting it), and their verification.
///
/// Leaves are hashed as `SHA-256(0x00 ‖ data)` and interior nodes as `SHA-256(0x01 ‖ left ‖
/// right)`, so a leaf can never pass for a node. The tree over `n` leaves splits at the largest
/// power of two below `n`.
package enum MerkleTree {
    /// The root of the empty tree: SHA-256 of nothing.
    package static let emptyRoot = MerkleHash(SHA256.hash(data: [UInt8]()))

    /// The hash of a leaf's data.
    package static func leafHash(_ data: [UInt8]) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: data)
        return MerkleHash(hasher.finalize())
    }

    /// The hash of an interior node.
    package static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        left.withBytes { hasher.update(bufferPointer: $0) }
        right.withBytes { hasher.update(bufferPointer: $0) }
        return MerkleHash(hasher.finalize())
    }

    /// The root of the tree over these leaf hashes.
    package static func root(of leaves: some Collection<MerkleHash>) -> MerkleHash {
        var accumulator = MerkleAccumulator()
        for leaf in leaves {
            accumulator.append(leaf)
        }
        return accumulator.root
    }

    /// The inclusion proof (audit path) of leaf `index` in the tree over `leaves`.
    /// - Precondition: `index < leaves.count`.
    package static func inclusionProof(index: Int, leaves: ArraySlice<MerkleHash>) -> [MerkleHash] {
        precondition(index >= 0 && index < leaves.count, "leaf index outside the tree")
        guard leaves.count > 1 else { return [] }
        let split = Self.largestPowerOfTwo(below: leaves.count)
        let start = leaves.startIndex
        if index < split {
            return Self.inclusionProof(index: index, leaves: leaves[start..<(start + split)])
                + [Self.root(of: leaves[(start + split)...])]
        }
        return Self.inclusionProof(index: index - split, leaves: leaves[(start + split)...])
            + [Self.root(of: leaves[start..<(start + split)])]
    }

    /// The consistency proof between the tree of the first `oldSize` leaves and the tree over
    /// all `leaves`.
    /// - Precondition: `0 < oldSize <= leaves.count`.
    package static func consistencyProof(oldSize: Int, leaves: ArraySlice<MerkleHash>) -> [MerkleHash] {
        precondition(oldSize > 0 && oldSize <= leaves.count, "old size outside the tree")
        return Self.subproof(oldSize, leaves, isComplete: true)
    }

    private static func subproof(_ size: Int, _ leaves: ArraySlice<MerkleHash>, isComplete: Bool) -> [MerkleHash] {
        if size == leaves.count {
            return isComplete ? [] : [Self.root(of: leaves)]
        }
        let split = Self.largestPowerOfTwo(below: leaves.count)
        let start = leaves.startIndex
        if size <= split {
            return Self.subproof(size, leaves[start..<(start + split)], isComplete: isComplete)
                + [Self.root(of: leaves[(start + split)...])]
        }
        return Self.subproof(size - split, leaves[(start + split)...], isComplete: false)
            + [Self.root(of: leaves[start..<(start + split)])]
    }

    /// Checks an inclusion proof (RFC 9162 §2.1.3.2). The tree size and root must come from a
    /// signed tree head: a proof shows membership in the tree of that size, and the paths of
    /// some neighbouring sizes have the same shape.
    package static func verifyInclusion(
        leaf: MerkleHash,
        index: Int,
        treeSize: Int,
        proof: [MerkleHash],
        root: MerkleHash
    ) -> Bool {
        guard index >= 0, index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var hash = leaf
        for sibling in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                hash = Self.nodeHash(sibling, hash)
                if fn & 1 == 0 {
                    repeat {
                        fn >>= 1
                        sn >>= 1
                    } while fn & 1 == 0 && fn != 0
                }
            } else {
                hash = Self.nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && hash == root
    }

    /// Checks a consistency proof (RFC 9162 §2.1.4.2); the sizes and roots come from two signed
    /// tree heads.
    package static func verifyConsistency(
        oldSize: Int,
        newSize: Int,
        oldRoot: MerkleHash,
        newRoot: MerkleHash,
        proof: [MerkleHash]
    ) -> Bool {
        guard oldSize > 0, oldSize <= newSize else { return false }
        if oldSize == newSize {
            return proof.isEmpty && oldRoot == newRoot
        }
        var path = proof
        if oldSize & (oldSize - 1) == 0 {
            path.insert(oldRoot, at: 0)
        }
        guard let first = path.first else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var oldHash = first
        var newHash = first
        for sibling in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                oldHash = Self.nodeHash(sibling, oldHash)
                newHash = Self.nodeHash(sibling, newHash)
                if fn & 1 == 0 {
                    repeat {
                        fn >>= 1
                        sn >>= 1
                    } while fn & 1 == 0 && fn != 0
                }
            } else {
                newHash = Self.nodeHash(newHash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return oldHash == oldRoot && newHash == newRoot && sn == 0
    }

    static func largestPowerOfTwo(below count: Int) -> Int {
        var split = 1
        while split << 1 < count { split <<= 1 }
        return split
    }
}

/// Builds the root of a growing log one leaf at a time, keeping only the roots of its complete
/// subtrees (at most one per bit of the size): what `hegui audit verify` needs to re-derive every
/// signed tree head in one pass over the log.
package struct MerkleAccumulator: Sendable {
    /// Roots of the complete subtrees, largest (leftmost) first.
    private var peaks: [MerkleHash] = []
    /// The number of leaves appended.
    package private(set) var size = 0

    package init() {}

    /// Resumes an accumulator from the frontier of one over `size` leaves; `nil` when the two do
    /// not fit (a tree of `size` leaves has a complete subtree per set bit of `size`).
    package init?(size: Int, frontier: [MerkleHash]) {
        guard size >= 0, frontier.count == size.nonzeroBitCount else { return nil }
        self.peaks = frontier
        self.size = size
    }

    /// The roots of the complete subtrees, largest first: with ``size``, all an accumulator
    /// holds, so a signer can go on from a stored tree head instead of re-reading the log.
    package var frontier: [MerkleHash] { self.peaks }

    /// Appends a leaf hash.
    package mutating func append(_ leaf: MerkleHash) {
        var hash = leaf
        var size = self.size
        // Merge equal-sized subtrees, as the bits of the size carry.
        while size & 1 == 1 {
            // A set bit means a peak of that size exists.
            hash = MerkleTree.nodeHash(self.peaks.removeLast(), hash)
            size >>= 1
        }
        self.peaks.append(hash)
        self.size += 1
    }

    /// The root of the tree over the leaves so far.
    package var root: MerkleHash {
        guard var hash = self.peaks.last else { return MerkleTree.emptyRoot }
        for peak in self.peaks.dropLast().reversed() {
            hash = MerkleTree.nodeHash(peak, hash)
        }
        return hash
    }
}
