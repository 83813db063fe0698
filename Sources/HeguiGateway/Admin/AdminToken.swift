import HeguiCore
package import HeguiStore

/// The bearer token of the admin API (`/admin/…`). Operators supply one through
/// `HEGUI_ADMIN_TOKEN`, `HEGUI_ADMIN_TOKEN_FILE` or `admin.token_file`; otherwise one is created on
/// first start in `<data dir>/admin-token` (mode 0600), printed once, and kept there.
package enum AdminToken {
    /// The token file's name inside the data directory.
    package static let fileName = "admin-token"

    /// The SHA-256 of the configured token, or of the one kept in the data directory (created on
    /// first use).
    /// - Returns: the digest, and the token when it was just created (to print once).
    package static func ensure(
        configured: String?,
        in directory: DataDirectory
    ) throws(DataDirectoryError) -> (digest: String, newToken: String?) {
        if let configured { return (APIKeyDigest.hex(of: configured), nil) }
        if let token = try directory.readText(Self.fileName), !token.isEmpty {
            return (APIKeyDigest.hex(of: token), nil)
        }
        let token = Self.makeToken()
        try directory.createSecretFile(Self.fileName, contents: token + "\n")
        return (APIKeyDigest.hex(of: token), token)
    }

    /// A new random token: `hg-admin-` and 64 hex digits (256 bits).
    package static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var token = "hg-admin-"
        for _ in 0..<4 {
            let hex = String(generator.next() as UInt64, radix: 16)
            token += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return token
    }
}
