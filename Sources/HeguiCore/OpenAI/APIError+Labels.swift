extension APIError.Code {
    package static let labelFormatUnsupported = APIError.Code(rawValue: "label_format_unsupported")
    package static let labelUnavailable = APIError.Code(rawValue: "label_unavailable")
}

extension APIError {
    /// A generated file would come back in a format Hegui cannot label (IM-12, LBL-5.1).
    package static func labelFormatUnsupported(_ format: String, supported: [String]) -> APIError {
        let list = supported.joined(separator: ", ")
        return APIError(
            status: 400,
            type: "invalid_request_error",
            code: .labelFormatUnsupported,
            param: "response_format",
            zh: "生成内容须带隐式标识，格式 \(format) 暂不支持；请改用 \(list)",
            en: "Generated content must carry its implicit label, which format \(format) cannot hold yet; use \(list)"
        )
    }

    /// A generated file could not be labelled, so it is not returned (fail-closed).
    package static func labelUnavailable(_ reason: String) -> APIError {
        APIError(
            status: 502,
            type: "api_error",
            code: .labelUnavailable,
            zh: "生成内容无法加注标识，未予返回：\(reason)",
            en: "The generated content could not be labelled, so it was not returned: \(reason)"
        )
    }
}
