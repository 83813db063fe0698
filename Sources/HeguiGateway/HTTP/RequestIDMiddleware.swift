package import HTTPTypes
import HeguiCore
package import Hummingbird
import Logging

/// Gives each request an id, puts it on every log line of the request and on the response as
/// `X-Request-Id`. The id is always the gateway's own, so it can key audit records; a valid id sent
/// by the app is logged beside it for correlation.
package struct RequestIDMiddleware: RouterMiddleware {
    package typealias Context = GatewayRequestContext

    package init() {}

    package func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @concurrent (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = RequestIdentifier.make()
        context.requestID = id
        // One metadata write per request: each write makes some log handlers re-render all metadata.
        if let incoming = request.headers[.requestID], RequestIdentifier.isAcceptable(incoming) {
            context.logger[metadataKey: "gateway.request.id"] = .string("\(id) client=\(incoming)")
        } else {
            context.logger[metadataKey: "gateway.request.id"] = .string(id)
        }
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            return response
        } catch {
            // Errors are rendered by ErrorMiddleware further in; this is a last resort.
            var response = Response.apiError(.internalError())
            response.headers[.requestID] = id
            return response
        }
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`.
    package static let requestID = HTTPField.Name("X-Request-Id")!  // a valid token, checked by the initialiser
    /// `X-Hegui-User`: the end user's id when the body has no `user` field.
    package static let heguiUser = HTTPField.Name("X-Hegui-User")!  // a valid token
    /// `X-Hegui-Minors-Mode`: the user's minors' band (IM-10.3).
    /// The AIGC record of a generated answer (IM-12, LBL-5): the implicit label in the response head.
    package static let aigc = HTTPField.Name("X-AIGC")!  // a valid token, checked by the initialiser
    package static let heguiMinorsMode = HTTPField.Name("X-Hegui-Minors-Mode")!  // a valid token
    /// `X-Hegui-Time-Remaining`: seconds of use left today in minors' mode.
    package static let heguiTimeRemaining = HTTPField.Name("X-Hegui-Time-Remaining")!  // a valid token
    /// `X-Hegui-Reminder: break`: time for a break (minors' mode).
    package static let heguiReminder = HTTPField.Name("X-Hegui-Reminder")!  // a valid token
    /// `X-Hegui-Warning: violation`: the user is under a warning (IM-14.4).
    package static let heguiWarning = HTTPField.Name("X-Hegui-Warning")!  // a valid token
}

/// Request ids: `req_` and 32 lower-case hex digits from the system's random source.
package enum RequestIdentifier {
    package static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return "req_" + hex(high) + hex(low)
    }

    /// Whether an app-supplied id is safe to log: 1–128 characters of `[A-Za-z0-9._:-]`.
    package static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: ":"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    private static func hex(_ value: UInt64) -> String {
        HexEncoding.encode(withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }
}
