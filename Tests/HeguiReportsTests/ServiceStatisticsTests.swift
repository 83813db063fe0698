import Foundation
import HeguiCore
import HeguiReports
import HeguiStore
import Logging
import Testing

/// The figures tallied from the audit log for the dashboard and the reports (issue 9 item 8).
@Suite struct ServiceStatisticsTests {
    /// 2026-11-20 12:00 Beijing.
    static let noon: Int64 = LocalTime.beijing.start(ofDay: CivilDate("2026-11-20")!.daysSince1970) + 12 * 3_600_000

    static func event(
        _ sequence: UInt64,
        _ type: String,
        action: ModerationAction? = nil,
        risks: [String] = [],
        tenant: String? = "app",
        time: Int64 = Self.noon,
        details: [String: String] = [:]
    ) -> AuditEvent {
        AuditEvent(
            sequence: sequence,
            type: type,
            time: time,
            tenant: tenant,
            action: action,
            risks: risks.compactMap(RiskCode.init),
            details: details
        )
    }

    @Test(arguments: [
        (event(0, "moderation.checked", action: .allow), "requests=1 input.allow=1 output.allow=1"),
        (event(0, "moderation.input", action: .block, risks: ["A1b"]), "requests=1 input.block=1 A1b.input=1"),
        (event(0, "moderation.input", action: .allow), "requests=1 input.allow=1"),
        (
            event(0, "moderation.output", action: .block, risks: ["A3c", "A1b"], details: ["stopped": "true"]),
            "output.block=1 A1b.output=1 A3c.output=1 stopped=1"
        ),
        (event(0, "moderation.output", action: .redact, risks: ["A4f"]), "output.redact=1 A4f.output=1"),
        (
            event(0, "moderation.check", action: .flag, risks: ["A2a"], details: ["direction": "output"]),
            "checks=1 A2a.output=1"
        ),
        (event(0, "moderation.check", action: .allow), "checks=1"),
        (event(0, "moderation.classifier_error", action: .block), "classifier_errors=1"),
        (event(0, "sanction.imposed", details: ["level": "suspension"]), "sanction.suspension=1"),
        (event(0, "sanction.lifted"), "lifted=1"),
        (event(0, "sanction.appealed"), "appeals=1"),
        (event(0, "sanction.reported"), "reported=1"),
        (event(0, "complaint.received", tenant: nil, details: ["category": "illegal"]), "complaint.illegal=1"),
        (event(0, "complaint.overdue", tenant: nil), "complaints_overdue=1"),
        (event(0, "content.taken_down"), "takedowns=1"),
        (event(0, "incident.opened"), "incidents=1"),
        (event(0, "label.produced", details: ["aigc": "a,b,c"]), "labelled=3"),
        (event(0, "user.refused", details: ["code": "minor_curfew"]), "refused.minor_curfew=1"),
        (event(0, "user.exported"), "exports=1"),
        (event(0, "user.deleted"), "deletions=1"),
        (event(0, "admin.request"), ""),
        (event(0, "gateway.started", tenant: nil), ""),
    ])
    func eachEventCountsWhereItBelongs(event: AuditEvent, expected: String) {
        var statistics = ServiceStatistics()
        statistics.add(event)
        #expect(Self.describe(statistics.total()) == expected)
    }

    /// The non-zero figures as `name=value`, in a fixed order.
    static func describe(_ figures: ServiceStatistics.Figures) -> String {
        var parts: [String] = []
        func add(_ name: String, _ value: Int) { if value != 0 { parts.append("\(name)=\(value)") } }
        add("requests", figures.requests)
        add("checks", figures.moderationChecks)
        for action in ModerationAction.allCases {
            add("input.\(action.rawValue)", figures.input[action])
            add("output.\(action.rawValue)", figures.output[action])
        }
        for (risk, directions) in figures.risks.sorted(by: { $0.key < $1.key }) {
            for (direction, count) in directions.sorted(by: { $0.key < $1.key }) { add("\(risk).\(direction)", count) }
        }
        add("stopped", figures.streamsStopped)
        add("classifier_errors", figures.classifierErrors)
        for (level, count) in figures.sanctions.sorted(by: { $0.key < $1.key }) { add("sanction.\(level)", count) }
        add("lifted", figures.sanctionsLifted)
        add("appeals", figures.appeals)
        add("reported", figures.reportedToAuthorities)
        for (category, count) in figures.complaints.sorted(by: { $0.key < $1.key }) {
            add("complaint.\(category)", count)
        }
        add("complaints_overdue", figures.complaintsOverdue)
        add("takedowns", figures.takedowns)
        add("incidents", figures.incidents)
        add("labelled", figures.labelledFiles)
        for (code, count) in figures.refusedUsers.sorted(by: { $0.key < $1.key }) { add("refused.\(code)", count) }
        add("exports", figures.dataExports)
        add("deletions", figures.deletions)
        return parts.joined(separator: " ")
    }

