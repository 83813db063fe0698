import HTTPTypes
import HeguiCore
import HeguiReports
package import Hummingbird
import NIOCore

/// `/about`: what the service is and the rules it runs under, for its users (IM-4, IM-10.1,
/// IM-12, IM-15, OPS-4.5, OPS-6): its purpose, the model, the filing numbers, how generated
/// content is labelled, the agreement, where to complain and how soon the answer comes, and
/// minors' mode. Chinese with English beside it; `?format=json` for machines. Every configured
/// text is escaped and the page allows no script.
package struct DisclosurePageController: Sendable {
    let configuration: GatewayConfiguration
    /// Whether the store-backed pages (`/agreement`, `/complaints`) are served.
    let hasUserPages: Bool

    package init(configuration: GatewayConfiguration, hasUserPages: Bool) {
        self.configuration = configuration
        self.hasUserPages = hasUserPages
    }

    package func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("about") { request, _ in
            if request.uri.queryParameters["format"] == "json" {
                return Response.json(self.json.serialized)
            }
            var headers = PublicPagesController.securityHeaders
            headers[.contentType] = "text/html; charset=utf-8"
            let page = PublicPagesController.page(title: "关于本服务 About this service", body: self.html)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }

    /// The models apps can ask for: the configured names, or the demo model's.
    var models: [String] {
        if !self.configuration.models.isEmpty { return self.configuration.models.map(\.id) }
        return self.configuration.upstream == nil ? ["hegui-demo"] : []
    }

    var labelling: (zh: String, en: String) { Self.labelling(self.configuration.labels.chat) }

    /// How chat answers are labelled, in words.
    static func labelling(_ chat: ChatLabelPolicy) -> (zh: String, en: String) {
        let text = chat.text
        switch chat.placement {
        case .start: return ("回答开头标注“\(text)”", "answers begin with “\(text)”")
        case .end: return ("回答结尾标注“\(text)”", "answers end with “\(text)”")
        case .both: return ("回答开头和结尾标注“\(text)”", "answers begin and end with “\(text)”")
        case .conversation: return ("每次对话的第一个回答标注“\(text)”", "the first answer of each conversation carries “\(text)”")
        case .interface: return ("由应用界面显示“\(text)”", "the app's interface shows “\(text)”")
        }
    }

    var json: JSONValue {
        let service = self.configuration.service
        let minors = self.configuration.users.minors
        var object: JSONObject = [
            "name": .string(service.name),
            "provider": .string(service.provider),
            "purpose": .string(service.purpose),
            "purpose_en": .string(service.purposeEN),
            "models": .array(self.models.map { .string($0) }),
            "filing_numbers": .array(self.configuration.filing.numbers.map { .string($0) }),
            "labels": [
                "chat_placement": .string(self.configuration.labels.chat.placement.rawValue),
                "chat_text": .string(self.configuration.labels.chat.text),
                "image_mark": .bool(self.configuration.labels.imageMark),
                "implicit": "aigc",
                "public_key": "/labels/public-key",
            ],
            "minors_mode": [
                "enabled": .bool(minors.isEnabled),
                "daily_minutes": .object(
                    JSONObject(minors.bands.map { ($0.name, $0.dailyMinutes.map { .number(String($0)) } ?? .null) })
                ),
                "curfew": minors.curfew.map { .string(Self.clock($0.startMinute) + "-" + Self.clock($0.endMinute)) }
                    ?? .null,
            ],
        ]
        if self.hasUserPages {
            object["agreement"] = "/agreement"
            object["complaints"] = [
                "page": "/complaints",
                "feedback_working_days": .number(String(self.configuration.complaints.feedbackWorkingDays)),
            ]
        }
        return .object(object)
    }

    var html: String {
        let service = self.configuration.service
        let minors = self.configuration.users.minors
        func escape(_ text: String) -> String { MarkdownPage.escape(text) }
        var sections: [String] = []
        var about = "<p><strong>\(escape(service.name))</strong>"
        if !service.provider.isEmpty { about += "<br>提供者 Provider：\(escape(service.provider))" }
        about += "</p>"
        if !service.purpose.isEmpty { about += "<p lang=\"zh-CN\">\(escape(service.purpose))</p>" }
        if !service.purposeEN.isEmpty { about += "<p lang=\"en\">\(escape(service.purposeEN))</p>" }
        sections.append("<h2>服务 Service</h2>" + about)

        let models = self.models.isEmpty ? "—" : self.models.map(escape).joined(separator: "、")
        let numbers = self.configuration.filing.numbers
        let filing =
            numbers.isEmpty
            ? "备案办理中 Filing in progress" : numbers.map { "<code>\(escape($0))</code>" }.joined(separator: "<br>")
        sections.append("<h2>模型与备案 Model and filing</h2><p>模型 Model：\(models)</p><p>备案号 Filing number：\(filing)</p>")

        let labelling = self.labelling
        sections.append(
            """
            <h2>生成内容标识 Labels on generated content</h2>
            <p lang="zh-CN">本服务生成的内容均由人工智能生成。文字：\(escape(labelling.zh))；\
            图片带“\(escape(self.configuration.labels.imageMark ? self.configuration.labels.imageMarkText : "—"))”可见标识，\
            文件元数据中带隐式标识（AIGC），可用 <code>/labels/public-key</code> 的公钥核验。</p>
            <p lang="en">Everything this service generates is AI-generated. Text: \(escape(labelling.en)); \
            images carry a visible mark and every file an implicit label (AIGC) in its metadata, verifiable \
            with the key at <code>/labels/public-key</code>.</p>
            """
        )
        if self.hasUserPages {
            let days = self.configuration.complaints.feedbackWorkingDays
            sections.append(
                """
                <h2>协议与投诉 Agreement and complaints</h2>
                <p><a href="/agreement">服务协议 Service agreement</a></p>
                <p><a href="/complaints">投诉举报 Complaints and reports</a>：我们将在收到后 \(days) 个工作日内反馈处理结果。\
                We reply within \(days) working days.</p>
                """
            )
        }
        var minorsText = "<h2>未成年人模式 Minors' mode</h2>"
        if minors.isEnabled {
            let limits = minors.bands.map { band in
                "\(escape(Self.bandName(band.name)))：\(band.dailyMinutes.map { "每日 \($0) 分钟 \($0) min a day" } ?? "不限时 no daily limit")"
            }.joined(separator: "；")
            let curfew = minors.curfew.map { "\(Self.clock($0.startMinute))–\(Self.clock($0.endMinute))" }
            minorsText += "<p>已开启 On. \(limits)。"
            if let curfew { minorsText += "夜间 \(curfew)（北京时间）暂停服务 No service \(curfew) Beijing time." }
            minorsText += "</p>"
        } else {
            minorsText += "<p>未开启 Off.</p>"
        }
        sections.append(minorsText)
        return sections.joined(separator: "\n")
    }

    /// The built-in age bands in words; an operator's own band keeps its name.
    static func bandName(_ name: String) -> String {
        switch name {
        case "under8": "8岁以下 under 8"
        case "8to16": "8至16岁 8 to 16"
        case "16to18": "16至18岁 16 to 18"
        default: name
        }
    }

    static func clock(_ minute: Int) -> String {
        let hour = minute / 60
        let rest = minute % 60
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }
}
