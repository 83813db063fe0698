import HeguiCore

/// The security self-assessment report of a service with public-opinion attributes or
/// social-mobilisation capability (OPS-5; the 2018 Provisions' SA-5 items 1–8): each item
/// answered from live facts where Hegui has them and from the provider's text where it does not,
/// in Chinese with English headings, as Markdown (and, through ``MarkdownPage``, printable HTML).
/// The figures cover one period and name the signed tree head of the audit log that backs them.
package struct AssessmentReport: Sendable {
    package var facts: ServiceFacts
    package var text: OperatorText
    package var statistics: StatisticsReport

    package init(facts: ServiceFacts, text: OperatorText, statistics: StatisticsReport) {
        self.facts = facts
        self.text = text
        self.statistics = statistics
    }

    /// The configuration keys of the provider's texts this report still lacks.
    package var missing: [String] {
        var keys: [String] = []
        if self.text.trigger == nil { keys.append("assessment.trigger") }
        let texts: [(String, String)] = [
            ("assessment.security_officer", self.text.securityOfficer),
            ("assessment.reviewers", self.text.reviewers),
            ("assessment.organisation", self.text.organisation),
            ("assessment.identity_verification", self.text.identityVerification),
            ("assessment.log_retention", self.text.logRetention),
            ("assessment.cooperation_cac", self.text.cooperationCAC),
            ("assessment.cooperation_police", self.text.cooperationPolice),
            ("assessment.conclusion", self.text.conclusion),
        ]
        keys += texts.filter { $0.1.trimmed.isEmpty }.map(\.0)
        if self.facts.provider.trimmed.isEmpty { keys.append("service.provider") }
        return keys
    }

    package var markdown: String {
        let facts = self.facts
        let total = self.statistics.total
        var md = ReportText()
        md.line("# 互联网信息服务安全评估报告 Security assessment report")
        md.blank()
        md.line("依据《具有舆论属性或社会动员能力的互联网信息服务安全评估规定》（2018 年）第五条逐项评估（OPS-5，SA-5）。")
        md.line("Assessed item by item under Article 5 of the 2018 Provisions on security assessment (OPS-5, SA-5).")
        md.blank()
        md.table(
            ["项目 Item", "内容 Content"],
            [
                ["服务名称 Service", facts.name],
                ["服务提供者 Provider", ReportText.orPending(facts.provider, key: "service.provider")],
                ["服务用途 Purpose", facts.purpose.isEmpty ? "—" : facts.purpose],
                [
                    "备案号 Filing numbers",
                    facts.filingNumbers.isEmpty
                        ? "备案办理中 Filing in progress" : facts.filingNumbers.joined(separator: "、"),
                ],
                [
                    "评估原因 Trigger (SA-3)",
                    self.text.trigger.map { "第 \($0.item) 项：\($0.names.zh) / \($0.names.en)" }
                        ?? ReportText.pending("assessment.trigger"),
                ],
                ["统计期间 Period", "\(self.statistics.from) – \(self.statistics.through)（北京时间 Beijing time）"],
                ["生成时间 Generated", ReportPage.timestamp(self.statistics.generatedAt)],
            ]
        )
        let missing = self.missing
        if !missing.isEmpty {
            md.blank()
            md.line("**待补充 Still to be written** (hegui.yaml): " + missing.joined(separator: ", "))
        }

        md.section("一、安全管理负责人、信息审核人员或安全管理机构 Security management (SA-5.1)")
        md.labelled("安全管理负责人 Person responsible", self.text.securityOfficer, key: "assessment.security_officer")
        md.labelled("信息审核人员 Information reviewers", self.text.reviewers, key: "assessment.reviewers")
        md.labelled("安全管理机构 Security management body", self.text.organisation, key: "assessment.organisation")

        md.section("二、用户真实身份核验及注册信息留存 Identity verification and registration records (SA-5.2)")
        md.bullet(
            facts.requireUser
                ? "每个模型请求须标明终端用户，未标明的请求被拒绝（require_user）。Every model request must name its end user; requests without one are refused."
                : "未要求每个请求标明终端用户（require_user: false）。Requests need not name an end user."
        )
        md.bullet(
            "终端用户以带密钥的假名记录，网关不保存用户的真实标识。End users are recorded under keyed pseudonyms; the gateway keeps no real identifier."
        )
        if let users = facts.endUsers {
            md.bullet(
                "已知终端用户 \(users.total) 人，其中已核验身份 \(users.verified) 人（\(Self.share(users.verified, of: users.total))），登记为未成年人 \(users.minors) 人。"
                    + " End users known: \(users.total); identity verified: \(users.verified); minors: \(users.minors)."
            )
        }
        if facts.requireAgreement {
            md.bullet("用户须先接受服务协议（IM-9）。Users must accept the service agreement first (IM-9).")
        }
        md.labelled(
            "身份核验与注册信息留存措施 Provider's measures",
            self.text.identityVerification,
            key: "assessment.identity_verification"
        )

        md.section("三、日志信息及用户发布信息记录留存 Logs and records of what users publish (SA-5.3)")
        md.bullet(
            "审计日志共 \(facts.auditEvents.map(String.init) ?? "—") 条事件，按 Merkle 树组织并定期签名，任何删改均可被 `hegui audit verify` 发现（OPS-1）。"
                + " The audit log holds \(facts.auditEvents.map(String.init) ?? "—") events in a signed Merkle tree; `hegui audit verify` detects any change (OPS-1)."
        )
        md.bullet(
            "每条记录含时间、租户、用户假名、请求编号、处置、风险类别和内容摘要；违规内容作为证据另行保存。Each event holds the time, tenant, user pseudonym, request id, action, risks and a content digest; violating content is kept as evidence."
        )
        md.bullet(
            "记录保存 \(facts.metadataRetentionDays.map { "\($0) 天" } ?? "长期")，证据保存 \(facts.evidenceRetentionDays.map { "\($0) 天" } ?? "长期")。"
                + " Events kept \(facts.metadataRetentionDays.map { "\($0) days" } ?? "indefinitely"), evidence \(facts.evidenceRetentionDays.map { "\($0) days" } ?? "indefinitely")."
        )
        md.bullet(
            "网络源地址、端口和客户端硬件特征由接入应用记录，不经本网关。Network addresses, ports and client hardware features are logged by the app in front, not by this gateway."
        )
        md.labelled("其他日志留存措施 Provider's log retention", self.text.logRetention, key: "assessment.log_retention")

        md.section("四、违法有害信息防范处置及记录保存 Preventing and handling illegal and harmful information (SA-5.4)")
        md.bullet(
            "输入、输出（含流式输出的每个事件）均经审核；流式回答遇违规即中断并以合规回答替代（IM-14，TC-6.2.2）。Inputs and answers, every event of a stream included, are checked; a stream is stopped at a violation and the compliant answer sent instead."
        )
        md.bullet(
            "审核策略 Policy: \(facts.policyName.isEmpty ? "—" : facts.policyName)（版本 version \(facts.policyVersion.isEmpty ? "—" : facts.policyVersion)）；输入审核读取 input roles: \(facts.inputRoles)。"
        )
        md.bullet(
            "关键词库 \(facts.totalTerms) 条（另有放行词 \(facts.allowedTerms) 条）；分类模型 Classifiers: \(facts.classifiers.isEmpty ? "未配置 none" : facts.classifiers.joined(separator: "、"))。 Lexicon terms: \(facts.totalTerms)."
        )
        md.blank()
        md.table(
            ["风险类别 Risk class (TC-8)", "关键词 Terms", "期间命中 Hits in the period"],
            RiskClass.allCases.map { riskClass in
                let codes = Set(RiskCatalogue.standard.risks.filter { $0.riskClass == riskClass }.map(\.code.rawValue))
                let terms = facts.termsByRisk.filter { codes.contains($0.key) }.values.reduce(0, +)
                let hits = total.risks.filter { codes.contains($0.key) }.values.reduce(0) {
                    $0 + $1.values.reduce(0, +)
                }
                return ["\(riskClass.rawValue) \(riskClass.chineseName)", String(terms), String(hits)]
            }
        )
        md.blank()
        md.table(
            ["期间处置 In the period", "数量 Count"],
            [
                ["模型请求 Model requests", String(total.requests)],
                ["输入拦截 Inputs refused", String(total.input.block)],
                ["输出拦截 Answers refused", String(total.output.block)],
                ["流式中断 Streams stopped", String(total.streamsStopped)],
                ["遮蔽 Redacted", String(total.input.redact + total.output.redact)],
                ["标记 Flagged", String(total.input.flag + total.output.flag)],
                ["分类模型故障 Classifier failures", String(total.classifierErrors)],
                ["下架内容 Content taken down", String(total.takedowns)],
                ["安全事件 Incidents", String(total.incidents)],
            ]
        )
        md.blank()
        md.line("用户处置 Sanctions (IM-14.4)：\(facts.sanctionsLadder.zh) \(facts.sanctionsLadder.en)")
        md.blank()
        md.table(
            ["处置 Step", "期间数量 In the period"],
            [
                ["警示 Warning", String(total.sanctions["warning"] ?? 0)],
                ["限制功能 Restriction", String(total.sanctions["restriction"] ?? 0)],
                ["暂停服务 Suspension", String(total.sanctions["suspension"] ?? 0)],
                ["终止服务 Termination", String(total.sanctions["termination"] ?? 0)],
                ["向主管部门报告 Reported to the authorities", String(total.reportedToAuthorities)],
            ]
        )
        md.blank()
        md.line(
            "账号名称、昵称、简介等由接入应用提交 `/v1/moderations` 审核；期间调用 \(total.moderationChecks) 次。Account names, nicknames and profiles are checked when the app sends them to `/v1/moderations` (\(total.moderationChecks) calls in the period)."
        )

        md.section("五、个人信息保护及防范社会动员功能失控 Personal information and mobilisation risks (SA-5.5)")
        md.bullet(
            "回答中的个人信息（身份证号、手机号、银行卡号、邮箱等）按策略遮蔽或拦截（A4f）。Personal information in answers is redacted or refused by policy (A4f)."
        )
        let rights = self.statistics.rightsRequests
        md.bullet(
            "个人信息查阅、复制、删除请求 \(facts.rightsRequestWorkingDays) 个工作日内办结；期间收到 \(rights.received) 件，按时 \(rights.onTime) 件，逾期 \(rights.late + rights.overdue) 件。"
                + " Personal-information requests are answered within \(facts.rightsRequestWorkingDays) working days: \(rights.received) received, \(rights.onTime) on time."
        )
        md.bullet(
            "用户输入用于训练须经同意（默认\(facts.trainingConsentDefault ? "同意" : "不同意")）。Training on user input needs consent (default \(facts.trainingConsentDefault ? "yes" : "no"))."
        )
        md.bullet("未成年人模式 Minors' mode：\(facts.minors.zh) \(facts.minors.en)")
        var limits: [String] = []
        if let perMinute = facts.requestsPerMinute {
            limits.append("每用户每分钟 \(perMinute) 次请求 \(perMinute) requests a minute per user")
        }
        if let perDay = facts.tokensPerDay { limits.append("每用户每日 \(perDay) 个词元 \(perDay) tokens a day per user") }
        md.bullet(
            "频率与用量限制 Rate and usage limits：" + (limits.isEmpty ? "未配置 none configured" : limits.joined(separator: "；"))
        )

        md.section("六、投诉举报制度 Complaints and reports (SA-5.6)")
        md.bullet(
            "投诉举报入口 Channel：\(facts.complaintsURL ?? "—")；\(facts.complaintWorkingDays) 个工作日内反馈处理结果（IM-15）。Reply within \(facts.complaintWorkingDays) working days."
        )
        let complaints = self.statistics.complaints
        md.bullet(
            "期间收到 \(complaints.received) 件：按时反馈 \(complaints.onTime) 件，超时 \(complaints.late) 件，处理中 \(complaints.open) 件，已超期 \(complaints.overdue) 件；按时率 \(complaints.onTimeRate.map { ReportPage.percent($0) } ?? "—")。"
                + " Received \(complaints.received): \(complaints.onTime) on time, \(complaints.late) late, \(complaints.open) open, \(complaints.overdue) overdue."
        )
        md.bullet(
            "处置申诉 \(facts.appealWorkingDays) 个工作日内答复；期间申诉 \(total.appeals) 件，解除处置 \(total.sanctionsLifted) 件。Appeals answered within \(facts.appealWorkingDays) working days: \(total.appeals) appeals, \(total.sanctionsLifted) sanctions lifted."
        )

        md.section("七、为网信部门提供技术、数据支持和协助 Support for the CAC (SA-5.7)")
        md.bullet(
            "审计日志可导出为可离线核验的数据包（`hegui audit export`），统计数据可按期间导出（`hegui report statistics`）。The audit log exports as a bundle verifiable offline; the statistics export by period."
        )
        md.labelled("工作机制 Provider's mechanism", self.text.cooperationCAC, key: "assessment.cooperation_cac")

        md.section("八、为公安机关、国家安全机关提供技术、数据支持和协助 Support for public and state security (SA-5.8)")
        md.bullet(
            "违规内容的证据与用户处置记录按期限保存，可按事件序号出具存在性证明（`hegui audit proof`）。Evidence and sanctions are kept for their periods; any event can be proven present in the log."
        )
        md.labelled("工作机制 Provider's mechanism", self.text.cooperationPolice, key: "assessment.cooperation_police")

        md.section("结论 Conclusion")
        md.block(ReportText.orPending(self.text.conclusion, key: "assessment.conclusion"))

        md.section("数据来源 Where the figures come from")
        md.line(self.auditBacking)
        return md.text
    }

    /// The audit log's signed tree head that backs the figures.
    var auditBacking: String {
        guard let head = self.facts.treeHead else {
            return "审计日志尚无签名树头。The audit log has no signed tree head yet."
        }
        var text = "本报告数据取自审计日志，截至签名树头：大小 \(head.treeSize)，根 `\(head.root.hex)`，"
        text += "签名时间 \(ReportPage.timestamp(head.time))，签名 `\(HexEncoding.encode(head.signature))`"
        if let key = self.facts.auditPublicKey { text += "，验证公钥 `\(key)`" }
        text +=
            "。以 `hegui audit verify` 核验。 The figures come from the audit log up to this signed tree head; verify with `hegui audit verify`."
        return text
    }

    static func share(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "—" : ReportPage.percent(Double(part) / Double(whole))
    }
}

