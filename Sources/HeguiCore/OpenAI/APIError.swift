/// An error returned to an app in OpenAI's error shape, with a stable code and a message in Chinese
/// and English.
///
/// The body is `{"error":{"message","type","code","param","message_zh","message_en"}}`; OpenAI
/// clients read the first four, apps that show the message to end users can pick their language.
package struct APIError: Error, Sendable, Hashable {
    /// A stable machine-readable error code. Extensible: new codes are added as static members.
    package struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        package var description: String { self.rawValue }

        package static let invalidAPIKey = Code(rawValue: "invalid_api_key")
        package static let userRequired = Code(rawValue: "user_required")
        package static let invalidUser = Code(rawValue: "invalid_user")
        package static let invalidJSON = Code(rawValue: "invalid_json")
        package static let invalidUTF8 = Code(rawValue: "invalid_utf8")
        package static let invalidParameter = Code(rawValue: "invalid_parameter")
        package static let missingParameter = Code(rawValue: "missing_parameter")
        package static let requestTooLarge = Code(rawValue: "request_too_large")
        package static let modelNotFound = Code(rawValue: "model_not_found")
        package static let notFound = Code(rawValue: "not_found")
        package static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        package static let rateLimited = Code(rawValue: "rate_limited")
        package static let upstreamUnavailable = Code(rawValue: "upstream_unavailable")
        package static let upstreamTimeout = Code(rawValue: "upstream_timeout")
        package static let upstreamStreamInterrupted = Code(rawValue: "upstream_stream_interrupted")
        package static let upstreamInvalidResponse = Code(rawValue: "upstream_invalid_response")
        package static let internalError = Code(rawValue: "internal_error")
        package static let contentFilter = Code(rawValue: "content_filter")
        package static let moderationUnavailable = Code(rawValue: "moderation_unavailable")
        package static let invalidAdminToken = Code(rawValue: "invalid_admin_token")
        package static let auditUnavailable = Code(rawValue: "audit_unavailable")
        package static let conflict = Code(rawValue: "conflict")
        package static let storeCorrupt = Code(rawValue: "store_corrupt")
        package static let storeUnavailable = Code(rawValue: "store_unavailable")
        package static let agreementRequired = Code(rawValue: "agreement_required")
        package static let minorTimeLimit = Code(rawValue: "minor_time_limit")
        package static let minorCurfew = Code(rawValue: "minor_curfew")
        package static let userSuspended = Code(rawValue: "user_suspended")
    }

    /// The HTTP status code of the response.
    package var status: Int
    /// OpenAI's error `type` (`invalid_request_error`, `authentication_error`, `api_error`, …).
    package var type: String
    /// The stable code.
    package var code: Code
    /// The request parameter at fault, when there is one (`messages[2].role`).
    package var param: String?
    /// The message in Chinese.
    package var messageZH: String
    /// The message in English.
    package var messageEN: String
    /// Further members of the error object (`agreement_url`, `resumes_at`, …).
    package var details: [String: JSONValue] = [:]
    /// Sent as `Retry-After` (seconds) with the error.
    package var retryAfterSeconds: Int?

    package init(status: Int, type: String, code: Code, param: String? = nil, zh: String, en: String) {
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.messageZH = zh
        self.messageEN = en
    }

    /// The combined message: Chinese first, English beside it.
    package var message: String { "\(self.messageZH) (\(self.messageEN))" }

    /// The error object OpenAI clients expect.
    package var json: JSONValue {
        var error: JSONObject = [
            "message": .string(self.message),
            "type": .string(self.type),
            "code": .string(self.code.rawValue),
            "param": self.param.map(JSONValue.string) ?? .null,
            "message_zh": .string(self.messageZH),
            "message_en": .string(self.messageEN),
        ]
        for (key, value) in self.details.sorted(by: { $0.key < $1.key }) where error[key] == nil {
            error[key] = value
        }
        return ["error": .object(error)]
    }
}

extension APIError {
    package static func invalidAPIKey() -> APIError {
        APIError(
            status: 401,
            type: "authentication_error",
            code: .invalidAPIKey,
            zh: "API 密钥缺失或无效，请在 Authorization 请求头中以 Bearer 方式提供租户密钥",
            en: "Missing or invalid API key; send the tenant key as 'Authorization: Bearer <key>'"
        )
    }

    package static func userRequired() -> APIError {
        APIError(
            status: 400,
            type: "invalid_request_error",
            code: .userRequired,
            param: "user",
            zh: "请求必须标明终端用户：请在 user 字段或 X-Hegui-User 请求头中提供用户标识",
            en: "The request must identify its end user in the 'user' field or the X-Hegui-User header"
        )
    }

