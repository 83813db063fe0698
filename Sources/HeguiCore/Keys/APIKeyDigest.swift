import Crypto

/// The digest under which API keys are stored and looked up: lower-case hex SHA-256.
///
/// Keys are never kept in the clear. Looking a presented key up by its digest, rather than comparing
/// keys byte by byte, leaks nothing useful through timing: an attacker cannot steer the digest.
package enum APIKeyDigest {
    /// The hex SHA-256 of `key`'s UTF-8 bytes.
    package static func hex(of key: String) -> String {
        HexEncoding.encode(SHA256.hash(data: Array(key.utf8)))
    }

    /// Whether `text` has the form of a digest made by ``hex(of:)``.
    package static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
