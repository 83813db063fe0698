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

extension Request {
    /// A request body that must be one JSON object (the admin and user APIs, `/v1/moderations`).
    /// - Throws: ``APIError`` `invalid_json`, or `invalid_parameter` for another JSON value;
    ///   `NIOTooManyBytesError` beyond `limit` (413).
    static func jsonObject(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> JSONObject {
        let body = try await request.body.collect(upTo: limit)
        if allowEmpty, body.readableBytes == 0 { return JSONObject() }
        let json: JSONValue
        do {
            json = try body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
        } catch {
            throw APIError.invalidJSON(error)
        }
        guard case .object(let object) = json else {
            throw APIError.invalidParameter(
                "body",
                expectedZH: "JSON 对象",
                expected: "a JSON object",
                got: json.typeName
            )
        }
        return object
    }
}
