import Foundation
import HTTPTypes
import HeguiCore
package import Hummingbird
import Logging

/// Authenticates apps by `Authorization: Bearer <tenant key>`; anything else gets 401 in OpenAI's
/// error shape. Keys are looked up by their SHA-256, never compared or logged in the clear.
package struct TenantAuthMiddleware: RouterMiddleware {
    package typealias Context = GatewayRequestContext

    private let tenantsByDigest: [String: GatewayConfiguration.Tenant]

    package init(tenants: [GatewayConfiguration.Tenant]) {
        self.tenantsByDigest = Dictionary(tenants.map { ($0.keySHA256, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @concurrent (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let authorization = request.headers[.authorization],
            let key = Self.bearerToken(authorization),
            let tenant = self.tenantsByDigest[APIKeyDigest.hex(of: key)]
        else {
            throw APIError.invalidAPIKey()
        }
        var context = context
        context.tenant = tenant
        context.logger[metadataKey: "gateway.tenant"] = .string(tenant.id)
        return try await next(request, context)
    }

    /// The token of a `Bearer` authorization value (scheme case-insensitive), if non-empty.
    static func bearerToken(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : String(token)
    }
}
