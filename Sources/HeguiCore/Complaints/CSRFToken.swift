import Crypto

/// Stateless CSRF tokens for the public forms: a signed double-submit. The page sets a random
/// nonce in a `SameSite=Strict` cookie and puts `time.nonce.mac` in the form, where the MAC is an
/// HMAC-SHA256 over both under the deployment's key; a submission is accepted only when the form's
/// token is genuine, fresh and names the cookie's nonce. Another site can neither read the cookie
/// nor forge the MAC.
package struct CSRFToken: Sendable {
    let keyBytes: [UInt8]
    /// How long a form stays valid.
    package var lifetimeMilliseconds: Int64 = 2 * 3_600_000

    package init(key: [UInt8]) {
        self.keyBytes = Array(SHA256.hash(data: Array("hegui-csrf".utf8) + key))
    }

    /// A new nonce for the cookie (128 bits, hex).
    package static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return HexEncoding.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The form token for a nonce at `time`.
    package func token(nonce: String, at time: Int64) -> String {
        "\(time).\(nonce).\(self.mac(time: time, nonce: nonce))"
    }

    /// Whether a form token is genuine, fresh at `time` and made for the cookie's nonce.
    package func isValid(_ token: String, cookieNonce: String?, at time: Int64) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let issued = Int64(parts[0]), let cookieNonce, !cookieNonce.isEmpty,
            String(parts[1]) == cookieNonce, time >= issued - 60_000, time - issued <= self.lifetimeMilliseconds
        else { return false }
        let expected = Array(self.mac(time: issued, nonce: cookieNonce).utf8)
        let presented = Array(parts[2].utf8)
        guard expected.count == presented.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ presented[index] }
        return difference == 0
    }

    private func mac(time: Int64, nonce: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("\(time)|\(nonce)".utf8),
            using: SymmetricKey(data: self.keyBytes)
        )
        return HexEncoding.encode(Array(code))
    }
}
