package import HTTPTypes
package import HeguiCore
package import Hummingbird
import NIOCore

extension Response {
    /// A JSON response carrying `error` in OpenAI's error shape.
    package static func apiError(_ error: APIError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(max(1, seconds)) }
        return Response(
            status: HTTPResponse.Status(code: error.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: error.json.serialized))
        )
    }

    /// A JSON response with the given body text.
    package static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
