package import HeguiCore

/// The algorithm filing dossier (OPS-4.1, IM-17): the items the filing system asks for, filled from
/// the configuration and live data (service, provider, models and versions, purpose and
/// scenarios, the algorithm's type, principle and mechanism in the provider's words, the policy in
/// force, the labelling rules, the complaint channel and its time limit, the security measures),
/// with the deadlines of the filing and its changes. Markdown, and printable HTML through
/// ``MarkdownPage``.
package struct FilingDossier: Sendable {
    package var facts: ServiceFacts
    package var text: OperatorText
    package var deadlines: [FilingSchedule.Deadline]
    /// Why the deadlines could not be counted, if so.
    package var deadlineError: String?
    /// When the dossier was made (milliseconds since 1970).
    package var generatedAt: Int64

    package init(
        facts: ServiceFacts,
        text: OperatorText,
        deadlines: [FilingSchedule.Deadline],
        deadlineError: String? = nil,
        generatedAt: Int64
    ) {
        self.facts = facts
        self.text = text
        self.deadlines = deadlines
        self.deadlineError = deadlineError
        self.generatedAt = generatedAt
    }

    /// The dossier with the deadlines of `schedule` as they stand on the Beijing date of `now`.
    package init(
        facts: ServiceFacts,
        text: OperatorText,
        schedule: FilingSchedule,
        calendar: WorkingDayCalendar,
        now: Int64
    ) {
        var deadlines: [FilingSchedule.Deadline] = []
        var error: String?
        do {
            deadlines = try schedule.deadlines(on: LocalTime.beijing.date(of: now), calendar: calendar)
        } catch let failure {
            error = failure.description
        }
        self.init(facts: facts, text: text, deadlines: deadlines, deadlineError: error, generatedAt: now)
    }

    /// The configuration keys of the provider's texts the dossier still lacks.
    package var missing: [String] {
        var keys: [String] = []
        if self.facts.provider.trimmed.isEmpty { keys.append("service.provider") }
        if self.facts.purpose.trimmed.isEmpty { keys.append("service.purpose") }
        if self.text.algorithmType.trimmed.isEmpty { keys.append("filing.algorithm_type") }
        if self.text.scenarios.isEmpty { keys.append("filing.scenarios") }
        if self.text.principle.trimmed.isEmpty { keys.append("filing.principle") }
        if self.text.models.isEmpty { keys.append("filing.models") }
        if self.text.securityMeasures.trimmed.isEmpty { keys.append("filing.security_measures") }
        if self.facts.labelProducerIsPlaceholder { keys.append("labels.producer") }
        return keys
    }

    package var markdown: String {
        let facts = self.facts
        var md = ReportText()
        md.line("# 算法备案材料 Algorithm filing dossier")
        md.blank()
        md.line("按《互联网信息服务算法推荐管理规定》第二十四条与《生成式人工智能服务管理暂行办法》第十七条整理（OPS-4.1，IM-17）。")
        md.line(
            "Items of the algorithm filing (OPS-4.1, IM-17), filled from the gateway's configuration and live data."
        )
        md.blank()
        md.line("生成时间 Generated: \(ReportPage.timestamp(self.generatedAt))")
        let missing = self.missing
        if !missing.isEmpty {
            md.blank()
            md.line("**待补充 Still to be written** (hegui.yaml): " + missing.joined(separator: ", "))
        }

        md.section("一、服务与提供者 Service and provider")
        md.table(
            ["项目 Item", "内容 Content"],
            [
                ["服务名称 Service name", facts.name],
                ["服务提供者 Provider", ReportText.orPending(facts.provider, key: "service.provider")],
                [
                    "服务形式 Form",
                    "面向公众的生成式人工智能服务，经 OpenAI 兼容接口提供 A public generative-AI service over an OpenAI-compatible API",
                ],
                [
                    "应用领域 Purpose",
                    ReportText.orPending(facts.purpose, key: "service.purpose")
                        + (facts.purposeEN.isEmpty ? "" : " / \(facts.purposeEN)"),
                ],
                [
                    "应用场景 Scenarios",
                    self.text.scenarios.isEmpty
                        ? ReportText.pending("filing.scenarios") : self.text.scenarios.joined(separator: "、"),
                ],
                ["算法类型 Algorithm type", ReportText.orPending(self.text.algorithmType, key: "filing.algorithm_type")],
                [
                    "备案号 Filing numbers",
                    facts.filingNumbers.isEmpty
                        ? "备案办理中 Filing in progress" : facts.filingNumbers.joined(separator: "、"),
                ],
                ["服务地址 Address", facts.publicURL ?? "—"],
            ]
        )

        md.section("二、模型及版本 Models and versions (TC-6.1)")
        if self.text.models.isEmpty {
            md.line(ReportText.pending("filing.models"))
        } else {
            md.table(
                ["模型 Model", "版本 Version", "基础模型 Base model", "备案/登记号 Registration"],
                self.text.models.map { [$0.name, $0.version.orDash, $0.baseModel.orDash, $0.registration.orDash] }
            )
        }
        if !facts.models.isEmpty {
            md.blank()
            md.line(
                "网关对外提供的模型名 Model names the gateway offers: "
                    + facts.models.map { "`\($0.name)` → `\($0.upstream)`" }.joined(separator: "，")
            )
        }

        md.section("三、算法基本原理与运行机制 The algorithm's principle and mechanism")
        md.block(ReportText.orPending(self.text.principle, key: "filing.principle"))

        md.section("四、内容安全策略 The policy in force (IM-14, TC-7, TC-8)")
        md.bullet(
            "审核策略 Policy: \(facts.policyName.isEmpty ? "—" : facts.policyName)，版本 version \(facts.policyVersion.isEmpty ? "—" : facts.policyVersion)"
        )
        md.bullet(
            "关键词 \(facts.totalTerms) 条，覆盖风险 \(facts.termsByRisk.filter { $0.value > 0 }.count) 类（TC-8.1 要求 ≥ 10,000 条）。Lexicon: \(facts.totalTerms) terms over \(facts.termsByRisk.filter { $0.value > 0 }.count) risks."
        )
        md.bullet(
            "分类模型 Classifiers: \(facts.classifiers.isEmpty ? "未配置 none" : facts.classifiers.joined(separator: "、"))"
        )
        md.bullet(
            "输入、输出及流式输出的每个事件均经审核；违规回答以合规回答替代。Inputs, answers and every streamed event are checked; a violating answer is replaced by the compliant answer."
        )
        md.bullet("用户处置 Sanctions: \(facts.sanctionsLadder.zh) \(facts.sanctionsLadder.en)")

        md.section("五、生成内容标识规则 Labelling rules (IM-12, GB 45438-2025)")
        md.bullet("文字 Text: \(facts.chatLabel.zh) / \(facts.chatLabel.en)；JSON 回答与流式首个事件带 `aigc` 隐式标识，响应头 `X-AIGC`。")
        md.bullet(
            "图片 Images: \(facts.imageMark.map { "可见标识“\($0)”与元数据隐式标识 visible mark and implicit label" } ?? "元数据隐式标识 implicit label only")"
        )
        md.bullet(
            "音频 Audio: \(facts.audioCue.map { "提示音或语音标识 \($0) cue or spoken label" } ?? "元数据隐式标识 implicit label only")"
        )
        md.bullet(
            "服务提供者编码 Provider code (ContentProducer): `\(facts.labelProducer)`\(facts.labelProducerIsPlaceholder ? "（占位编码，须替换 placeholder: configure labels.producer）" : "")；完整性 seal: \(facts.labelSeal)"
        )

        md.section("六、投诉举报渠道 Complaint channel (IM-15)")
        md.bullet(
            "入口 Channel: \(facts.complaintsURL ?? "—")；\(facts.complaintWorkingDays) 个工作日内反馈 reply within \(facts.complaintWorkingDays) working days。"
        )
        md.bullet(
            "个人信息请求 \(facts.rightsRequestWorkingDays) 个工作日内办结 Personal-information requests within \(facts.rightsRequestWorkingDays) working days (IM-11.5)。"
        )

        md.section("七、安全保障措施 Security measures")
        md.bullet(
            "防篡改审计日志（Merkle 树、签名树头），记录保存 \(facts.metadataRetentionDays.map { "\($0) 天 days" } ?? "长期 indefinitely")（OPS-1）。Tamper-evident audit log."
        )
        md.bullet("终端用户假名化；个人信息识别与遮蔽（A4f）；未成年人模式 minors' mode: \(facts.minors.zh) \(facts.minors.en)")
        md.labelled("提供者其他措施 Provider's further measures", self.text.securityMeasures, key: "filing.security_measures")

        md.section("八、备案期限 Filing deadlines (OPS-4.1–4.3)")
        if let error = self.deadlineError {
            md.line("期限无法计算 Deadlines cannot be counted: \(error)")
        } else if self.deadlines.isEmpty {
            md.line("未配置上线日期 No launch date configured (filing.launched).")
        } else {
            md.table(
                ["事项 What", "日期 Date", "期限 Due", "状态 Status", "剩余工作日 Working days left"],
                self.deadlines.map { deadline in
                    let names = deadline.event.kind.names
                    let what = deadline.event.what.isEmpty ? "" : "：\(deadline.event.what)"
                    return [
                        "\(names.zh) \(names.en)\(what) (\(deadline.event.kind.requirement))",
                        deadline.event.date.description, deadline.due.description, deadline.status.rawValue,
                        String(deadline.workingDaysLeft),
                    ]
                }
            )
        }
        return md.text
    }
}

extension String {
    fileprivate var orDash: String { self.trimmed.isEmpty ? "—" : self }
}