    package static func invalidUser(param: String, reason: String) -> APIError {
        APIError(
            status: 400,
            type: "invalid_request_error",
            code: .invalidUser,
            param: param,
            zh: "用户标识无效：\(reason)",
            en: "Invalid end-user id: \(reason)"
        )
    }

    package static func invalidJSON(_ error: JSONParseError) -> APIError {
        if error.kind == .invalidUTF8 {
            return .invalidUTF8(offset: error.offset)
        }
        return APIError(
            status: 400,
            type: "invalid_request_error",
            code: .invalidJSON,
            zh: "请求体不是有效的 JSON：\(error)",
            en: "The request body is not valid JSON: \(error)"
        )
    }

    package static func invalidUTF8(offset: Int) -> APIError {
        APIError(
            status: 400,
            type: "invalid_request_error",
            code: .invalidUTF8,
            zh: "请求体含有无效的 UTF-8 编码（第 \(offset) 字节）",
            en: "The request body is not valid UTF-8 (at byte \(offset))"
        )
    }

    package static func missingParameter(_ param: String) -> APIError {
        APIError(
            status: 400,
            type: "invalid_request_error",
            code: .missingParameter,
            param: param,
            zh: "缺少必填参数 \(param)",
            en: "Missing required parameter '\(param)'"
        )
    }

    /// A parameter of the wrong type or value; `expected` is in English, e.g. "a boolean".
    package static func invalidParameter(
        _ param: String,
        expectedZH: String,
        expected: String,
        got: String
    )
        -> APIError
    {
        APIError(
            status: 400,
            type: "invalid_request_error",
            code: .invalidParameter,
            param: param,
            zh: "参数 \(param) 应为\(expectedZH)，实际为 \(got)",
            en: "Parameter '\(param)' must be \(expected), got \(got)"
        )
    }

    package static func requestTooLarge(limit: Int) -> APIError {
        APIError(
            status: 413,
            type: "invalid_request_error",
            code: .requestTooLarge,
            zh: "请求体超过 \(limit) 字节的上限",
            en: "The request body exceeds the limit of \(limit) bytes"
        )
    }

    package static func modelNotFound(_ model: String) -> APIError {
        APIError(
            status: 404,
            type: "invalid_request_error",
            code: .modelNotFound,
            param: "model",
            zh: "模型 \(model) 不存在或未开放",
            en: "The model '\(model)' does not exist or is not offered"
        )
    }

    package static func notFound() -> APIError {
        APIError(
            status: 404,
            type: "invalid_request_error",
            code: .notFound,
            zh: "请求的地址不存在",
            en: "No such endpoint"
        )
    }

    package static func methodNotAllowed() -> APIError {
        APIError(
            status: 405,
            type: "invalid_request_error",
            code: .methodNotAllowed,
            zh: "该地址不支持此请求方法",
            en: "This endpoint does not accept this method"
        )
    }

    package static func rateLimited() -> APIError {
        APIError(
            status: 429,
            type: "rate_limit_error",
            code: .rateLimited,
            zh: "请求过于频繁，请稍后再试",
            en: "Too many requests; try again later"
        )
    }

    package static func upstreamUnavailable() -> APIError {
        APIError(
            status: 502,
            type: "api_error",
            code: .upstreamUnavailable,
            zh: "模型服务暂时不可用，请稍后再试",
            en: "The model service is unavailable; try again later"
        )
    }

    package static func upstreamTimeout() -> APIError {
        APIError(
            status: 504,
            type: "api_error",
            code: .upstreamTimeout,
            zh: "模型服务响应超时，请稍后再试",
            en: "The model service did not answer in time; try again later"
        )
    }

    package static func upstreamInvalidResponse() -> APIError {
        APIError(
            status: 502,
            type: "api_error",
            code: .upstreamInvalidResponse,
            zh: "模型服务返回了无法识别的响应",
            en: "The model service returned a response that could not be read"
        )
    }

    package static func upstreamStreamInterrupted() -> APIError {
        APIError(
            status: 502,
            type: "api_error",
            code: .upstreamStreamInterrupted,
            zh: "模型服务的流式响应意外中断，回答不完整",
            en: "The model service's stream broke off; the answer is incomplete"
        )
    }

    package static func internalError() -> APIError {
        APIError(
            status: 500,
            type: "api_error",
            code: .internalError,
            zh: "网关内部错误，请求未被处理",
            en: "Internal gateway error; the request was not processed"
        )
    }
}