    @Test func daysAreBeijingDaysAndAnEventCountsOnce() {
        var statistics = ServiceStatistics()
        let lateUTC = Self.noon + 11 * 3_600_000 + 1_000  // 23:00:01 Beijing, 15:00 UTC: still the 20th
        let nextDay = Self.noon + 12 * 3_600_000  // 00:00 Beijing on the 21st, 16:00 UTC on the 20th
        statistics.add(Self.event(0, "moderation.checked", time: lateUTC))
        statistics.add(Self.event(1, "moderation.checked", time: nextDay))
        statistics.add(Self.event(1, "moderation.checked", time: nextDay))  // read twice: counted once
        statistics.add(Self.event(0, "moderation.checked", time: nextDay))
        #expect(statistics.nextSequence == 2)
        let days = statistics.daily(from: CivilDate("2026-11-19")!, through: CivilDate("2026-11-22")!)
        #expect(days.map(\.day.description) == ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"])
        #expect(days.map(\.figures.requests) == [0, 1, 1, 0])
        #expect(statistics.days == CivilDate("2026-11-20")!...CivilDate("2026-11-21")!)
    }

    @Test func tenantsAreKeptApart() {
        var statistics = ServiceStatistics()
        statistics.add(Self.event(0, "moderation.input", action: .block, risks: ["A1b"], tenant: "a"))
        statistics.add(Self.event(1, "moderation.input", action: .block, risks: ["A1b"], tenant: "b"))
        statistics.add(Self.event(2, "moderation.checked", tenant: "b"))
        #expect(statistics.tenants == ["a", "b"])
        #expect(statistics.total(tenant: "a").requests == 1)
        #expect(statistics.total(tenant: "b").requests == 2)
        #expect(statistics.total().hits(of: "A1b") == 2)
        #expect(statistics.total(tenant: "c") == ServiceStatistics.Figures())
        let day = CivilDate("2026-11-20")!
        #expect(statistics.daily(from: day, through: day, tenant: "b").first?.figures.input.block == 1)
        #expect(statistics.total(from: CivilDate("2026-11-21")!).requests == 0)
    }

    @Test(arguments: [
        // (due, decided, now) → on time, late, open, overdue
        (100 as Int64, 100 as Int64?, 50 as Int64, [1, 0, 0, 0]),
        (100, 101, 500, [0, 1, 0, 0]),
        (100, nil, 100, [0, 0, 1, 0]),
        (100, nil, 101, [0, 0, 0, 1]),
    ])
    func deadlinesAreMetMissedOrStillOpen(due: Int64, decided: Int64?, now: Int64, expected: [Int]) {
        var figures = DeadlineFigures()
        figures.count(dueAt: due, decidedAt: decided, now: now)
        #expect([figures.onTime, figures.late, figures.open, figures.overdue] == expected)
        #expect(figures.received == 1)
    }

    @Test func theOnTimeRateCountsOverdueButNotOpenRequests() {
        var figures = DeadlineFigures()
        #expect(figures.onTimeRate == nil)
        figures.count(dueAt: 10, decidedAt: 5, now: 20)  // on time
        figures.count(dueAt: 10, decidedAt: 5, now: 20)  // on time
        figures.count(dueAt: 10, decidedAt: nil, now: 20)  // overdue
        figures.count(dueAt: 30, decidedAt: nil, now: 20)  // open: not yet known
        #expect(figures.onTimeRate == 2.0 / 3.0)
    }

    @Test(arguments: [
        (nil as String?, nil as String?, "2026-10-31...2026-11-29"),
        ("2026-11-01", "2026-11-07", "2026-11-01...2026-11-07"),
        ("2026-11-01", nil, "2026-11-01...2026-11-29"),
        ("2026-11-08", "2026-11-07", "from: from must not be after through"),
        ("2026-13-01", nil, "from: from must be a date as YYYY-MM-DD"),
        (nil, "yesterday", "through: through must be a date as YYYY-MM-DD"),
        ("2025-01-01", "2026-01-02", "from: a period covers at most 366 days"),
        ("2025-01-01", "2026-01-01", "2025-01-01...2026-01-01"),
        ("2025-01-01", "2025-12-31", "2025-01-01...2025-12-31"),
    ])
    func periods(from: String?, through: String?, expected: String) {
        do {
            let period = try ReportPeriod(from: from, through: through, today: CivilDate("2026-11-29")!)
            #expect("\(period.from)...\(period.through)" == expected)
        } catch {
            #expect("\(error.parameter): \(error.en)" == expected)
        }
    }

