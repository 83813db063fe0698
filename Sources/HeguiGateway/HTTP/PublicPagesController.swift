import HTTPTypes
import HeguiCore
package import HeguiStore
package import Hummingbird
import NIOCore

/// Public pages, no login (DESIGN "Public pages"): the service agreement at `/agreement` (IM-9),
/// in Chinese with English beside it. `?version=2.1` shows an earlier version; `?format=json` or
/// `?format=md` gives it to machines. Everything from the store is escaped, and the page allows no
/// script (`Content-Security-Policy`).
package struct PublicPagesController: Sendable {
    let store: SQLStore

    package init(store: SQLStore) {
        self.store = store
    }

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
        .init("X-Content-Type-Options")!: "nosniff",  // a valid token
        .init("Referrer-Policy")!: "no-referrer",  // a valid token
    ]

    package func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("agreement") { request, _ in
            let version = request.uri.queryParameters["version"].map(String.init)
            let agreement: AgreementRecord?
            if let version {
                agreement = try await self.store.agreement(version: version)
            } else {
                agreement = try await self.store.currentAgreement()
            }
            let format = request.uri.queryParameters["format"].map(String.init) ?? "html"
            guard let agreement else {
                var response = Response(
                    status: .notFound,
                    headers: Self.securityHeaders,
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: Self.page(
                                title: "服务协议 Service agreement",
                                body: "<p>尚未发布服务协议。<br>No service agreement has been published yet.</p>"
                            )
                        )
                    )
                )
                response.headers[.contentType] = "text/html; charset=utf-8"
                return response
            }
            switch format {
            case "json":
                return Response.json(UserAPIController.json(agreement).serialized)
            case "md":
                var headers = Self.securityHeaders
                headers[.contentType] = "text/markdown; charset=utf-8"
                return Response(
                    status: .ok,
                    headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: agreement.textZH + "\n\n---\n\n" + agreement.textEN))
                )
            default:
                let version = MarkdownPage.escape(agreement.version)
                let date = LocalTime.beijing.date(of: agreement.publishedAt)
                let body = """
                    <p class="meta">版本 Version \(version) · 发布 Published \(date)</p>
                    <section lang="zh-CN">\(MarkdownPage.render(agreement.textZH))</section>
                    <hr>
                    <section lang="en">\(MarkdownPage.render(agreement.textEN))</section>
                    """
                var headers = Self.securityHeaders
                headers[.contentType] = "text/html; charset=utf-8"
                return Response(
                    status: .ok,
                    headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: Self.page(title: "服务协议 Service agreement", body: body)))
                )
            }
        }
    }

    /// A whole page, readable on a phone.
    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(MarkdownPage.escape(title))</title>
        <style>
        body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.7;color:#222}
        h1{font-size:1.4rem}.meta{color:#666;font-size:.9rem}hr{margin:2rem 0;border:0;border-top:1px solid #ddd}
        </style>
        </head>
        <body>
        <h1>\(MarkdownPage.escape(title))</h1>
        \(body)
        </body>
        </html>
        """
    }
}
