package import HeguiCore
package import HeguiStore

/// The statistics dashboard (issue 9 item 8): a period's figures from the audit log with the
/// complaint, personal-information and filing deadlines, as a page with server-drawn SVG charts
/// (no script, nothing loaded from elsewhere), as JSON and as CSV.
package struct StatisticsReport: Sendable {
    package var from: CivilDate
    package var through: CivilDate
    /// One tenant's figures, or every tenant's (`nil`).
    package var tenant: String?
    package var daily: [(day: CivilDate, figures: ServiceStatistics.Figures)]
    package var total: ServiceStatistics.Figures
    package var complaints: DeadlineFigures
    package var rightsRequests: DeadlineFigures
    package var filing: [FilingSchedule.Deadline]
    /// Why the filing deadlines could not be counted (a year the calendar lacks), if so.
    package var filingError: String?
    package var catalogue: RiskCatalogue
    /// When the figures were read (milliseconds since 1970).
    package var generatedAt: Int64

    package init(
        from: CivilDate,
        through: CivilDate,
        tenant: String?,
        daily: [(day: CivilDate, figures: ServiceStatistics.Figures)],
        total: ServiceStatistics.Figures,
        complaints: DeadlineFigures,
        rightsRequests: DeadlineFigures,
        filing: [FilingSchedule.Deadline],
        filingError: String?,
        catalogue: RiskCatalogue,
        generatedAt: Int64
    ) {
        self.from = from
        self.through = through
        self.tenant = tenant
        self.daily = daily
        self.total = total
        self.complaints = complaints
        self.rightsRequests = rightsRequests
        self.filing = filing
        self.filingError = filingError
        self.catalogue = catalogue
        self.generatedAt = generatedAt
    }

    /// The figures of `from` through `through` (Beijing days) from a tally of the log and the
    /// store's complaints and personal-information requests.
    package static func gather(
        statistics: ServiceStatistics,
        store: some ComplaintStore & RightsRequestStore,
        from: CivilDate,
        through: CivilDate,
        tenant: String? = nil,
        filing: FilingSchedule,
        calendar: WorkingDayCalendar,
        catalogue: RiskCatalogue = .standard,
        now: Int64
    ) async throws -> StatisticsReport {
        let zone = statistics.zone
        let start = zone.start(ofDay: from.daysSince1970)
        let end = zone.start(ofDay: through.daysSince1970 + 1) - 1
        var deadlines: [FilingSchedule.Deadline] = []
        var filingError: String?
        do {
            deadlines = try filing.deadlines(on: zone.date(of: now), calendar: calendar)
        } catch {
            filingError = error.description
        }
        return StatisticsReport(
            from: from,
            through: through,
            tenant: tenant,
            daily: statistics.daily(from: from, through: through, tenant: tenant),
            total: statistics.total(from: from, through: through, tenant: tenant),
            complaints: try await DeadlineFigures.complaints(
                in: store,
                from: start,
                through: end,
                tenant: tenant,
                now: now
            ),
            rightsRequests: try await DeadlineFigures.rightsRequests(
                in: store,
                from: start,
                through: end,
                tenant: tenant,
                now: now
            ),
            filing: deadlines,
            filingError: filingError,
            catalogue: catalogue,
            generatedAt: now
        )
    }

    /// Risks with decisions other than allow in the period, most first (ties by code).
    package var risksByHits: [(code: String, input: Int, output: Int)] {
        self.total.risks.map { code, directions in
            (code, directions["input"] ?? 0, directions["output"] ?? 0)
        }
        .sorted { ($0.input + $0.output, $1.code) > ($1.input + $1.output, $0.code) }
    }

    /// A risk's code with its Chinese and English names, when the catalogue knows it.
    package func riskName(_ code: String) -> String {
        guard let risk = self.catalogue.risk(code) else { return code }
        return "\(code) \(risk.chineseName) \(risk.englishName)"
    }

    // MARK: JSON

    package var json: JSONValue {
        func number(_ value: Int) -> JSONValue { .number(String(value)) }
        func actions(_ counts: ServiceStatistics.ActionCounts) -> JSONValue {
            .object(JSONObject(ModerationAction.allCases.map { (key: $0.rawValue, value: number(counts[$0])) }))
        }
        func counts(_ dictionary: [String: Int]) -> JSONValue {
            .object(JSONObject(dictionary.sorted { $0.key < $1.key }.map { (key: $0.key, value: number($0.value)) }))
        }
        func figures(_ figures: ServiceStatistics.Figures) -> JSONObject {
            [
                "requests": number(figures.requests),
                "moderation_checks": number(figures.moderationChecks),
                "input": actions(figures.input),
                "output": actions(figures.output),
                "streams_stopped": number(figures.streamsStopped),
                "classifier_errors": number(figures.classifierErrors),
                "sanctions": counts(figures.sanctions),
                "sanctions_lifted": number(figures.sanctionsLifted),
                "appeals": number(figures.appeals),
                "reported_to_authorities": number(figures.reportedToAuthorities),
                "complaints": counts(figures.complaints),
                "complaints_overdue": number(figures.complaintsOverdue),
                "takedowns": number(figures.takedowns),
                "incidents": number(figures.incidents),
                "labelled_files": number(figures.labelledFiles),
                "refused_users": counts(figures.refusedUsers),
                "data_exports": number(figures.dataExports),
                "deletions": number(figures.deletions),
            ]
        }
        func deadlines(_ figures: DeadlineFigures) -> JSONValue {
            var object: JSONObject = [
                "received": number(figures.received), "on_time": number(figures.onTime), "late": number(figures.late),
                "open": number(figures.open), "overdue": number(figures.overdue),
            ]
            object["on_time_rate"] = figures.onTimeRate.map { .number(ReportPage.decimal($0, places: 4)) } ?? .null
            return .object(object)
        }
        var total = figures(self.total)
        total["risks"] = .array(
            self.risksByHits.map { risk in
                var object: JSONObject = [
                    "code": .string(risk.code), "input": number(risk.input), "output": number(risk.output),
                ]
                if let named = self.catalogue.risk(risk.code) {
                    object["name_zh"] = .string(named.chineseName)
                    object["name_en"] = .string(named.englishName)
                }
                return .object(object)
            }
        )
        var object: JSONObject = [
            "from": .string(self.from.description),
            "through": .string(self.through.description),
            "tenant": self.tenant.map(JSONValue.string) ?? .null,
            "generated_at": .string(ReportPage.timestamp(self.generatedAt)),
            "total": .object(total),
            "daily": .array(
                self.daily.map { day in
                    var object = figures(day.figures)
                    object["day"] = .string(day.day.description)
                    object["risks"] = .object(
                        JSONObject(
                            day.figures.risks.sorted { $0.key < $1.key }.map { (key: $0.key, value: counts($0.value)) }
                        )
                    )
                    return .object(object)
                }
            ),
            "complaints": deadlines(self.complaints),
            "rights_requests": deadlines(self.rightsRequests),
            "filing": .array(
                self.filing.map { deadline in
                    .object([
                        "kind": .string(deadline.event.kind.rawValue),
                        "requirement": .string(deadline.event.kind.requirement),
                        "date": .string(deadline.event.date.description),
                        "due": .string(deadline.due.description),
                        "status": .string(deadline.status.rawValue),
                        "working_days_left": number(deadline.workingDaysLeft),
                    ])
                }
            ),
        ]
        if let filingError = self.filingError { object["filing_error"] = .string(filingError) }
        return .object(object)
    }

    // MARK: CSV

    /// The columns of the daily CSV, in order.
    package static let csvColumns = [
        "day", "requests", "moderation_checks", "input_allow", "input_flag", "input_redact", "input_block",
        "output_allow", "output_flag", "output_redact", "output_block", "streams_stopped", "classifier_errors",
        "sanctions_warning", "sanctions_restriction", "sanctions_suspension", "sanctions_termination",
        "sanctions_lifted", "appeals", "reported_to_authorities", "complaints", "complaints_overdue", "takedowns",
        "incidents", "labelled_files", "refused_users", "data_exports", "deletions",
    ]

    /// One line a day (RFC 4180, `\r\n` line ends), then a `total` line.
    package var csv: String {
        func row(_ name: String, _ figures: ServiceStatistics.Figures) -> String {
            var values: [String] = [name, String(figures.requests), String(figures.moderationChecks)]
            for counts in [figures.input, figures.output] {
                values += ModerationAction.allCases.map { String(counts[$0]) }
            }
            values += [String(figures.streamsStopped), String(figures.classifierErrors)]
            values += ServiceStatistics.sanctionSteps.map { String(figures.sanctions[$0] ?? 0) }
            values += [
                figures.sanctionsLifted, figures.appeals, figures.reportedToAuthorities, figures.complaintsReceived,
                figures.complaintsOverdue, figures.takedowns, figures.incidents, figures.labelledFiles,
                figures.refusedUsers.values.reduce(0, +), figures.dataExports, figures.deletions,
            ].map(String.init)
            return values.joined(separator: ",") + "\r\n"
        }
        var csv = Self.csvColumns.joined(separator: ",") + "\r\n"
        for day in self.daily { csv += row(day.day.description, day.figures) }
        return csv + row("total", self.total)
    }

    /// Decisions other than allow by risk: `risk,name_zh,name_en,input,output` (names quoted).
    package var risksCSV: String {
        var csv = "risk,name_zh,name_en,input,output\r\n"
        for risk in self.risksByHits {
            let named = self.catalogue.risk(risk.code)
            csv +=
                [
                    Self.csvField(risk.code), Self.csvField(named?.chineseName ?? ""),
                    Self.csvField(named?.englishName ?? ""),
                    String(risk.input), String(risk.output),
                ]
                .joined(separator: ",") + "\r\n"
        }
        return csv
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingAll("\"", with: "\"\"") + "\""
    }

    // MARK: HTML

    /// The dashboard page: figures, charts and tables; no script.
    package var html: String {
        func escape(_ text: String) -> String { MarkdownPage.escape(text) }
        let days = self.daily.map { "\($0.day.month)-\($0.day.day)" }
        let total = self.total
        var body = ""
        body += "<header><h1>统计 Statistics</h1><p>"
        body += "\(escape(self.from.description)) – \(escape(self.through.description))"
        body += self.tenant.map { " · 租户 tenant <b>\(escape($0))</b>" } ?? " · 全部租户 all tenants"
        body += " · 生成于 generated \(escape(ReportPage.timestamp(self.generatedAt)))</p></header>\n"

        let cards: [(String, String)] = [
            ("请求 Requests", String(total.requests)),
            ("输入拦截 Inputs refused", String(total.input.block)),
            ("输出拦截 Answers refused", String(total.output.block)),
            ("流式中断 Streams stopped", String(total.streamsStopped)),
            ("处置 Sanctions", String(total.sanctionsImposed)),
            ("投诉举报 Complaints", String(total.complaintsReceived)),
            ("按时反馈 Answered on time", self.complaints.onTimeRate.map { ReportPage.percent($0) } ?? "–"),
            ("个人信息请求 PI requests", String(self.rightsRequests.received)),
        ]
        body += "<section class=\"cards\">"
        for (name, value) in cards {
            body += "<div class=\"card\"><div class=\"value\">\(escape(value))</div><div>\(escape(name))</div></div>"
        }
        body += "</section>\n"

        body +=
            "<section>"
            + SVGChart.columns(
                title: "每日请求 Requests per day",
                categories: days,
                series: [
                    .init(name: "全部放行 Allowed", color: "#7fb3d5", values: self.daily.map { $0.figures.output.allow }),
                    .init(
                        name: "有处置 With a decision",
                        color: "#e67e22",
                        values: self.daily.map {
                            $0.figures.requests - min($0.figures.output.allow, $0.figures.requests)
                        }
                    ),
                ]
            ) + "</section>\n"
        body +=
            "<section>"
            + SVGChart.columns(
                title: "按方向与处置 Decisions other than allow, by direction",
                categories: days,
                series: [
                    .init(
                        name: "输入拦截 Input block",
                        color: "#922b21",
                        values: self.daily.map { $0.figures.input.block }
                    ),
                    .init(
                        name: "输出拦截 Output block",
                        color: "#e74c3c",
                        values: self.daily.map { $0.figures.output.block }
                    ),
                    .init(
                        name: "遮蔽 Redact",
                        color: "#f5b041",
                        values: self.daily.map { $0.figures.input.redact + $0.figures.output.redact }
                    ),
                    .init(
                        name: "标记 Flag",
                        color: "#a569bd",
                        values: self.daily.map { $0.figures.input.flag + $0.figures.output.flag }
                    ),
                    .init(
                        name: "流式中断 Stream stopped",
                        color: "#34495e",
                        values: self.daily.map { $0.figures.streamsStopped }
                    ),
                ]
            ) + "</section>\n"
        let palette = ["#922b21", "#d35400", "#b7950b", "#1e8449", "#2471a3", "#7d3c98"]
        let top = self.risksByHits.prefix(5).map(\.code)
        var riskSeries = top.enumerated().map { index, code in
            SVGChart.Series(
                name: code,
                color: palette[index],
                values: self.daily.map { $0.figures.hits(of: code) }
            )
        }
        if self.risksByHits.count > top.count {
            riskSeries.append(
                SVGChart.Series(
                    name: "其他 Other",
                    color: palette[5],
                    values: self.daily.map { day in
                        day.figures.risks.keys.filter { !top.contains($0) }.reduce(0) { $0 + day.figures.hits(of: $1) }
                    }
                )
            )
        }
        body +=
            "<section>"
            + SVGChart.columns(
                title: "每日按风险 Decisions other than allow per day, by risk",
                categories: days,
                series: riskSeries
            ) + "</section>\n"
        body +=
            "<section>"
            + SVGChart.bars(
                title: "按风险 By risk (TC260-003 附录A)",
                items: self.risksByHits.prefix(20).map { risk in
                    let named = self.catalogue.risk(risk.code)
                    return (
                        "\(risk.code) \(named?.chineseName ?? "")",
                        risk.input + risk.output,
                        "\(self.riskName(risk.code)) · 输入 input \(risk.input) · 输出 output \(risk.output)"
                    )
                }
            ) + "</section>\n"
        body +=
            "<section>"
            + SVGChart.bars(
                title: "用户处置 Sanctions by step (IM-14.4)",
                items: [
                    ("警示 Warning", total.sanctions["warning"] ?? 0, ""),
                    ("限制功能 Restriction", total.sanctions["restriction"] ?? 0, ""),
                    ("暂停服务 Suspension", total.sanctions["suspension"] ?? 0, ""),
                    ("终止服务 Termination", total.sanctions["termination"] ?? 0, ""),
                ],
                color: "#af601a"
            ) + "</section>\n"
        body +=
            "<section>"
            + SVGChart.columns(
                title: "每日投诉举报 Complaints per day (IM-15)",
                categories: days,
                series: [
                    .init(
                        name: "收到 Received",
                        color: "#2e86c1",
                        values: self.daily.map { $0.figures.complaintsReceived }
                    ),
                    .init(
                        name: "超期 Overdue",
                        color: "#c0392b",
                        values: self.daily.map { $0.figures.complaintsOverdue }
                    ),
                ]
            ) + "</section>\n"

        body += "<section><h2>时限 Time limits</h2><table><thead><tr><th></th>"
        body += "<th>收到 Received</th><th>按时 On time</th><th>超时 Late</th><th>处理中 Open</th>"
        body += "<th>已超期 Overdue</th><th>按时率 On-time rate</th></tr></thead><tbody>"
        for (name, figures) in [
            ("投诉举报 Complaints (IM-15.3)", self.complaints),
            ("个人信息请求 PI requests (IM-11.5)", self.rightsRequests),
        ] {
            body += "<tr><th>\(escape(name))</th><td>\(figures.received)</td><td>\(figures.onTime)</td>"
            body += "<td>\(figures.late)</td><td>\(figures.open)</td><td>\(figures.overdue)</td>"
            body += "<td>\(escape(figures.onTimeRate.map { ReportPage.percent($0) } ?? "–"))</td></tr>"
        }
        body += "</tbody></table></section>\n"

        body += "<section><h2>算法备案 Algorithm filing (OPS-4)</h2>"
        if let error = self.filingError {
            body += "<p class=\"warn\">\(escape(error))</p>"
        } else if self.filing.isEmpty {
            body += "<p>未配置上线日期 No launch date configured (filing.launched).</p>"
        } else {
            body += "<table><thead><tr><th>事项 What</th><th>日期 Date</th><th>期限 Due</th><th>状态 Status</th>"
            body += "<th>剩余工作日 Working days left</th></tr></thead><tbody>"
            for deadline in self.filing {
                let names = deadline.event.kind.names
                let status = deadline.status.rawValue
                body += "<tr class=\"\(escape(status))\"><td>\(escape(names.zh)) \(escape(names.en))"
                if !deadline.event.what.isEmpty { body += ": \(escape(deadline.event.what))" }
                body +=
                    "</td><td>\(escape(deadline.event.date.description))</td><td>\(escape(deadline.due.description))</td>"
                body += "<td>\(escape(status))</td><td>\(deadline.workingDaysLeft)</td></tr>"
            }
            body += "</tbody></table>"
        }
        body += "</section>\n"

        body += "<section><h2>其他 Other figures</h2><table><tbody>"
        let others: [(String, Int)] = [
            ("内容审核接口调用 Moderation API calls", total.moderationChecks),
            ("分类模型故障 Classifier failures", total.classifierErrors),
            ("解除处置 Sanctions lifted", total.sanctionsLifted),
            ("申诉 Appeals", total.appeals),
            ("向主管部门报告 Reported to the authorities (IM-14.5)", total.reportedToAuthorities),
            ("下架内容 Content taken down", total.takedowns),
            ("安全事件 Incidents", total.incidents),
            ("已标识文件 Labelled files (IM-12)", total.labelledFiles),
            ("提供个人信息副本 Personal-information copies given", total.dataExports),
            ("删除 Deletions", total.deletions),
        ]
        for (name, value) in others {
            body += "<tr><th>\(escape(name))</th><td>\(value)</td></tr>"
        }
        for (code, value) in total.refusedUsers.sorted(by: { $0.key < $1.key }) {
            body += "<tr><th>拒绝服务 Requests refused: \(escape(code))</th><td>\(value)</td></tr>"
        }
        body += "</tbody></table></section>\n"
        return ReportPage.page(title: "统计 Statistics", body: body)
    }

}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}

