import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiReports

/// `hegui filing`: where the algorithm filing's deadlines stand (IM-17.2, OPS-4.1–4.3), from the
/// `filing` section of hegui.yaml, on the working-day calendar. Exits 1 when one is overdue, so a
/// scheduled job can alert on it.
struct FilingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filing",
        abstract: "The algorithm filing's deadlines and where they stand. 算法备案期限。",
        discussion: """
            Set filing.launched (the day the service went live), filing.filed, filing.changes \
            (each with its date, what changed and when it was filed), filing.ended and \
            filing.cancelled in hegui.yaml. Deadlines: 10 working days after going live (OPS-4.1) \
            and after each change (OPS-4.2), 20 after the service ends (OPS-4.3). Exits 1 when a \
            deadline has passed unfiled.
            """
    )

    @Option(help: "Configuration file (YAML).") var config: String?
    @Option(help: "The day to ask about, YYYY-MM-DD (default: today in Beijing).") var date: String?
    @Flag(help: "Print JSON, as GET /admin/filing does.") var json = false

    func validate() throws {
        if let date, CivilDate(date) == nil { throw ValidationError("not a date YYYY-MM-DD: \(date)") }
    }

    func run() throws {
        let configuration = loadConfiguration(self.config, fail: Self.fail)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let today = self.date.flatMap(CivilDate.init) ?? LocalTime.beijing.date(of: now)
        let status = FilingStatus(schedule: configuration.filing, calendar: configuration.users.calendar)
        if configuration.filing.events.isEmpty {
            FileHandle.standardError.write(
                Data("hegui filing: no filing.launched in the configuration; nothing is due\n".utf8)
            )
        }
        let deadlines: [FilingSchedule.Deadline]
        do {
            deadlines = try configuration.filing.deadlines(on: today, calendar: configuration.users.calendar)
        } catch {
            Self.fail("\(error)")
        }
        if self.json {
            let time = LocalTime.beijing.start(ofDay: today.daysSince1970)
            print(status.json(at: time).serialized)
        } else {
            if !configuration.filing.numbers.isEmpty {
                print("备案号 / filing numbers: \(configuration.filing.numbers.joined(separator: ", "))")
            }
            for deadline in deadlines {
                let event = deadline.event
                let left =
                    switch deadline.status {
                    case .filed: "已备案 filed \(event.filed!)"
                    case .filedLate: "逾期备案 filed late \(event.filed!)"
                    case .open: "剩余 \(deadline.workingDaysLeft) 个工作日 / \(deadline.workingDaysLeft) working days left"
                    case .overdue:
                        "已逾期 \(-deadline.workingDaysLeft) 个工作日 / overdue by \(-deadline.workingDaysLeft) working days"
                    }
                let what = event.what.isEmpty ? "" : " (\(event.what))"
                print(
                    "\(event.kind.names.zh) / \(event.kind.names.en)\(what): \(event.date) → 截止 due \(deadline.due) [\(event.kind.requirement)] \(left)"
                )
            }
        }
        if deadlines.contains(where: { $0.status == .overdue }) { throw ExitCode(1) }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui filing: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
