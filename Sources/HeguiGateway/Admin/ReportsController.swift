import Foundation
import HTTPTypes
import HeguiCore
package import HeguiReports
package import HeguiStore
package import Hummingbird
import NIOCore

/// The admin API's statistics and reports (issue 9):
/// - `GET /admin/dashboard`: the statistics dashboard, HTML with SVG charts and no script (item 8);
/// - `GET /admin/statistics`: its figures, `?format=json` (default), `csv` or `risks.csv`;
/// - `GET /admin/reports/assessment`: the security-assessment report (OPS-5, item 4);
/// - `GET /admin/reports/dossier`: the algorithm filing dossier (OPS-4.1, item 3);
///
/// all with `from` and `through` (Beijing dates, default the last 30 days); the statistics with
/// `tenant`; the reports with `format=html` (default, printable) or `md`.
package struct ReportsController: Sendable {
    let collector: StatisticsCollector
    let store: SQLStore
    let configuration: GatewayConfiguration
    let moderation: ModerationState
    let auditLog: AuditLog

    package init(
        collector: StatisticsCollector,
        store: SQLStore,
        configuration: GatewayConfiguration,
        moderation: ModerationState,
        auditLog: AuditLog
    ) {
        self.collector = collector
        self.store = store
        self.configuration = configuration
        self.moderation = moderation
        self.auditLog = auditLog
    }

    var filing: FilingSchedule { self.configuration.filing }
    var calendar: WorkingDayCalendar { self.configuration.users.calendar }
    var catalogue: RiskCatalogue { .standard }

    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("statistics") { request, _ in
            let report = try await self.report(for: request)
            switch request.uri.queryParameters["format"].map(String.init) ?? "json" {
            case "json":
                return Response.json(report.json.serialized)
            case "csv":
                return Self.csv(report.csv, name: "hegui-statistics-\(report.from)-\(report.through).csv")
            case "risks.csv":
                return Self.csv(report.risksCSV, name: "hegui-risks-\(report.from)-\(report.through).csv")
            case let other:
                throw APIError.invalidParameter(
                    "format",
                    expectedZH: " json、csv 或 risks.csv",
                    expected: "json, csv or risks.csv",
                    got: other
                )
            }
        }
        group.get("dashboard") { request, _ in
            Self.page(try await self.report(for: request).html)
        }
        group.get("reports/assessment") { request, _ in
            let statistics = try await self.report(for: request)
            let report = AssessmentReport(
                facts: try await self.facts(),
                text: self.configuration.reportText,
                statistics: statistics
            )
            return try Self.document(report.markdown, title: "安全评估报告 Security assessment report", request: request)
        }
        group.get("reports/dossier") { request, _ in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let dossier = FilingDossier(
                facts: try await self.facts(),
                text: self.configuration.reportText,
                schedule: self.filing,
                calendar: self.calendar,
                now: now
            )
            return try Self.document(dossier.markdown, title: "算法备案材料 Algorithm filing dossier", request: request)
        }
    }

    /// The facts of the configuration, the rules in force, the store and the audit log.
    func facts() async throws -> ServiceFacts {
        let (engine, version) = self.moderation.snapshot
        var facts = ServiceFacts(configuration: self.configuration, engine: engine, policyVersion: version)
        try await facts.read(
            store: self.store,
            treeHeads: try await self.auditLog.treeHeads(),
            publicKey: self.auditLog.publicKey
        )
        return facts
    }

    /// A report as Markdown (`format=md`) or a printable page (`format=html`, the default).
    static func document(_ markdown: String, title: String, request: Request) throws -> Response {
        switch request.uri.queryParameters["format"].map(String.init) ?? "html" {
        case "html":
            return Self.page(ReportPage.page(title: title, body: MarkdownPage.render(markdown, topHeading: 1)))
        case "md":
            return Response(
                status: .ok,
                headers: [.contentType: "text/markdown; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: markdown))
            )
        case let other:
            throw APIError.invalidParameter("format", expectedZH: " html 或 md", expected: "html or md", got: other)
        }
    }

    /// An HTML page of the admin API: no script, nothing from elsewhere, never cached.
    static func page(_ html: String) -> Response {
        var headers = PublicPagesController.securityHeaders
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'"
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func report(for request: Request) async throws -> StatisticsReport {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let query = request.uri.queryParameters
        let period: ReportPeriod
        do {
            period = try ReportPeriod(
                from: query["from"].map(String.init),
                through: query["through"].map(String.init),
                today: LocalTime.beijing.date(of: now)
            )
        } catch {
            throw APIError(
                status: 400,
                type: "invalid_request_error",
                code: .invalidParameter,
                param: error.parameter,
                zh: error.zh,
                en: error.en
            )
        }
        return try await StatisticsReport.gather(
            statistics: try await self.collector.refresh(),
            store: self.store,
            from: period.from,
            through: period.through,
            tenant: query["tenant"].map(String.init).flatMap { $0.isEmpty ? nil : $0 },
            filing: self.filing,
            calendar: self.calendar,
            catalogue: self.catalogue,
            now: now
        )
    }

    static func csv(_ text: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(name)\"",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