/// A Markdown document being written.
struct ReportText {
    private(set) var text = ""

    mutating func line(_ line: String) { self.text += line + "\n" }
    mutating func blank() { self.text += "\n" }

    mutating func section(_ title: String) {
        self.text += "\n## \(title)\n\n"
    }

    mutating func bullet(_ text: String) { self.text += "- \(Self.flat(text))\n" }

    /// The provider's text of several lines, kept as lines; a line that Markdown would read as a
    /// heading, list item or table row starts with an ideographic space, so it stays text.
    mutating func block(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingSpaces
            let first = trimmed.first
            let isMarkup =
                first == "#" || first == "|" || first == ">" || trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ")
                || (trimmed.prefix(while: \.isNumber).isEmpty == false
                    && trimmed.drop(while: \.isNumber).hasPrefix(". "))
            self.text += (isMarkup ? "\u{3000}" : "") + trimmed + "\n"
        }
    }

    /// `**label**：text`, or the text still to be written.
    mutating func labelled(_ label: String, _ value: String, key: String) {
        self.text += "- **\(label)**：\(Self.flat(Self.orPending(value, key: key)))\n"
    }

    mutating func table(_ header: [String], _ rows: [[String]]) {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { Self.flat($0).replacingBars() }.joined(separator: " | ") + " |\n"
        }
        self.text += row(header)
        self.text += "|" + String(repeating: "---|", count: header.count) + "\n"
        for cells in rows { self.text += row(cells) }
    }

    static func pending(_ key: String) -> String { "（待填写 To be written: \(key)）" }

    static func orPending(_ value: String, key: String) -> String {
        value.trimmed.isEmpty ? Self.pending(key) : value.trimmed
    }

    /// One line: the provider's line breaks become spaces, so a text cannot start a heading.
    static func flat(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}

extension String {
    var trimmed: String { Substring(self).trimmingSpaces }

    fileprivate func replacingBars() -> String {
        var out = ""
        for character in self {
            if character == "|" { out += "\\|" } else { out.append(character) }
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: String {
        var view = self
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
