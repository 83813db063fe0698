/// The pseudonymous id by which an app names its end user (the `user` field or `X-Hegui-User`).
package enum EndUserID {
    /// The longest id accepted, in Unicode scalars.
    package static let maximumLength = 256

    /// Picks the end-user id of a request and checks it.
    ///
    /// The body's `user` field wins over the header when both are given: it is what the upstream
    /// sees too.
    /// - Returns: the id, or `nil` when the request names none.
    /// - Throws: ``APIError`` when the id is empty, too long or holds control characters.
    package static func resolve(bodyUser: String?, header: String?) throws(APIError) -> String? {
        if let bodyUser {
            return try self.validate(bodyUser, param: "user")
        }
        if let header {
            return try self.validate(header, param: "X-Hegui-User")
        }
        return nil
    }

    private static func validate(_ id: String, param: String) throws(APIError) -> String {
        guard !id.isEmpty else {
            throw .invalidUser(param: param, reason: "不能为空 / must not be empty")
        }
        guard id.unicodeScalars.count <= self.maximumLength else {
            throw .invalidUser(
                param: param,
                reason: "长度超过 \(self.maximumLength) / longer than \(self.maximumLength) characters"
            )
        }
        guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidUser(param: param, reason: "含有控制字符 / contains control characters")
        }
        return id
    }
}
