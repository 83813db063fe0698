import HTTPTypes
import HeguiCore
import HeguiStore
package import Hummingbird
import Logging
import NIOCore

/// Turns every error thrown by a route into OpenAI's error shape with a bilingual message, so apps
/// see one format whatever failed. Unknown errors become a bare 500 whose detail stays in the log
/// (by type, never by content).
package struct ErrorMiddleware: RouterMiddleware {
    package typealias Context = GatewayRequestContext

    /// The body limit, quoted in 413 messages.
    let maximumBodyBytes: Int

    package init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    package func handle(
        _ request: Request,
        context: GatewayRequestContext,
        next: @concurrent (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = self.apiError(for: error)
            if apiError.status >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: [
                        "error.code": .string(apiError.code.rawValue),
                        "error.type": .string(String(describing: type(of: error))),
                    ]
                )
            } else {
                context.logger.debug("request rejected", metadata: ["error.code": .string(apiError.code.rawValue)])
            }
            return Response.apiError(apiError)
        }
    }

    func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is NIOTooManyBytesError:
            return .requestTooLarge(limit: self.maximumBodyBytes)
        case let error as StoreError:
            return Self.apiError(for: error)
        case let error as UpstreamError:
            return error.code == .timeout ? .upstreamTimeout() : .upstreamUnavailable()
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound()
            case .methodNotAllowed: return .methodNotAllowed()
            case .contentTooLarge: return .requestTooLarge(limit: self.maximumBodyBytes)
            default:
                return APIError(
                    status: error.status.code,
                    type: error.status.code >= 500 ? "api_error" : "invalid_request_error",
                    code: .init(rawValue: "http_\(error.status.code)"),
                    zh: "请求无法处理（HTTP \(error.status.code)）",
                    en: "The request could not be handled (HTTP \(error.status.code))"
                )
            }
        default:
            return .internalError()
        }
    }

    /// A store error as the admin API reports it: its message holds no SQL and no content.
    static func apiError(for error: StoreError) -> APIError {
        switch error.code {
        case .notFound:
            APIError(
                status: 404,
                type: "invalid_request_error",
                code: .notFound,
                zh: "未找到：\(error.message)",
                en: "Not found: \(error.message)"
            )
        case .invalid:
            APIError(
                status: 400,
                type: "invalid_request_error",
                code: .invalidParameter,
                zh: "请求无效：\(error.message)",
                en: "Invalid request: \(error.message)"
            )
        case .conflict:
            APIError(
                status: 409,
                type: "invalid_request_error",
                code: .conflict,
                zh: "冲突：\(error.message)",
                en: "Conflict: \(error.message)"
            )
        case .corrupt:
            APIError(
                status: 500,
                type: "api_error",
                code: .storeCorrupt,
                zh: "存储数据异常：\(error.message)",
                en: "Stored data is inconsistent: \(error.message)"
            )
        default:
            APIError(
                status: 503,
                type: "api_error",
                code: .storeUnavailable,
                zh: "存储暂不可用，请稍后重试",
                en: "The store is unavailable; try again later"
            )
        }
    }
}