extension APIError {
    package static func invalidAdminToken() -> APIError {
        APIError(
            status: 401,
            type: "authentication_error",
            code: .invalidAdminToken,
            zh: "管理令牌缺失或无效，请在 Authorization 请求头中以 Bearer 方式提供管理令牌",
            en: "Missing or invalid admin token; send it as 'Authorization: Bearer <admin token>'"
        )
    }

    package static func auditUnavailable() -> APIError {
        APIError(
            status: 503,
            type: "api_error",
            code: .auditUnavailable,
            zh: "审计日志暂不可写，操作已拒绝，请稍后重试",
            en: "The audit log cannot be written now, so the call was refused; try again later"
        )
    }
}

extension APIError {
    /// A request refused by moderation, for tenants that prefer an error to the compliant answer.
    package static func contentFilter(risks: [RiskCode]) -> APIError {
        let codes = risks.map(\.rawValue).joined(separator: ", ")
        return APIError(
            status: 400,
            type: "invalid_request_error",
            code: .contentFilter,
            zh: "请求内容不符合内容安全规定，已被拒绝（\(codes)）",
            en: "The request was refused by content moderation (\(codes))"
        )
    }
}

extension APIError {
    /// A classifier that must check the text failed and fails closed: the text is refused.
    package static func moderationUnavailable() -> APIError {
        APIError(
            status: 503,
            type: "api_error",
            code: .moderationUnavailable,
            zh: "内容审核服务暂不可用，请求已拒绝，请稍后重试",
            en: "Content moderation is unavailable, so the request was refused; try again later"
        )
    }
}

// MARK: End-user gates (issue 6)

extension APIError {
    /// 403: the user has not accepted the current service agreement (IM-9).
    package static func agreementRequired(version: String, url: String) -> APIError {
        var error = APIError(
            status: 403,
            type: "permission_error",
            code: .agreementRequired,
            zh: "请先阅读并同意服务协议（版本 \(version)）：\(url)",
            en: "Read and accept the service agreement (version \(version)) first: \(url)"
        )
        error.details = ["agreement_version": .string(version), "agreement_url": .string(url)]
        return error
    }

    /// 403: a minor has used up today's time (IM-10.3, OPS-6).
    package static func minorTimeLimit(resumesAt: String, retryAfter: Int) -> APIError {
        Self.minors(.minorTimeLimit, "今日使用时长已用完", "today's time is used up", resumesAt, retryAfter)
    }

    /// 403: minors' mode allows no use at this hour (OPS-6.6).
    package static func minorCurfew(resumesAt: String, retryAfter: Int) -> APIError {
        Self.minors(.minorCurfew, "当前时段暂停服务", "no service at this hour", resumesAt, retryAfter)
    }

    private static func minors(
        _ code: Code,
        _ zh: String,
        _ en: String,
        _ resumesAt: String,
        _ retryAfter: Int
    )
        -> APIError
    {
        var error = APIError(
            status: 403,
            type: "permission_error",
            code: code,
            zh: "未成年人模式：\(zh)，\(resumesAt)（北京时间）后可继续使用",
            en: "Minors' mode: \(en); service resumes at \(resumesAt) Beijing time"
        )
        error.details = ["resumes_at": .string(resumesAt)]
        error.retryAfterSeconds = retryAfter
        return error
    }

    /// 403: the user is suspended until `until`, or terminated when `until` is `nil` (IM-14.4).
    package static func userSuspended(until: String?, reason: String, retryAfter: Int?) -> APIError {
        var error: APIError
        if let until {
            error = APIError(
                status: 403,
                type: "permission_error",
                code: .userSuspended,
                zh: "因违反服务协议，服务已暂停至 \(until)（北京时间）。原因：\(reason)",
                en:
                    "Service is suspended until \(until) Beijing time for breaking the service agreement. Reason: \(reason)"
            )
            error.details = ["suspended_until": .string(until), "reason": .string(reason)]
        } else {
            error = APIError(
                status: 403,
                type: "permission_error",
                code: .userSuspended,
                zh: "因违反服务协议，已终止向该用户提供服务。原因：\(reason)",
                en: "Service to this user has been terminated for breaking the service agreement. Reason: \(reason)"
            )
            error.details = ["suspended_until": .null, "reason": .string(reason)]
        }
        error.retryAfterSeconds = retryAfter
        return error
    }

    /// 429 with the seconds to wait.
    package static func rateLimited(retryAfter: Int, scope: String) -> APIError {
        var error = APIError.rateLimited()
        error.retryAfterSeconds = retryAfter
        error.details = ["limit_scope": .string(scope)]
        return error
    }
}
