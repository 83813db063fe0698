import Hummingbird

/// The OpenAPI 3.1 document of Hegui's own HTTP API, served at `GET /openapi.yaml`.
///
/// A test holds it to the router (every route documented, nothing documented that is not served);
/// schemathesis checks live answers against it in CI.
enum OpenAPIDocument {
    static func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: Self.yaml))
            )
        }
    }
}
