import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway

/// `hegui calendar`: the working-day calendar behind every deadline (the algorithm filing's 10
/// working days, OPS-4; personal-information requests, OPS-8.3; complaints and appeals, IM-15).
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Working-day arithmetic on mainland China's public holidays. 工作日历。",
        discussion: """
            The built-in years come from the State Council's holiday notices (each year names its \
            source). Add later years in the same format in a file named by users.calendar_file in \
            hegui.yaml (or --file); `hegui calendar show 2026` prints a year to start from. A date in \
            a year that no data covers is an error, not a guess.
            """,
        subcommands: [Add.self, Years.self, Show.self, Check.self],
        defaultSubcommand: Years.self
    )

    struct Source: ParsableArguments {
        @Option(help: "Configuration file (YAML); its users.calendar_file adds years.")
        var config: String?
        @Option(name: .customLong("file"), help: "A calendar file that adds or replaces years (repeatable).")
        var files: [String] = []

        func calendar(_ command: String) -> WorkingDayCalendar {
            let environment = ProcessInfo.processInfo.environment
            var calendar: WorkingDayCalendar
            do {
                let file = configurationFile(self.config, environment: environment)
                calendar = try GatewayConfiguration.load(file: file, environment: environment).users.calendar
                for path in self.files {
                    let text = try String(contentsOfFile: path, encoding: .utf8)
                    calendar.merge(try WorkingDayCalendar.parse(text, file: path))
                }
            } catch {
                CalendarCommand.fail("\(command): \(error)")
            }
            return calendar
        }
    }

    /// `hegui calendar add 2026-09-28 10`
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The date N working days after a date (the date itself not counted).",
            discussion: "Example: hegui calendar add 2026-09-28 10   →   2026-10-16"
        )

        @OptionGroup var source: Source
        @Argument(help: "The start date, YYYY-MM-DD.") var date: String
        @Argument(help: "Working days to add.") var days: Int
        @Flag(help: "Also list each day counted or skipped.") var verbose = false

        func validate() throws {
            guard CivilDate(self.date) != nil else { throw ValidationError("not a date YYYY-MM-DD: \(self.date)") }
            guard (0...3_650).contains(self.days) else { throw ValidationError("working days must be 0…3650") }
        }

        func run() throws {
            let calendar = self.source.calendar("add")
            let start = CivilDate(self.date)!
            let due: CivilDate
            do {
                due = try calendar.adding(workingDays: self.days, to: start)
            } catch {
                CalendarCommand.fail("add: \(error)")
            }
            if self.verbose {
                var counted = 0
                for day in (start.daysSince1970 + 1)...due.daysSince1970 where due > start {
                    let date = CivilDate(daysSince1970: day)
                    let year = calendar.years[date.year]
                    // Covered: `adding` checked every date up to `due`.
                    let working = (try? calendar.isWorkingDay(date)) ?? false
                    if working { counted += 1 }
                    let note = year?.holidays[date] ?? year?.workdays[date] ?? ""
                    print("\(date) \(Self.weekdayName(date.weekday)) \(working ? "工作日 \(counted)" : "休息") \(note)")
                }
            }
            print(due)
        }

        static func weekdayName(_ weekday: Int) -> String {
            ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"][min(max(weekday, 0), 7)]
        }
    }

    /// `hegui calendar years`
    struct Years: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The years covered and their sources.")

        @OptionGroup var source: Source

        func run() {
            let calendar = self.source.calendar("years")
            for number in calendar.coveredYears {
                let year = calendar.years[number]!
                print(
                    "\(number)\t\(year.holidays.count) 天假日 / days off\t\(year.workdays.count) 天调休上班 / make-up days\t\(year.source)"
                )
            }
        }
    }

    /// `hegui calendar show 2026`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One year in the calendar file format (a template for the next year)."
        )

        @OptionGroup var source: Source
        @Argument(help: "The year.") var year: Int

        func run() {
            let calendar = self.source.calendar("show")
            guard let year = calendar.years[self.year] else {
                CalendarCommand.fail("show: \(CalendarError.yearNotCovered(self.year))")
            }
            print("year \(self.year) source \(year.source)")
            let days =
                year.holidays.map { ($0.key, "holiday", $0.value) }
                + year.workdays.map { ($0.key, "workday", $0.value) }
            for (date, kind, name) in days.sorted(by: { $0.0 < $1.0 }) {
                print("\(date) \(kind) \(name)".trimmingCharacters(in: .whitespaces))
            }
        }
    }

    /// `hegui calendar check FILE`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a calendar file and list the years it adds.")

        @Argument(help: "The calendar file.") var file: String

        func run() throws {
            do {
                let text = try String(contentsOfFile: self.file, encoding: .utf8)
                let years = try WorkingDayCalendar.parse(text, file: self.file)
                for (number, year) in years.sorted(by: { $0.key < $1.key }) {
                    print(
                        "\(number): \(year.holidays.count) days off, \(year.workdays.count) make-up days — \(year.source)"
                    )
                }
            } catch {
                CalendarCommand.fail("check: \(error)")
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui calendar \(message)\n".utf8))
        Foundation.exit(2)
    }
}
