import HeguiCore

/// The explanation IM-19.1 asks a provider to give on inspection: the source, scale and type of
/// the training data, its annotation rules and the algorithm's mechanism, from the training-data
/// register, the latest corpus checks and the provider's filing texts. Markdown, and printable
/// HTML through ``MarkdownPage``.
package struct CorpusExplanation: Sendable {
    package var register: CorpusRegister
    /// The newest check of each source, by source id.
    package var checks: [String: CorpusCheck.Result]
    package var facts: ServiceFacts
    package var text: OperatorText
    package var generatedAt: Int64

    package init(
        register: CorpusRegister,
        checks: [CorpusCheck.Result],
        facts: ServiceFacts,
        text: OperatorText,
        generatedAt: Int64
    ) {
        self.register = register
        var newest: [String: CorpusCheck.Result] = [:]
        for check in checks { newest[check.source] = check }  // the log is in time order
        self.checks = newest
        self.facts = facts
        self.text = text
        self.generatedAt = generatedAt
    }

    package var markdown: String {
        var md = ReportText()
        md.line("# 训练数据与算法机制说明 Training data and algorithm explanation")
        md.blank()
        md.line("按《生成式人工智能服务管理暂行办法》第十九条，说明训练数据来源、规模、类型、标注规则和算法机制（IM-19.1）。")
        md.line(
            "The source, scale and type of the training data, its annotation rules and the algorithm's mechanism (IM-19.1)."
        )
        md.blank()
        md.line(
            "服务 Service: \(self.facts.name) · 提供者 Provider: \(ReportText.orPending(self.facts.provider, key: "service.provider")) · 生成时间 Generated: \(ReportPage.timestamp(self.generatedAt))"
        )
        let errors = self.register.problems.filter { $0.severity == .error }
        if !errors.isEmpty {
            md.blank()
            md.line("**登记不完整 The register is incomplete**: " + errors.map(\.description).joined(separator: "; "))
        }

        md.section("一、数据来源 Sources (IM-7, TC-5.1.3)")
        md.table(
            ["来源 Source", "类别 Origin", "授权 Licence or authorisation", "采集日期 Collected", "境内 Domestic"],
            self.register.sources.map { source in
                let authority = [source.licence, source.authorisation].filter { !$0.trimmed.isEmpty }.joined(
                    separator: "；"
                )
                return [
                    "\(source.name) (`\(source.id)`)",
                    source.origin.map { "\($0.names.zh) \($0.names.en)" } ?? "—",
                    authority.isEmpty ? "—" : authority,
                    source.collected?.description ?? "—",
                    source.domestic.map { $0 ? "是 yes" : "否 no" } ?? "—",
                ]
            }
        )

        md.section("二、规模与类型 Scale and type")
        md.table(
            ["来源 Source", "规模 Size", "条目 Items", "类型 Type", "语言 Language", "占比 Share"],
            self.register.sources.map { source in
                [
                    source.id, source.size.isEmpty ? "—" : source.size, source.items.map(String.init) ?? "—",
                    source.type.isEmpty ? "—" : source.type, source.language.isEmpty ? "—" : source.language,
                    source.share.map { ReportPage.percent($0) } ?? "—",
                ]
            }
        )
        md.blank()
        var byType: [String: Double] = [:]
        var byLanguage: [String: Double] = [:]
        for source in self.register.sources {
            byType[source.type.isEmpty ? "—" : source.type, default: 0] += source.share ?? 0
            byLanguage[source.language.isEmpty ? "—" : source.language, default: 0] += source.share ?? 0
        }
        md.line(
            "按类型 By type: "
                + byType.sorted { $0.key < $1.key }.map { "\($0.key) \(ReportPage.percent($0.value))" }.joined(
                    separator: "，"
                )
        )
        md.blank()
        md.line(
            "按语言 By language: "
                + byLanguage.sorted { $0.key < $1.key }.map { "\($0.key) \(ReportPage.percent($0.value))" }
                .joined(separator: "，")
        )

        md.section("三、个人信息 Personal information (IM-7.3, TC-5.2.3)")
        md.table(
            ["来源 Source", "个人信息 Personal information", "依据 Basis"],
            self.register.sources.map { source in
                [
                    source.id, source.personalInformation.map { "\($0.names.zh) \($0.names.en)" } ?? "—",
                    source.consentBasis.trimmed.isEmpty ? "—" : source.consentBasis,
                ]
            }
        )

        md.section("四、内容安全抽检 Content checks (TC-5.1.1, TC-9.2.2)")
        md.table(
            ["来源 Source", "抽样 Sampled", "违法不良 Flagged", "比例 Share", "95% 区间 Interval", "结论 Verdict", "时间 Checked"],
            self.register.sources.map { source in
                guard let check = self.checks[source.id] else {
                    return [source.id, "—", "—", "—", "—", "未抽检 not checked", "—"]
                }
                let verdict =
                    check.admitted ? "可用 admitted" : "不可用 rejected (> \(ReportPage.percent(check.threshold)))"
                return [
                    source.id, "\(check.sampled) / \(check.items)", String(check.flagged),
                    ReportPage.percent(check.share),
                    "\(ReportPage.percent(check.interval.lower)) – \(ReportPage.percent(check.interval.upper))",
                    verdict + (check.isBorderline ? "（区间跨越阈值 interval spans the threshold）" : ""), check.checkedText,
                ]
            }
        )

        md.section("五、标注规则 Annotation rules (IM-8.1, TC-5.3)")
        for source in self.register.sources {
            md.bullet(
                "`\(source.id)`：\(source.annotationRules.trimmed.isEmpty ? ReportText.pending("annotation_rules") : source.annotationRules)"
            )
        }

        md.section("六、算法机制 The algorithm's mechanism")
        md.block(ReportText.orPending(self.text.principle, key: "filing.principle"))
        if !self.text.models.isEmpty {
            md.blank()
            md.table(
                ["模型 Model", "版本 Version", "基础模型 Base model", "备案/登记号 Registration"],
                self.text.models.map { [$0.name, $0.version, $0.baseModel, $0.registration] }
            )
        }
        return md.text
    }
}