/// A reporting period of Beijing days, from query or command-line text.
package struct ReportPeriod: Sendable, Hashable {
    package var from: CivilDate
    package var through: CivilDate

    /// The longest period a report covers, in days.
    package static let maximumDays = 366

    /// What is wrong with a period: the parameter and why, in Chinese and English.
    package struct Problem: Error, Sendable, Hashable {
        package var parameter: String
        package var zh: String
        package var en: String
    }

    package init(from: CivilDate, through: CivilDate) {
        self.from = from
        self.through = through
    }

    /// `from` and `through` as `YYYY-MM-DD`; without `through`, today; without `from`, the
    /// `defaultDays` days that end on `through`.
    package init(from: String?, through: String?, today: CivilDate, defaultDays: Int = 30) throws(Problem) {
        func date(_ text: String, _ parameter: String) throws(Problem) -> CivilDate {
            guard let date = CivilDate(text) else {
                throw Problem(
                    parameter: parameter,
                    zh: "\(parameter) 应为 YYYY-MM-DD 格式的日期",
                    en: "\(parameter) must be a date as YYYY-MM-DD"
                )
            }
            return date
        }
        let end = try through.map { text throws(Problem) in try date(text, "through") } ?? today
        let start =
            try from.map { text throws(Problem) in try date(text, "from") }
            ?? CivilDate(daysSince1970: end.daysSince1970 - defaultDays + 1)
        guard start <= end else {
            throw Problem(parameter: "from", zh: "from 不能晚于 through", en: "from must not be after through")
        }
        guard end.daysSince1970 - start.daysSince1970 < Self.maximumDays else {
            throw Problem(
                parameter: "from",
                zh: "统计期间最长 \(Self.maximumDays) 天",
                en: "a period covers at most \(Self.maximumDays) days"
            )
        }
        self.from = start
        self.through = end
    }
}
