import Crypto

/// The salted hash that stands in an audit event for content the log does not keep (an ordinary
/// prompt or answer; DESIGN "Minimisation", IM-11): HMAC-SHA256 under the deployment's secret, so
/// that whoever reads the log cannot confirm a guessed short text by hashing it, while the holder
/// of the key can still show that a given text is the one an event names.
package enum ContentDigest {
    /// Separates these digests from the pseudonyms made with the same deployment key.
    private static let domain = Array("hegui-content-v1\n".utf8)

    /// The digest of `content` as 64 lower-case hex digits.
    /// - Parameter key: the deployment's secret key (32 bytes or more).
    package static func hex(of content: some Collection<UInt8>, key: [UInt8]) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: Self.domain)
        hmac.update(data: Array(content))
        return HexEncoding.encode(Array(hmac.finalize()))
    }

    /// The digest of a text's UTF-8 bytes.
    package static func hex(of content: String, key: [UInt8]) -> String {
        Self.hex(of: content.utf8, key: key)
    }
}
