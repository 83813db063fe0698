import Crypto

/// A signed statement of the audit log's size and root at a moment: what an auditor keeps to
/// hold the log to its history. Signed with Ed25519 over
/// `"hegui-sth-v1\n<size>\n<root hex>\n<time ms>"`.
package struct SignedTreeHead: Sendable, Hashable {
    /// The number of events covered.
    package var treeSize: UInt64
    /// The Merkle root over them.
    package var root: MerkleHash
    /// When it was signed, in milliseconds since 1970-01-01 UTC.
    package var time: Int64
    /// The Ed25519 signature (64 bytes).
    package var signature: [UInt8]

    package init(treeSize: UInt64, root: MerkleHash, time: Int64, signature: [UInt8]) {
        self.treeSize = treeSize
        self.root = root
        self.time = time
        self.signature = signature
    }

    /// Signs a tree head with the raw 32-byte Ed25519 private key.
    /// - Throws: when the key is not 32 bytes.
    package static func sign(
        treeSize: UInt64,
        root: MerkleHash,
        time: Int64,
        privateKey: [UInt8]
    ) throws -> SignedTreeHead {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        let message = Self.message(treeSize: treeSize, root: root, time: time)
        let signature = try key.signature(for: message)
        return SignedTreeHead(treeSize: treeSize, root: root, time: time, signature: Array(signature))
    }

    /// Whether the signature is that of the raw 32-byte Ed25519 public key over this head.
    package func isSigned(byPublicKey publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(
            self.signature,
            for: Self.message(treeSize: self.treeSize, root: self.root, time: self.time)
        )
    }

    /// A new Ed25519 key pair as raw bytes (private, public).
    package static func makeKeyPair() -> (privateKey: [UInt8], publicKey: [UInt8]) {
        let key = Curve25519.Signing.PrivateKey()
        return (Array(key.rawRepresentation), Array(key.publicKey.rawRepresentation))
    }

    /// The raw public key of a raw private key; `nil` when it is not 32 bytes.
    package static func publicKey(of privateKey: [UInt8]) -> [UInt8]? {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) else { return nil }
        return Array(key.publicKey.rawRepresentation)
    }

    static func message(treeSize: UInt64, root: MerkleHash, time: Int64) -> [UInt8] {
        Array("hegui-sth-v1\n\(treeSize)\n\(root.hex)\n\(time)".utf8)
    }
}
