import Crypto

/// End-user ids as keyed hashes (IM-11): the audit log and statistics name a user by
/// HMAC-SHA256(deployment key, tenant ‖ 0x00 ‖ user id), never by the id the app sent. Without the
/// key the pseudonym cannot be linked back; with the key but without the mapping table (which a
/// deletion request clears), it can only be checked against an id one already has.
package enum UserPseudonym {
    /// The pseudonym of a tenant's end user, as 64 lower-case hex digits.
    /// - Parameter key: the deployment's secret key (32 bytes or more).
    package static func make(tenant: String, user: String, key: [UInt8]) -> String {
        var message = Array(tenant.utf8)
        message.append(0)
        message.append(contentsOf: user.utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return HexEncoding.encode(Array(code))
    }

    /// A new random deployment key.
    package static func makeKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }
}
