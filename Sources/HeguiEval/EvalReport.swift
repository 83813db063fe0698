package import HeguiCore

/// The self-evaluation report to attach to the filing (TC-9): each threshold with its counts,
/// point rate, Wilson 95 % interval and verdict; per-risk and per-aspect tables with SVG plots;
/// as JSON, Markdown or a printable page.
package struct EvalReport: Sendable {
    package var metrics: EvalMetrics
    package var target: String
    package var generatedAt: Int64
    /// The banks' files, and the sample's seed when the questions were sampled.
    package var banks: [String]
    package var seed: UInt64?
    package var catalogue: RiskCatalogue

    package init(
        metrics: EvalMetrics,
        target: String,
        generatedAt: Int64,
        banks: [String],
        seed: UInt64?,
        catalogue: RiskCatalogue = .standard
    ) {
        self.metrics = metrics
        self.target = target
        self.generatedAt = generatedAt
        self.banks = banks
        self.seed = seed
        self.catalogue = catalogue
    }

    static func rate(_ count: Int, _ total: Int) -> String {
        total == 0 ? "—" : ReportPage.percent(Double(count) / Double(total))
    }

    static func interval(_ count: Int, _ total: Int) -> String {
        guard total > 0 else { return "—" }
        let interval = WilsonInterval(successes: count, trials: total)
        return "\(ReportPage.percent(interval.lower)) – \(ReportPage.percent(interval.upper))"
    }

    static func outcome(_ outcome: ThresholdCheck.Outcome) -> String {
        switch outcome {
        case .pass: "通过 pass"
        case .fail: "未通过 fail"
        case .insufficient: "样本不足 sample too small"
        }
    }

    package var json: JSONValue {
        func number(_ value: Int) -> JSONValue { .number(String(value)) }
        func group(_ group: EvalMetrics.Group) -> JSONValue {
            .object([
                "key": .string(group.key), "judged": number(group.judged), "refused": number(group.refused),
                "keyword_safe": number(group.keywordSafe), "model_judged": number(group.modelJudged),
                "model_safe": number(group.modelSafe), "reviewed": number(group.reviewed),
                "reviewed_safe": number(group.reviewedSafe), "failed": number(group.failed),
            ])
        }
        let checks = self.metrics.checks.map { check -> JSONValue in
            .object([
                "requirement": .string(check.requirement),
                "name": .string(check.name.en),
                "count": number(check.count),
                "total": number(check.total),
                "rate": check.rate.map { .number(ReportPage.decimal($0, places: 4)) } ?? .null,
                "interval": .array([
                    .number(ReportPage.decimal(check.interval.lower, places: 4)),
                    .number(ReportPage.decimal(check.interval.upper, places: 4)),
                ]),
                "threshold_percent": number(check.percent),
                "direction": .string(check.direction.rawValue),
                "minimum_sample": number(check.minimumSample),
                "outcome": .string(check.outcome.rawValue),
            ])
        }
        return .object([
            "object": "hegui.eval_report",
            "target": .string(self.target),
            "generated_at": .string(ReportPage.timestamp(self.generatedAt)),
            "banks": .array(self.banks.map { .string($0) }),
            "seed": self.seed.map { .string(String($0)) } ?? .null,
            "passes": .bool(self.metrics.passes),
            "checks": .array(checks),
            "generated": .object([
                "total": group(self.metrics.generatedTotal), "risks": .array(self.metrics.generated.map(group)),
            ]),
            "should_refuse": .object([
                "total": group(self.metrics.shouldRefuseTotal), "risks": .array(self.metrics.shouldRefuse.map(group)),
            ]),
            "should_answer": .object([
                "total": group(self.metrics.shouldAnswerTotal), "aspects": .array(self.metrics.shouldAnswer.map(group)),
            ]),
        ])
    }

    package var markdown: String {
        var md = ""
        func line(_ text: String = "") { md += text + "\n" }
        func table(_ header: [String], _ rows: [[String]]) {
            line("| " + header.joined(separator: " | ") + " |")
            line("|" + String(repeating: "---|", count: header.count))
            for row in rows { line("| " + row.joined(separator: " | ") + " |") }
        }
        let metrics = self.metrics
        line("# 安全评估自测报告 Self-evaluation report (TC-9)")
        line()
        line("按 TC260-003《生成式人工智能服务安全基本要求》第 9 章的阈值评估（TC-8、TC-9）。以点估计为判定依据，Wilson 95% 区间列于其旁。")
        line(
            "Against the thresholds of TC260-003 §9 (TC-8, TC-9); the point rate is the gate, the Wilson 95 % interval is beside it."
        )
        line()
        table(
            ["项目 Item", "内容 Content"],
            [
                ["评估对象 Target", self.target],
                ["题库 Banks", self.banks.isEmpty ? "—" : self.banks.joined(separator: "，")],
                ["抽样种子 Seed", self.seed.map(String.init) ?? "—"],
                ["生成时间 Generated", ReportPage.timestamp(self.generatedAt)],
                ["结论 Verdict", metrics.passes ? "**全部通过 all thresholds pass**" : "**未全部通过 not all thresholds pass**"],
            ]
        )
        line()
        line("## 阈值 Thresholds")
        line()
        table(
            [
                "要求 Requirement", "指标 Measure", "计数 Count", "比例 Rate", "95% 区间 Interval", "阈值 Threshold",
                "最少样本 Minimum", "结论 Verdict",
            ],
            metrics.checks.map { check in
                [
                    check.requirement, "\(check.name.zh) \(check.name.en)", "\(check.count) / \(check.total)",
                    Self.rate(check.count, check.total), Self.interval(check.count, check.total),
                    (check.direction == .atLeast ? "≥ " : "≤ ") + "\(check.percent)%", String(check.minimumSample),
                    Self.outcome(check.outcome),
                ]
            }
        )
        let failures =
            metrics.generatedTotal.failed + metrics.shouldRefuseTotal.failed + metrics.shouldAnswerTotal.failed
        if failures > 0 {
            line()
            line(
                "**\(failures) 个问题请求失败，未计入 \(failures) questions failed for good and are left out**; rerun `hegui eval run` to retry them."
            )
        }
        if !metrics.generated.isEmpty {
            line()
            line("## 生成内容（按风险）Generated content by risk (TC-9.3)")
            line()
            table(
                [
                    "风险 Risk", "作答 Judged", "合格（关键词）Safe (keywords)", "合格率 Rate", "95% 区间", "分类模型 Classifier",
                    "人工 Manual",
                ],
                metrics.generated.map { group in
                    [
                        self.riskName(group.key), String(group.judged), String(group.keywordSafe),
                        Self.rate(group.keywordSafe, group.judged), Self.interval(group.keywordSafe, group.judged),
                        group.modelJudged == 0 ? "—" : "\(group.modelSafe) / \(group.modelJudged)",
                        group.reviewed == 0 ? "—" : "\(group.reviewedSafe) / \(group.reviewed)",
                    ]
                }
            )
        }
        if !metrics.shouldRefuse.isEmpty {
            line()
            line("## 应拒答（按风险）Should-refuse by risk (TC-9.4.1)")
            line()
            table(
                ["风险 Risk", "作答 Judged", "拒答 Refused", "拒答率 Rate", "95% 区间"],
                metrics.shouldRefuse.map { group in
                    [
                        self.riskName(group.key), String(group.judged), String(group.refused),
                        Self.rate(group.refused, group.judged), Self.interval(group.refused, group.judged),
                    ]
                }
            )
        }
        if !metrics.shouldAnswer.isEmpty {
            line()
            line("## 非拒答（按方面）Should-not-refuse by aspect (TC-9.4.2)")
            line()
            table(
                ["方面 Aspect", "作答 Judged", "误拒 Refused", "误拒率 Rate", "95% 区间"],
                metrics.shouldAnswer.map { group in
                    [
                        "\(group.key) \(AnswerAspect(rawValue: group.key)?.chinese ?? "")", String(group.judged),
                        String(group.refused), Self.rate(group.refused, group.judged),
                        Self.interval(group.refused, group.judged),
                    ]
                }
            )
        }
        return md
    }

    func riskName(_ code: String) -> String {
        guard let risk = self.catalogue.risk(code) else { return code }
        return "\(code) \(risk.chineseName)"
    }

    /// The page: the Markdown rendered, with bar plots of the per-risk and per-aspect rates.
    package var html: String {
        typealias Plot = (
            title: String, groups: [EvalMetrics.Group], count: KeyPath<EvalMetrics.Group, Int>, color: String
        )
        let plots: [Plot] = [
            ("生成内容合格率（%）Generated content pass rate by risk (%)", self.metrics.generated, \.keywordSafe, "#1e8449"),
            ("应拒答题拒答率（%）Refusal rate by risk (%)", self.metrics.shouldRefuse, \.refused, "#2471a3"),
            ("非拒答题误拒率（%）Wrongful refusal by aspect (%)", self.metrics.shouldAnswer, \.refused, "#c0392b"),
        ]
        var sections = ""
        for plot in plots where !plot.groups.isEmpty {
            let items = plot.groups.map { group in
                let count = group[keyPath: plot.count]
                return (self.riskName(group.key), Self.percentValue(count, group.judged), "\(count) / \(group.judged)")
            }
            sections += "<section>" + SVGChart.bars(title: plot.title, items: items, color: plot.color) + "</section>\n"
        }
        return ReportPage.page(
            title: "安全评估自测报告 Self-evaluation report",
            body: MarkdownPage.render(self.markdown, topHeading: 1) + sections
        )
    }

    /// A rate in whole percent, for the plots.
    static func percentValue(_ count: Int, _ total: Int) -> Int {
        total == 0 ? 0 : Int((Double(count) * 100 / Double(total)).rounded())
    }
}
