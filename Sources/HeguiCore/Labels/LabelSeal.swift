import Crypto

/// The integrity value Hegui writes in `ReservedCode1` (PG-SEC: the producer's safety data), so that
/// a label it made can later be told from a forged one or one copied onto other content.
///
/// The value signs the label value, the producer, the production id and the SHA-256 of the file's
/// essence (the bytes that labelling never changes: image data, audio frames, media boxes; see
/// HeguiMedia). It reads `HG1.ED25519.<key id>.<signature hex>` or `HG1.HS256.<key id>.<hex>`, using
/// only characters of the App. E j allow-list. Ed25519 lets anyone holding the published public key
/// verify; HMAC-SHA256 only the holder of the secret. SM3withSM2 (PG-202511A) awaits a GM library.
package struct LabelSeal: Sendable {
    /// The key, kept as raw bytes (validated when the seal is made).
    private enum Key: Sendable {
        case ed25519(privateKey: [UInt8])
        case ed25519Public([UInt8])
        case hmacSHA256([UInt8])
    }

    /// The outcome of checking a record's seal.
    package enum Verdict: String, Sendable, Hashable {
        /// The seal verifies: Hegui made this label for exactly this content.
        case valid
        /// A seal of ours under this key that does not match: the content or the label was changed,
        /// or the label was copied from another file.
        case invalid
        /// `ReservedCode1` holds no seal of ours.
        case unsealed
        /// A seal of ours under another key than the one given.
        case unknownKey = "unknown_key"
        /// `ReservedCode1` starts like our seal but cannot be read.
        case malformed
    }

    private static let prefix = "HG1"
    private let key: Key

    /// A seal from raw key bytes: `ed25519` takes the private key, `ed25519-public` the public key,
    /// `hmac-sha256` a secret of 32 bytes or more.
    package init(method: String, key bytes: [UInt8]) throws(AIGCRecordError) {
        switch method {
        case "ed25519":
            guard (try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)) != nil else {
                throw AIGCRecordError("an Ed25519 private key has 32 bytes")
            }
            self.key = .ed25519(privateKey: bytes)
        case "ed25519-public":
            guard (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil else {
                throw AIGCRecordError("an Ed25519 public key has 32 bytes")
            }
            self.key = .ed25519Public(bytes)
        case "hmac-sha256":
            guard bytes.count >= 32 else { throw AIGCRecordError("an HMAC label key has 32 bytes or more") }
            self.key = .hmacSHA256(bytes)
        default:
            throw AIGCRecordError("unknown seal method '\(method)' (ed25519, ed25519-public, hmac-sha256)")
        }
    }

    private var algorithm: String {
        switch self.key {
        case .ed25519, .ed25519Public: "ED25519"
        case .hmacSHA256: "HS256"
        }
    }

    /// Eight hex digits naming the key: of the public key for Ed25519, of the secret's hash for HMAC.
    package var keyID: String {
        let material =
            self.publicKey
            ?? {
                if case .hmacSHA256(let secret) = self.key { return Array(SHA256.hash(data: secret)) }
                return []
            }()
        return String(HexEncoding.encode(Array(SHA256.hash(data: material)).prefix(4)))
    }

    /// The public key that verifies this seal, for Ed25519 keys.
    package var publicKey: [UInt8]? {
        switch self.key {
        case .ed25519(let bytes):
            (try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)).map { Array($0.publicKey.rawRepresentation) }
        case .ed25519Public(let bytes): bytes
        case .hmacSHA256: nil
        }
    }

    /// Whether this key can make seals (a public key only verifies).
    package var canSeal: Bool {
        if case .ed25519Public = self.key { return false }
        return true
    }

    private static func message(record: AIGCRecord, essenceDigest: [UInt8]) -> [UInt8] {
        Array("hegui-label-v1\n\(record.label)\n\(record.contentProducer)\n\(record.produceID)\n".utf8)
            + essenceDigest
    }

    /// The `ReservedCode1` value for `record` over content whose essence hashes to `essenceDigest`.
    /// - Throws: ``AIGCRecordError`` for a key that only verifies.
    package func seal(_ record: AIGCRecord, essenceDigest: [UInt8]) throws(AIGCRecordError) -> String {
        let message = Self.message(record: record, essenceDigest: essenceDigest)
        let code: [UInt8]
        switch self.key {
        case .ed25519(let bytes):
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes),
                let signature = try? key.signature(for: message)
            else {
                throw AIGCRecordError("the label could not be signed")
            }
            code = Array(signature)
        case .ed25519Public:
            throw AIGCRecordError("a public key verifies labels but cannot seal them")
        case .hmacSHA256(let secret):
            code = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        }
        return "\(Self.prefix).\(self.algorithm).\(self.keyID).\(HexEncoding.encode(code))"
    }

    /// Checks the seal in `record.reservedCode1` against content whose essence hashes to `essenceDigest`.
    package func verify(_ record: AIGCRecord, essenceDigest: [UInt8]) -> Verdict {
        let parts = record.reservedCode1.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.first == Substring(Self.prefix) else { return .unsealed }
        guard parts.count == 4, let code = HexEncoding.decode(String(parts[3])) else { return .malformed }
        guard parts[1] == Substring(self.algorithm), parts[2] == Substring(self.keyID) else { return .unknownKey }
        let message = Self.message(record: record, essenceDigest: essenceDigest)
        switch self.key {
        case .ed25519, .ed25519Public:
            guard let publicKey = self.publicKey,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
            else {
                return .malformed
            }
            return key.isValidSignature(code, for: message) ? .valid : .invalid
        case .hmacSHA256(let secret):
            let key = SymmetricKey(data: secret)
            return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key) ? .valid : .invalid
        }
    }
}
