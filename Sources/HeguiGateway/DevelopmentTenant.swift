import HeguiCore
package import HeguiStore

/// The tenant created on first start when the configuration names none, so the quick start needs
/// no editing. Its key is written once to `<data dir>/dev-tenant-key` (mode 0600) and kept there.
package enum DevelopmentTenant {
    /// The key file's name inside the data directory.
    package static let keyFileName = "dev-tenant-key"
    /// The development tenant's id.
    package static let id = "dev"

    /// Loads the development tenant, creating its key on first use.
    /// - Returns: the tenant, and the key when it was just created (to print once).
    package static func ensure(
        in directory: DataDirectory
    ) throws(DataDirectoryError)
        -> (tenant: GatewayConfiguration.Tenant, newKey: String?)
    {
        if let key = try directory.readText(Self.keyFileName), !key.isEmpty {
            return (Self.tenant(key: key), nil)
        }
        let key = Self.makeKey()
        try directory.createSecretFile(Self.keyFileName, contents: key + "\n")
        return (Self.tenant(key: key), key)
    }

    /// A new random key: `hg-dev-` and 48 hex digits (192 bits).
    package static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        var key = "hg-dev-"
        for _ in 0..<3 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            key += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return key
    }

    private static func tenant(key: String) -> GatewayConfiguration.Tenant {
        GatewayConfiguration.Tenant(id: Self.id, name: "Development tenant 开发租户", keySHA256: APIKeyDigest.hex(of: key))
    }
}
