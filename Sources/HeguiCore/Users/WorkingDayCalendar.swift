/// Working days for deadlines: the algorithm filing within 10 working days (IM-17, OPS-4),
/// personal-information requests (OPS-8.3) and complaint and appeal time limits (IM-15).
///
/// Monday to Friday, less the public holidays, plus the weekend make-up working days (调休), for
/// the years the calendar covers: the built-in years (``ChinaPublicHolidays``) and those the
/// operator adds in the same format. A date in a year it does not cover is an error
/// (``CalendarError/yearNotCovered(_:)``), never a guess from weekends alone.
///
/// ```swift
/// let calendar = WorkingDayCalendar()                     // the built-in years
/// let due = try calendar.adding(workingDays: 10, to: CivilDate("2026-09-28")!)   // 2026-10-16
/// ```
package struct WorkingDayCalendar: Sendable, Hashable {
    /// One year of the State Council's holiday notice.
    package struct Year: Sendable, Hashable {
        /// The notice the dates come from.
        package var source: String
        /// Days off, with the holiday's name.
        package var holidays: [CivilDate: String] = [:]
        /// Weekend days that are working days, with what they make up for.
        package var workdays: [CivilDate: String] = [:]

        package init(source: String) {
            self.source = source
        }
    }

    /// The covered years.
    package private(set) var years: [Int: Year]
    /// Single days off added by configuration (`users.holidays`), in any covered year.
    package var holidays: Set<CivilDate>
    /// Single make-up working days added by configuration (`users.working_weekends`).
    package var workingWeekends: Set<CivilDate>

    /// The built-in years.
    package static let builtIn: [Int: Year] = {
        // The built-in data is part of the project and parses; the tests hold it to that.
        try! WorkingDayCalendar.parse(ChinaPublicHolidays.text, file: ChinaPublicHolidays.fileName)
    }()

    /// A calendar of the built-in years, with single dates added.
    package init(holidays: Set<CivilDate> = [], workingWeekends: Set<CivilDate> = []) {
        self.init(years: Self.builtIn, holidays: holidays, workingWeekends: workingWeekends)
    }

    package init(years: [Int: Year], holidays: Set<CivilDate> = [], workingWeekends: Set<CivilDate> = []) {
        self.years = years
        self.holidays = holidays
        self.workingWeekends = workingWeekends
    }

    /// The covered years, in order.
    package var coveredYears: [Int] { self.years.keys.sorted() }

    /// Adds years (an operator's file); each replaces the year of the same number.
    package mutating func merge(_ years: [Int: Year]) {
        self.years.merge(years) { _, new in new }
    }

    /// Whether a date is a working day.
    /// - Throws: ``CalendarError/yearNotCovered(_:)`` outside the covered years.
    package func isWorkingDay(_ date: CivilDate) throws(CalendarError) -> Bool {
        guard let year = self.years[date.year] else { throw .yearNotCovered(date.year) }
        if self.workingWeekends.contains(date) || year.workdays[date] != nil { return true }
        if self.holidays.contains(date) || year.holidays[date] != nil { return false }
        return date.weekday <= 5
    }

    /// The date `count` working days after `date` (the day itself not counted).
    /// - Throws: ``CalendarError/yearNotCovered(_:)`` when the count runs into a year not covered.
    package func adding(workingDays count: Int, to date: CivilDate) throws(CalendarError) -> CivilDate {
        var days = date.daysSince1970
        var left = max(0, count)
        while left > 0 {
            days += 1
            if try self.isWorkingDay(CivilDate(daysSince1970: days)) { left -= 1 }
        }
        return CivilDate(daysSince1970: days)
    }

    /// The deadline, as a time, for something received at `time`: the end of the local day
    /// `count` working days later.
    /// - Throws: ``CalendarError/yearNotCovered(_:)`` when the count runs into a year not covered.
    package func deadline(
        workingDays count: Int,
        after time: Int64,
        in zone: LocalTime = .beijing
    ) throws(CalendarError) -> Int64 {
        let due = try self.adding(workingDays: count, to: zone.date(of: time))
        return zone.start(ofDay: due.daysSince1970 + 1) - 1
    }

    /// The deadline where one must be set now (a complaint's due date at intake): past the
    /// covered years the count goes on over weekdays, and the error comes back beside the date
    /// for the caller to report, so that nobody mistakes the estimate for a calendar answer.
    package func deadlineOrEstimate(
        workingDays count: Int,
        after time: Int64,
        in zone: LocalTime = .beijing
    ) -> (time: Int64, uncovered: CalendarError?) {
        do {
            return (try self.deadline(workingDays: count, after: time, in: zone), nil)
        } catch {
            var estimate = self
            var days = zone.date(of: time).daysSince1970
            var left = max(0, count)
            while left > 0 {
                days += 1
                let date = CivilDate(daysSince1970: days)
                if estimate.years[date.year] == nil { estimate.years[date.year] = Year(source: "") }
                if (try? estimate.isWorkingDay(date)) == true { left -= 1 }
            }
            return (zone.start(ofDay: days + 1) - 1, error)
        }
    }

    /// Reads years in the calendar format (see ``ChinaPublicHolidays``).
    /// - Throws: ``CalendarError/invalid(file:line:_:)`` naming the line.
    package static func parse(_ text: String, file: String) throws(CalendarError) -> [Int: Year] {
        var years: [Int: Year] = [:]
        var current: Int?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard !fields.isEmpty else { continue }
            func fail(_ zh: String, _ en: String) -> CalendarError {
                .invalid(file: file, line: offset + 1, "\(zh) / \(en)")
            }
            if fields[0] == "year" {
                guard fields.count >= 4, fields[2] == "source", let year = Int(fields[1]), (1900...9999).contains(year)
                else {
                    throw fail("年份行应为 year YYYY source 通知名称", "a year line is: year YYYY source <notice>")
                }
                guard years[year] == nil else { throw fail("年份 \(year) 重复", "year \(year) appears twice") }
                years[year] = Year(source: fields[3])
                current = year
                continue
            }
            guard let year = current else {
                throw fail("日期前须有 year 行", "a year line must come before the dates")
            }
            guard fields.count >= 2, fields[1] == "holiday" || fields[1] == "workday" else {
                throw fail(
                    "应为 日期[..日期] holiday|workday [名称]",
                    "expected DATE[..DATE] holiday|workday [name]"
                )
            }
            let bounds = fields[0].split(separator: ".", omittingEmptySubsequences: true).map(String.init)
            guard fields[0].filter({ $0 == "." }).count == (bounds.count == 2 ? 2 : 0),
                let first = bounds.first.flatMap(CivilDate.init), let last = bounds.last.flatMap(CivilDate.init),
                first <= last, last.daysSince1970 - first.daysSince1970 < 31
            else {
                throw fail("日期无效：\(fields[0])", "invalid date or range: \(fields[0])")
            }
            guard first.year == year, last.year == year else {
                throw fail("日期不在 \(year) 年内：\(fields[0])", "\(fields[0]) is not in \(year)")
            }
            let name = fields.count > 2 ? fields[2...].joined(separator: " ") : ""
            for day in first.daysSince1970...last.daysSince1970 {
                let date = CivilDate(daysSince1970: day)
                if fields[1] == "holiday" {
                    guard years[year]?.workdays[date] == nil else {
                        throw fail("\(date) 既是假日又是工作日", "\(date) is both a holiday and a working day")
                    }
                    years[year]?.holidays[date] = name
                } else {
                    guard date.weekday > 5 else {
                        throw fail("\(date) 不是周末，无需调休上班", "\(date) is not a weekend day")
                    }
                    guard years[year]?.holidays[date] == nil else {
                        throw fail("\(date) 既是假日又是工作日", "\(date) is both a holiday and a working day")
                    }
                    years[year]?.workdays[date] = name
                }
            }
        }
        return years
    }
}

/// A working-day question the calendar cannot answer.
package enum CalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The year has no holiday data: the State Council's notice for it has to be added.
    case yearNotCovered(Int)
    /// A line of a calendar file is wrong.
    case invalid(file: String, line: Int, String)

    package var description: String {
        switch self {
        case .yearNotCovered(let year):
            "工作日历未包含 \(year) 年的节假日安排，请按国务院办公厅通知补充（hegui calendar） / "
                + "the working-day calendar has no holidays for \(year); add the State Council's notice "
                + "for that year (hegui calendar)"
        case .invalid(let file, let line, let message):
            "\(file):\(line): \(message)"
        }
    }
}
