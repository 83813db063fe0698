import HTTPTypes
import HeguiCore
package import Hummingbird
import Logging

/// Authenticates apps by `Authorization: Bearer <tenant key>`; anything else gets 401 in OpenAI's
/// error shape. Keys are looked up by their SHA-256, never compared or logged in the clear.
package struct TenantAuthMiddleware: RouterMiddleware {
    package typealias Context = GatewayRequestContext

    private let directory: TenantDirectory

    package init(directory: TenantDirectory) {
        self.directory = directory
    }

    package init(tenants: [GatewayConfiguration.Tenant]) {
        self.directory = TenantDirectory(configured: tenants, store: nil)
    }

    package func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @concurrent (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let authorization = request.headers[.authorization],
            let key = Self.bearerToken(authorization),
            let tenant = try await self.directory.tenant(keySHA256: APIKeyDigest.hex(of: key))
        else {
            throw APIError.invalidAPIKey()
        }
        context.tenant = tenant
        return try await next(request, context)
    }

    /// The token of a `Bearer` authorization value (scheme case-insensitive), if non-empty.
    static func bearerToken(_ value: String) -> String? {
        let bytes = value.utf8
        guard bytes.count > 7,
            bytes.prefix(6).map({ $0 | 0x20 }).elementsEqual("bearer".utf8),
            bytes.dropFirst(6).first == UInt8(ascii: " ")
        else { return nil }
        let token = bytes.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") })
        let trimmed = token.reversed().drop(while: { $0 == UInt8(ascii: " ") }).count
        guard trimmed > 0 else { return nil }
        return String(decoding: token.prefix(trimmed), as: UTF8.self)
    }
}