    @Test(arguments: [(0, 4), (3, 4), (4, 4), (5, 8), (9, 20), (41, 80), (399, 400), (401, 800), (12_345, 20_000)])
    func axesEndOnRoundFigures(value: Int, maximum: Int) {
        #expect(SVGChart.niceMaximum(value) == maximum)
    }

    static func report(tenant: String? = nil, filingError: String? = nil) -> StatisticsReport {
        var statistics = ServiceStatistics()
        statistics.add(Self.event(0, "moderation.checked"))
        statistics.add(Self.event(1, "moderation.input", action: .block, risks: ["A1b"]))
        statistics.add(
            Self.event(2, "moderation.output", action: .block, risks: ["A3c"], details: ["stopped": "true"])
        )
        statistics.add(Self.event(3, "sanction.imposed", details: ["level": "warning"]))
        var complaints = DeadlineFigures()
        complaints.count(dueAt: 10, decidedAt: 5, now: 20)
        let from = CivilDate("2026-11-19")!
        let through = CivilDate("2026-11-21")!
        return StatisticsReport(
            from: from,
            through: through,
            tenant: tenant,
            daily: statistics.daily(from: from, through: through, tenant: tenant),
            total: statistics.total(tenant: tenant),
            complaints: complaints,
            rightsRequests: DeadlineFigures(),
            filing: [],
            filingError: filingError,
            catalogue: .standard,
            generatedAt: Self.noon
        )
    }

    @Test func theCSVHasOneLineADayAndATotal() throws {
        let lines = Self.report().csv.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.first == Substring(StatisticsReport.csvColumns.joined(separator: ",")))
        #expect(lines.count == 1 + 3 + 1 + 1)  // header, three days, total, the empty rest after the last \r\n
        for line in lines.dropLast() {
            #expect(
                line.split(separator: ",", omittingEmptySubsequences: false).count == StatisticsReport.csvColumns.count
            )
        }
        #expect(lines[2].hasPrefix("2026-11-20,2,0,1,0,0,1,1,0,0,1,1,0,1,"))
        #expect(lines[4].hasPrefix("total,2,"))
        let risks = Self.report().risksCSV
        #expect(risks.hasPrefix("risk,name_zh,name_en,input,output\r\n"))
        #expect(risks.contains("A1b,"))
        #expect(risks.contains(",1,0\r\n"))
    }

    @Test func theJSONCarriesTotalsDaysAndRisksWithNames() throws {
        let json = try #require(Self.report().json.objectValue)
        let total = try #require(json["total"]?.objectValue)
        #expect(total["requests"] == JSONValue.number("2"))
        #expect(total["streams_stopped"] == JSONValue.number("1"))
        #expect(total["input"]?.objectValue?["block"] == JSONValue.number("1"))
        let risks = try #require(total["risks"]?.arrayValue)
        #expect(risks.count == 2)
        #expect(risks.compactMap { $0.objectValue?["name_zh"] }.count == 2)
        #expect(json["daily"]?.arrayValue?.count == 3)
        #expect(json["complaints"]?.objectValue?["on_time_rate"] == JSONValue.number("1.0000"))
        #expect(json["rights_requests"]?.objectValue?["on_time_rate"] == JSONValue.null)
    }

    @Test func thePageEscapesWhatItShowsAndRunsNoScript() {
        let html = Self.report(tenant: "<script>alert(1)</script>", filingError: "year 2027 <b>missing</b>").html
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("year 2027 &lt;b&gt;missing&lt;/b&gt;"))
        #expect(html.contains("default-src 'none'"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 6)
    }

    @Test func theCollectorReadsOnlyWhatWasAppendedSince() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-stats-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        do {
            let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
            for _ in 0..<7 {
                _ = try await log.append(AuditEventDraft(type: "moderation.checked", time: Self.noon, tenant: "app"))
            }
            let collector = StatisticsCollector(store: store, pageSize: 3)
            #expect(try await collector.refresh().total().requests == 7)
            _ = try await log.append(
                AuditEventDraft(
                    type: "moderation.input",
                    time: Self.noon,
                    tenant: "app",
                    action: .block,
                    risks: [RiskCode("A1b")!]
                )
            )
            let statistics = try await collector.refresh()
            #expect(statistics.total().requests == 8)
            #expect(statistics.total().input.block == 1)
            #expect(statistics.nextSequence == 8)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
