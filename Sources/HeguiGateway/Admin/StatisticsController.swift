import Foundation
import HTTPTypes
package import HeguiCore
package import HeguiReports
package import HeguiStore
package import Hummingbird
import NIOCore

/// The statistics dashboard of the admin API (issue 9 item 8): `GET /admin/dashboard` (HTML with
/// SVG charts, no script) and `GET /admin/statistics` (`?format=json`, `csv`, or `risks.csv`), both
/// with `from`, `through` (Beijing dates, default the last 30 days) and `tenant`.
package struct StatisticsController: Sendable {
    let collector: StatisticsCollector
    let store: SQLStore
    let filing: FilingSchedule
    let calendar: WorkingDayCalendar
    let catalogue: RiskCatalogue

    package init(
        collector: StatisticsCollector,
        store: SQLStore,
        filing: FilingSchedule,
        calendar: WorkingDayCalendar,
        catalogue: RiskCatalogue
    ) {
        self.collector = collector
        self.store = store
        self.filing = filing
        self.calendar = calendar
        self.catalogue = catalogue
    }

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
            let report = try await self.report(for: request)
            var headers = PublicPagesController.securityHeaders
            headers[.contentSecurityPolicy] =
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'"
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: report.html)))
        }
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
