import Foundation
import HeguiCore
package import HeguiStore
import NIOConcurrencyHelpers

/// Where the gateway finds the tenant behind an API key: the tenants of the configuration, then
/// the tenants and keys managed through the admin API and CLI (stored by SHA-256). A replica keeps
/// what it looked up for a short time; a change made through it applies at once, and through
/// another replica within `users.state_cache_ms`.
package final class TenantDirectory: Sendable {
    private let configured: [String: GatewayConfiguration.Tenant]
    /// The configured tenants, in configuration order.
    package let configuredTenants: [GatewayConfiguration.Tenant]
    private let store: SQLStore?
    private let lifetime: Int64
    private let cache = NIOLockedValueBox<[String: (tenant: GatewayConfiguration.Tenant?, expires: Int64)]>([:])

    package init(configured: [GatewayConfiguration.Tenant], store: SQLStore?, cacheMilliseconds: Int = 1_000) {
        self.configured = Dictionary(configured.map { ($0.keySHA256, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuredTenants = configured
        self.store = store
        self.lifetime = Int64(cacheMilliseconds)
    }

    /// The tenant whose key has this SHA-256, if the key is valid (not revoked, tenant enabled).
    /// - Throws: ``StoreError`` when the store cannot be read (the request is refused).
    package func tenant(keySHA256 digest: String) async throws -> GatewayConfiguration.Tenant? {
        if let tenant = self.configured[digest] { return tenant }
        guard let store = self.store else { return nil }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let cached = self.cache.withLockedValue({ $0[digest] }), cached.expires > now { return cached.tenant }
        var found: GatewayConfiguration.Tenant?
        if let key = try await store.apiKey(sha256: digest), key.revokedAt == nil,
            let record = try await store.tenant(id: key.tenant), record.disabledAt == nil
        {
            found = Self.tenant(record, keySHA256: digest)
        }
        self.cache.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll(keepingCapacity: true) }
            cache[digest] = (found, now + self.lifetime)
        }
        return found
    }

    /// A stored tenant as the request path sees it.
    static func tenant(_ record: TenantRecord, keySHA256: String) -> GatewayConfiguration.Tenant {
        var tenant = GatewayConfiguration.Tenant(
            id: record.id,
            name: record.name,
            keySHA256: keySHA256,
            policy: record.policySet,
            requestsPerMinute: record.requestsPerMinute,
            tokensPerDay: record.tokensPerDay
        )
        if record.labelPlacement != nil || record.labelText != nil {
            tenant.chatLabels = ChatLabelPolicy(
                placement: record.labelPlacement.flatMap(ChatLabelPolicy.Placement.init(rawValue:)) ?? .start,
                text: record.labelText ?? ChatLabelPolicy.defaultText
            )
        }
        return tenant
    }

    /// Whether a tenant id belongs to the configuration (such tenants are changed in hegui.yaml).
    package func isConfigured(_ id: String) -> Bool {
        self.configuredTenants.contains { $0.id == id }
    }

    /// Forgets every lookup (a key was revoked or a tenant changed through this replica).
    package func invalidate() {
        self.cache.withLockedValue { $0.removeAll() }
    }
}
