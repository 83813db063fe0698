import Foundation
import HTTPTypes
import HeguiCore
import HeguiGateway
import HeguiReports
import HeguiStore
import HeguiTesting
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

/// The algorithm filing's deadlines over the admin API and in `/metrics` (IM-17.2, OPS-4).
@Suite struct FilingStatusTests {
    static let schedule = FilingSchedule(
        numbers: ["Beijing-Hegui-202611290001"],
        events: [
            .init(kind: .launch, date: CivilDate("2026-09-28")!, filed: CivilDate("2026-10-09")),
            .init(kind: .change, date: CivilDate("2026-11-20")!, what: "新增图像生成"),
        ]
    )

    @Test func theAdminAPIListsTheDeadlinesBehindItsToken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-filing-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: Logger(label: "test"))
        let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
        var configuration = GatewayFixtures.configuration()
        configuration.filing = Self.schedule
        let app = GatewayFixtures.application(
            configuration: configuration,
            upstream: ScriptedModel(),
            admin: AdminAccess(tokenDigest: APIKeyDigest.hex(of: AdminAuditAPITests.token), auditLog: log)
        )
        do {
            try await app.test(.router) { client in
                let (refused, _) = try await AdminAuditAPITests.call(client, .get, "/admin/filing", token: nil)
                #expect(refused == .unauthorized)
                let (status, body) = try await AdminAuditAPITests.call(client, .get, "/admin/filing")
                #expect(status == .ok)
                #expect(body["numbers"] == .array(["Beijing-Hegui-202611290001"]))
                let list = body["deadlines"]?.arrayValue ?? []
                let deadlines = list.compactMap(\.objectValue)
                #expect(deadlines.map { $0["kind"] } == ["launch", "change"])
                #expect(deadlines.map { $0["due"] } == ["2026-10-16", "2026-12-04"])
                #expect(deadlines.first?["status"] == "filed")
                #expect(deadlines.last?["requirement"] == "OPS-4.2")
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    @Test(arguments: [
        ("2026-11-30", 1, 0, 4),  // the change is due in four working days
        ("2026-12-07", 1, 1, -1),  // a working day overdue
    ])
    func theRemindersReachTheMetrics(day: String, open: Int, overdue: Int, left: Int) throws {
        let registry = PrometheusCollectorRegistry()
        let service = FilingReminderService(
            status: FilingStatus(schedule: Self.schedule, calendar: WorkingDayCalendar()),
            factory: GatewayMetrics.makeFactory(registry: registry),
            interval: .seconds(3_600),
            logger: Logger(label: "test")
        )
        service.update(at: LocalTime.beijing.start(ofDay: CivilDate(day)!.daysSince1970) + 3_600_000)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains("hegui_filing_open \(open)"))
        #expect(text.contains("hegui_filing_overdue \(overdue)"))
        #expect(text.contains("hegui_filing_working_days_left \(left)"))
    }

    @Test func aYearWithoutDataIsReportedNotGuessed() {
        let schedule = FilingSchedule(events: [.init(kind: .cancellation, date: CivilDate("2026-12-10")!)])
        let json = FilingStatus(schedule: schedule, calendar: WorkingDayCalendar()).json(at: 1_796_000_000_000)
        #expect(json.objectValue?["deadlines"] == .array([]))
        #expect(json.objectValue?["error"]?.stringValue?.contains("2027") == true)
    }
}
