package import CoreMetrics
import Foundation
package import HeguiCore
package import HeguiReports
package import Hummingbird
package import Logging
import ServiceLifecycle

/// The algorithm filing's deadlines as the admin API and `/metrics` show them (IM-17.2, OPS-4).
package struct FilingStatus: Sendable {
    package let schedule: FilingSchedule
    package let calendar: WorkingDayCalendar

    package init(schedule: FilingSchedule, calendar: WorkingDayCalendar) {
        self.schedule = schedule
        self.calendar = calendar
    }

    /// The deadlines on the Beijing date of `time` (milliseconds), as JSON: `{"numbers", "deadlines"}`,
    /// or `{"error"}` naming the year the calendar lacks.
    package func json(at time: Int64) -> JSONValue {
        let today = LocalTime.beijing.date(of: time)
        var object: JSONObject = [
            "numbers": .array(self.schedule.numbers.map { .string($0) }),
            "today": .string(today.description),
        ]
        do {
            object["deadlines"] = .array(try self.schedule.deadlines(on: today, calendar: self.calendar).map(Self.json))
        } catch {
            object["deadlines"] = .array([])
            object["error"] = .string(error.description)
        }
        return .object(object)
    }

    package static func json(_ deadline: FilingSchedule.Deadline) -> JSONValue {
        var object: JSONObject = [
            "kind": .string(deadline.event.kind.rawValue),
            "requirement": .string(deadline.event.kind.requirement),
            "date": .string(deadline.event.date.description),
            "due": .string(deadline.due.description),
            "status": .string(deadline.status.rawValue),
            "working_days_left": .number(String(deadline.workingDaysLeft)),
            "name": .string("\(deadline.event.kind.names.zh) / \(deadline.event.kind.names.en)"),
        ]
        if !deadline.event.what.isEmpty { object["what"] = .string(deadline.event.what) }
        if let filed = deadline.event.filed { object["filed"] = .string(filed.description) }
        return .object(object)
    }

    /// `GET /admin/filing`.
    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("filing") { _, _ in
            Response.json(self.json(at: Int64(Date().timeIntervalSince1970 * 1000)).serialized)
        }
    }
}

/// Keeps the filing deadlines in `/metrics`: `hegui_filing_open` (deadlines not yet met),
/// `hegui_filing_overdue` (past due and not filed) and `hegui_filing_working_days_left` (of the
/// soonest open deadline; absent when none is open), recounted every interval.
package struct FilingReminderService: Service {
    let status: FilingStatus
    let open: Gauge
    let overdue: Gauge
    let soonest: Gauge
    let interval: Duration
    let logger: Logger

    package init(status: FilingStatus, factory: any MetricsFactory, interval: Duration, logger: Logger) {
        self.status = status
        self.open = Gauge(label: "hegui_filing_open", factory: factory)
        self.overdue = Gauge(label: "hegui_filing_overdue", factory: factory)
        self.soonest = Gauge(label: "hegui_filing_working_days_left", factory: factory)
        self.interval = interval
        self.logger = logger
    }

    /// Recounts once, for the Beijing date of `time`.
    package func update(at time: Int64) {
        let today = LocalTime.beijing.date(of: time)
        do {
            let deadlines = try self.status.schedule.deadlines(on: today, calendar: self.status.calendar)
            let pending = deadlines.filter { $0.status == .open || $0.status == .overdue }
            self.open.record(pending.count)
            self.overdue.record(pending.filter { $0.status == .overdue }.count)
            if let first = pending.min(by: { $0.workingDaysLeft < $1.workingDaysLeft }) {
                self.soonest.record(first.workingDaysLeft)
                if first.status == .overdue || first.workingDaysLeft <= 3 {
                    self.logger.warning(
                        "algorithm filing due",
                        metadata: [
                            "filing.kind": .string(first.event.kind.rawValue),
                            "filing.due": .string(first.due.description),
                            "filing.working_days_left": .stringConvertible(first.workingDaysLeft),
                        ]
                    )
                }
            }
        } catch {
            self.logger.error("filing deadlines not computed", metadata: ["error": .string(error.description)])
        }
    }

    package func run() async throws {
        while true {
            self.update(at: Int64(Date().timeIntervalSince1970 * 1000))
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return  // shutting down
            }
        }
    }
}
