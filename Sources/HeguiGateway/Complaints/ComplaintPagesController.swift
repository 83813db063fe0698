import Foundation
import HTTPTypes
import HeguiCore
import HeguiStore
package import Hummingbird
import MultipartKit
import Mustache
import NIOCore

/// The public complaint and report pages (IM-15.1–15.3): `/complaints` (the form and the
/// published process with its time limit), `/complaints/status` (a ticket's status and timeline
/// with its access code) and `/complaints/respond` (the complainant's answer to a request for
/// information). Chinese first, English with `?lang=en`; no JavaScript; CSRF-protected with a
/// signed double-submit cookie; submissions limited per client address; a form with mistakes
/// comes back with messages and everything typed kept.
package struct ComplaintPagesController: Sendable {
    let complaints: ComplaintService
    let csrf: CSRFToken
    let library: MustacheLibrary
    /// Honour `X-Forwarded-For` for the per-client limit (behind a trusted reverse proxy only).
    let trustsForwardedFor: Bool

    package init(complaints: ComplaintService, key: [UInt8], trustsForwardedFor: Bool = false) {
        self.complaints = complaints
        self.csrf = CSRFToken(key: key)
        self.trustsForwardedFor = trustsForwardedFor
        var library = MustacheLibrary()
        // The templates are constants of this module, checked by the tests that render them.
        for (name, text) in [
            ("head", ComplaintTemplates.head), ("foot", ComplaintTemplates.foot), ("form", ComplaintTemplates.form),
            ("filed", ComplaintTemplates.filed), ("statusForm", ComplaintTemplates.statusForm),
            ("status", ComplaintTemplates.status),
        ] {
            try? library.register(text, named: name)
        }
        self.library = library
    }

    static let cookieName = "hegui_csrf"
    static let maximumFormBytes = 64 << 10
    /// The complaint form with its attachments (three of at most 2 MB, and the fields).
    static let maximumUploadBytes = 7 << 20

    package func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("complaints") { request, _ in
            let page = Page(request: request, csrf: self.csrf, now: self.complaints.now())
            return self.render("form", page, self.formContext(page, values: [:], errors: [:]))
        }
        router.post("complaints") { request, context in
            let page = Page(request: request, csrf: self.csrf, now: self.complaints.now())
            let form: [String: String]
            let files: [(filename: String, bytes: [UInt8])]
            do {
                (form, files) = try await self.formWithFiles(request, limit: Self.maximumUploadBytes)
            } catch is NIOTooManyBytesError {
                return self.render(
                    "form",
                    page,
                    self.formContext(page, values: [:], errors: [:], formError: page.text("tooLarge")),
                    status: .contentTooLarge
                )
            }
            let language = form["lang"] == "en" ? "en" : page.language
            guard self.csrf.isValid(form["csrf"] ?? "", cookieNonce: page.cookieNonce, at: page.time) else {
                return self.render(
                    "form",
                    page,
                    self.formContext(page, values: form, errors: [:], formError: page.text("csrf")),
                    status: .forbidden
                )
            }
            guard let category = ComplaintCategory(rawValue: form["category"] ?? "") else {
                return self.render(
                    "form",
                    page,
                    self.formContext(page, values: form, errors: ["category": page.text("pickCategory")]),
                    status: .badRequest
                )
            }
            var submission = ComplaintService.Submission(
                category: category,
                description: form["description"] ?? "",
                content: form["content"] ?? "",
                contact: (form["contact"] ?? "").isEmpty ? nil : form["contact"],
                language: language
            )
            submission.attachments = files
            let problems = submission.problems()
            guard problems.isEmpty else {
                return self.render(
                    "form",
                    page,
                    self.formContext(page, values: form, errors: problems),
                    status: .badRequest
                )
            }
            guard try await self.allowSubmission(request, context: context, at: page.time) else {
                return self.render(
                    "form",
                    page,
                    self.formContext(page, values: form, errors: [:], formError: page.text("tooMany")),
                    status: .tooManyRequests
                )
            }
            let filed = try await self.complaints.file(submission, actor: "public")
            var response = self.render(
                "filed",
                page,
                [
                    "ticket": filed.complaint.id, "accessCode": filed.accessCode,
                    "due": self.complaints.format(filed.complaint.dueAt),
                ],
                status: .created
            )
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get("complaints/status") { request, _ in
            let page = Page(request: request, csrf: self.csrf, now: self.complaints.now())
            return self.render("statusForm", page, ["values": [String: String]()])
        }
        router.post("complaints/status") { request, _ in
            let page = Page(request: request, csrf: self.csrf, now: self.complaints.now())
            let form = try await self.form(request)
            return try await self.showStatus(page, form: form)
        }
        router.post("complaints/respond") { request, _ in
            let page = Page(request: request, csrf: self.csrf, now: self.complaints.now())
            let form = try await self.form(request)
            if self.csrf.isValid(form["csrf"] ?? "", cookieNonce: page.cookieNonce, at: page.time),
                let text = form["text"], !text.isEmpty, text.count <= 5_000
            {
                _ = try await self.complaints.respond(
                    ticket: form["ticket"] ?? "",
                    code: form["code"] ?? "",
                    text: text
                )
            }
            return try await self.showStatus(page, form: form)
        }
    }

    /// The status page for a ticket and code, or the status form again with one message for an
    /// unknown ticket and a wrong code alike.
    func showStatus(_ page: Page, form: [String: String]) async throws -> Response {
        guard self.csrf.isValid(form["csrf"] ?? "", cookieNonce: page.cookieNonce, at: page.time) else {
            return self.render(
                "statusForm",
                page,
                ["values": ["ticket": form["ticket"] ?? ""], "formError": page.text("csrf")],
                status: .forbidden
            )
        }
        guard
            let (complaint, events) = try await self.complaints.status(
                ticket: form["ticket"] ?? "",
                code: form["code"] ?? ""
            )
        else {
            return self.render(
                "statusForm",
                page,
                ["values": ["ticket": form["ticket"] ?? ""], "formError": page.text("notFound")],
                status: .notFound
            )
        }
        let category = ComplaintCategory(rawValue: complaint.category)
        // Absent values are left out: Mustache would render an empty Optional as text.
        var context: [String: Any] = [
            "ticket": complaint.id,
            "statusName": page.isEnglish ? complaint.status.nameEN : complaint.status.nameZH,
            "categoryName": category.map { page.isEnglish ? $0.nameEN : $0.nameZH } ?? complaint.category,
            "received": self.complaints.format(complaint.receivedAt),
            "due": self.complaints.format(complaint.dueAt),
            "canRespond": complaint.status == .infoRequested,
            "events": events.map { event -> [String: Any] in
                var item: [String: Any] = [
                    "time": self.complaints.format(event.time),
                    "label": page.text("event." + event.action),
                ]
                if let text = event.text { item["text"] = text }
                return item
            },
        ]
        if let resolution = complaint.resolution { context["resolution"] = resolution }
        var response = self.render("status", page, context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Whether this client may file another ticket this hour (keyed by a hash of its address).
    func allowSubmission(_ request: Request, context: GatewayRequestContext, at time: Int64) async throws -> Bool {
        var address = context.remoteIP ?? "unknown"
        if self.trustsForwardedFor, let forwarded = request.headers[.init("X-Forwarded-For")!] {
            address = forwarded.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? address
        }
        let window = RateWindow(limit: self.complaints.settings.submissionsPerHour, length: 3_600_000)
        let scope = "complaint:" + ContentDigest.hex(of: address, key: self.complaints.key).prefix(32)
        let (previous, current) = try await self.complaints.store.countRequest(
            scope: scope,
            window: window.window(of: time)
        )
        return window.allows(previous: previous, current: current, at: time)
    }

    func form(_ request: Request) async throws -> [String: String] {
        try await self.formWithFiles(request, limit: Self.maximumFormBytes).fields
    }

    static let invalidForm = APIError(
        status: 400,
        type: "invalid_request_error",
        code: .invalidParameter,
        zh: "表单数据无效（须为 UTF-8）",
        en: "The form data is not valid (it must be UTF-8)"
    )

    /// The fields of a form, urlencoded or `multipart/form-data`, and any files in it.
    func formWithFiles(
        _ request: Request,
        limit: Int
    ) async throws -> (
        fields: [String: String], files: [(filename: String, bytes: [UInt8])]
    ) {
        let body = try await request.body.collect(upTo: limit)
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            guard let fields = body.withUnsafeReadableBytes({ FormData.parse($0) }) else { throw Self.invalidForm }
            return (fields, [])
        }
        guard
            let boundary = contentType.split(separator: ";").lazy
                .map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?
                .dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        else { throw Self.invalidForm }
        var fields: [String: String] = [:]
        var files: [(filename: String, bytes: [UInt8])] = []
        var headers: [String: String] = [:]
        var content: [UInt8] = []
        var broken = false
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in content += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            defer {
                headers = [:]
                content = []
            }
            let disposition = headers["content-disposition"] ?? ""
            guard let name = Self.parameter("name", in: disposition) else { return }
            if let filename = Self.parameter("filename", in: disposition) {
                if !filename.isEmpty || !content.isEmpty { files.append((filename, content)) }
            } else if let text = String(validating: content, as: UTF8.self) {
                if fields[name] == nil { fields[name] = text }
            } else {
                broken = true
            }
        }
        do {
            try parser.execute(body)
        } catch {
            throw Self.invalidForm
        }
        if broken { throw Self.invalidForm }
        return (fields, files)
    }

    /// A parameter of a `Content-Disposition` value (`name="description"`).
    static func parameter(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }

    func formContext(
        _ page: Page,
        values: [String: String],
        errors: [String: String],
        formError: String? = nil
    ) -> [String: Any] {
        let chosen = values["category"] ?? ""
        var context: [String: Any] = [
            "values": values,
            "errors": errors,
            "categories": ComplaintCategory.allCases.map { category -> [String: Any] in
                [
                    "value": category.rawValue,
                    "label": page.isEnglish ? category.nameEN : category.nameZH,
                    "selected": category.rawValue == chosen,
                ]
            },
        ]
        if let formError { context["formError"] = formError }
        return context
    }

    /// Renders a page with the texts of its language and a fresh CSRF token (and cookie).
    func render(
        _ template: String,
        _ page: Page,
        _ context: [String: Any],
        status: HTTPResponse.Status = .ok
    )
        -> Response
    {
        var context = context
        context["lang"] = page.language
        context["otherLanguage"] = page.isEnglish ? "zh" : "en"
        context["otherLanguageURL"] = page.path + "?lang=" + (page.isEnglish ? "zh" : "en")
        context["t"] = page.texts(feedbackDays: self.complaints.settings.feedbackWorkingDays)
        context["csrf"] = self.csrf.token(nonce: page.nonce, at: page.time)
        let html = self.library.render(context, withTemplate: template) ?? ""
        var headers = PublicPagesController.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.setCookie] = "\(Self.cookieName)=\(page.nonce); Path=/complaints; HttpOnly; SameSite=Strict"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// One page view: its language, time and CSRF nonce (the cookie's, or a new one).
    struct Page {
        var language: String
        var path: String
        var time: Int64
        var cookieNonce: String?
        var nonce: String

        init(request: Request, csrf: CSRFToken, now: Int64) {
            self.language = request.uri.queryParameters["lang"] == "en" ? "en" : "zh"
            self.path = request.uri.path
            self.time = now
            self.cookieNonce = Self.cookie(ComplaintPagesController.cookieName, in: request.headers[.cookie])
            self.nonce =
                self.cookieNonce.flatMap { $0.count == 32 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
                ?? CSRFToken.makeNonce()
        }

        var isEnglish: Bool { self.language == "en" }

        static func cookie(_ name: String, in header: String?) -> String? {
            guard let header else { return nil }
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name {
                    return String(pair[1]).trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }

        func text(_ key: String) -> String {
            let texts = self.isEnglish ? ComplaintPagesController.english : ComplaintPagesController.chinese
            return texts[key] ?? key
        }

        func texts(feedbackDays: Int) -> [String: Any] {
            var texts: [String: Any] =
                self.isEnglish ? ComplaintPagesController.english : ComplaintPagesController.chinese
            texts["limit"] =
                self.isEnglish
                ? "We reply within \(feedbackDays) working days of receiving your complaint."
                : "我们将在收到投诉后 \(feedbackDays) 个工作日内反馈处理结果。"
            texts["process"] =
                self.isEnglish
                ? [
                    "Submit the form. You get a ticket number and an access code; keep both.",
                    "We accept the complaint and check the content concerned; we may ask you for more information.",
                    "Illegal content is stopped and removed, and reported to the authorities where the law requires.",
                    "We tell you the result on the status page (and by your contact, if you gave one).",
                ]
                : [
                    "提交表单后，您将获得工单号和查询码，请妥善保存。",
                    "我们受理投诉并核查相关内容，必要时请您补充材料。",
                    "违法内容将被停止生成、删除，并依法向主管部门报告。",
                    "处理结果将在查询页面反馈（如留有联系方式，也会通知您）。",
                ]
            return texts
        }
    }

    static let chinese: [String: String] = [
        "title": "投诉举报 · Complaints and reports",
        "switch": "English",
        "intro": "如您发现本服务生成违法或不良信息，或对个人信息处理、处置措施等有异议，请在此投诉举报。",
        "processTitle": "处理流程",
        "category": "类别",
        "pickCategory": "请选择类别 / Choose a category",
        "description": "投诉内容",
        "descriptionHint": "请说明发生了什么、您希望如何处理。",
        "content": "相关内容（可选）",
        "contentHint": "请求编号（req_…）、对话编号，或粘贴相关文字。",
        "contact": "联系方式（可选）",
        "contactHint": "电话或邮箱，仅用于反馈处理结果。",
        "attachments": "附件（可选）",
        "attachmentsHint": "截图或文件，最多 3 个，每个不超过 2 MB（PNG、JPEG、GIF、WebP、PDF、文本）。附件需重新选择。",
        "submit": "提交",
        "filedTitle": "已收到您的投诉",
        "ticket": "工单号",
        "accessCode": "查询码",
        "keepCode": "查询码只显示这一次，请立即保存；凭工单号和查询码可查询处理进度。",
        "due": "反馈期限",
        "statusIntro": "输入工单号和查询码，查看处理进度和反馈。",
        "check": "查询进度",
        "new": "新的投诉",
        "agreement": "服务协议",
        "status": "状态",
        "categoryLabel": "类别",
        "received": "收到时间",
        "feedback": "处理结果",
        "timeline": "处理记录",
        "respond": "补充材料",
        "send": "发送",
        "csrf": "页面已过期，请重新提交。/ The page expired; submit again.",
        "notFound": "工单号或查询码不正确。/ The ticket number or access code is wrong.",
        "tooMany": "提交过于频繁，请稍后再试。/ Too many submissions; try again later.",
        "tooLarge": "提交的内容过大（附件合计不超过 6 MB）。/ The submission is too large (6 MB of attachments at most).",
        "event.received": "已收到投诉",
        "event.request_info": "请您补充材料",
        "event.respond": "您已补充材料",
        "event.reply": "客服回复",
        "event.resolve": "已处理",
        "event.reject": "不予支持",
        "event.close": "已结案",
    ]

    static let english: [String: String] = [
        "title": "Complaints and reports · 投诉举报",
        "switch": "中文",
        "intro":
            "If this service generated illegal or harmful content, or you object to how your personal information or a measure against you was handled, tell us here.",
        "processTitle": "What happens next",
        "category": "Category",
        "pickCategory": "Choose a category / 请选择类别",
        "description": "Your complaint",
        "descriptionHint": "Say what happened and what you would like us to do.",
        "content": "Content concerned (optional)",
        "contentHint": "A request id (req_…), a conversation id, or the text itself.",
        "contact": "Contact (optional)",
        "contactHint": "A phone number or e-mail, used only to tell you the result.",
        "attachments": "Attachments (optional)",
        "attachmentsHint":
            "Screenshots or files: up to 3, at most 2 MB each (PNG, JPEG, GIF, WebP, PDF, text). Files must be chosen again after a correction.",
        "submit": "Submit",
        "filedTitle": "We have received your complaint",
        "ticket": "Ticket",
        "accessCode": "Access code",
        "keepCode": "The access code is shown only this once: keep it now. The ticket and code show the progress.",
        "due": "Reply due by",
        "statusIntro": "Enter your ticket number and access code to see the progress and our reply.",
        "check": "Check progress",
        "new": "New complaint",
        "agreement": "Service agreement",
        "status": "Status",
        "categoryLabel": "Category",
        "received": "Received",
        "feedback": "Result",
        "timeline": "History",
        "respond": "More information",
        "send": "Send",
        "csrf": "The page expired; submit again. / 页面已过期，请重新提交。",
        "notFound": "The ticket number or access code is wrong. / 工单号或查询码不正确。",
        "tooMany": "Too many submissions; try again later. / 提交过于频繁，请稍后再试。",
        "tooLarge": "The submission is too large (6 MB of attachments at most). / 提交的内容过大（附件合计不超过 6 MB）。",
        "event.received": "Complaint received",
        "event.request_info": "We asked you for more information",
        "event.respond": "You sent more information",
        "event.reply": "Our reply",
        "event.resolve": "Resolved",
        "event.reject": "Not upheld",
        "event.close": "Closed",
    ]
}
