import HeguiCore
import Testing

/// The working-day calendar behind the filing deadline (IM-17, OPS-4: 10 working days), personal-
/// information requests (OPS-8.3) and complaint time limits (IM-15), against the State Council's
/// notices for 2023–2026.
@Suite struct WorkingDayCalendarTests {
    static let calendar = WorkingDayCalendar()

    @Test(arguments: [
        // 2024: Spring Festival 2-10…17 off, Sundays 2-4 and 2-18 worked
        ("2024-02-04", true), ("2024-02-09", true), ("2024-02-12", false), ("2024-02-18", true),
        ("2024-06-10", false), ("2024-09-14", true), ("2024-10-07", false), ("2024-10-12", true),
        // 2025: the first year of the longer Spring Festival and Labour Day
        ("2025-01-01", false), ("2025-01-26", true), ("2025-01-28", false), ("2025-02-04", false),
        ("2025-02-08", true), ("2025-05-05", false), ("2025-10-08", false), ("2025-10-11", true),
        // 2026: National Day 10-1…7 and the Mid-Autumn Festival 9-25…27 apart
        ("2026-01-04", true), ("2026-02-14", true), ("2026-02-23", false), ("2026-02-28", true),
        ("2026-09-20", true), ("2026-09-25", false), ("2026-10-07", false), ("2026-10-08", true),
        ("2026-10-10", true), ("2026-10-11", false), ("2026-11-30", true), ("2026-12-26", false),
        // 2023
        ("2023-01-02", false), ("2023-01-29", true), ("2023-04-05", false), ("2023-10-08", true),
    ])
    func knownDates(date: String, working: Bool) throws {
        #expect(try Self.calendar.isWorkingDay(CivilDate(date)!) == working)
    }

    @Test(arguments: [
        ("2026-09-28", 10, "2026-10-16"),  // over National Day and its make-up Saturday
        ("2026-02-13", 1, "2026-02-14"),  // a make-up Saturday counts
        ("2026-02-13", 2, "2026-02-24"),  // then the Spring Festival
        ("2025-09-26", 10, "2025-10-16"),  // make-up days 9-28 and 10-11 count, 10-1…8 do not
        ("2024-12-31", 3, "2025-01-06"),  // across a year end
        ("2026-11-29", 0, "2026-11-29"),
    ])
    func adding(start: String, days: Int, due: String) throws {
        #expect(try Self.calendar.adding(workingDays: days, to: CivilDate(start)!).description == due)
    }

    @Test func aYearWithoutDataIsAnErrorNotAGuess() throws {
        #expect(throws: CalendarError.yearNotCovered(2027)) {
            try Self.calendar.adding(workingDays: 30, to: CivilDate("2026-12-01")!)
        }
        #expect(throws: CalendarError.yearNotCovered(2022)) {
            try Self.calendar.isWorkingDay(CivilDate("2022-06-01")!)
        }
        // Where a date must be set all the same, the estimate comes with the error.
        let start = LocalTime.beijing.start(ofDay: CivilDate("2026-12-30")!.daysSince1970)
        let (estimate, uncovered) = Self.calendar.deadlineOrEstimate(workingDays: 3, after: start)
        #expect(uncovered == .yearNotCovered(2027))
        #expect(LocalTime.beijing.date(of: estimate).description == "2027-01-04")
    }

    @Test func anOperatorAddsTheNextYear() throws {
        var calendar = Self.calendar
        calendar.merge(
            try WorkingDayCalendar.parse(
                """
                # the notice for 2027, once published
                year 2027 source 国务院办公厅关于2027年部分节假日安排的通知
                2027-01-01 holiday 元旦
                2027-02-05..2027-02-12 holiday 春节
                2027-02-20 workday 春节调休上班
                """,
                file: "calendar-2027.txt"
            )
        )
        #expect(calendar.coveredYears == [2023, 2024, 2025, 2026, 2027])
        #expect(try calendar.adding(workingDays: 3, to: CivilDate("2026-12-30")!).description == "2027-01-05")
        #expect(try calendar.isWorkingDay(CivilDate("2027-02-20")!))
        #expect(try !calendar.isWorkingDay(CivilDate("2027-02-08")!))
    }

    @Test(arguments: [
        ("2026-01-01 holiday 元旦", "t.txt:1: 日期前须有 year 行 / a year line must come before the dates"),
        ("year 2027\n", "t.txt:1: 年份行应为 year YYYY source 通知名称 / a year line is: year YYYY source <notice>"),
        ("year 2027 source x\nyear 2027 source y", "t.txt:2: 年份 2027 重复 / year 2027 appears twice"),
        ("year 2027 source x\n2027-02-30 holiday x", "t.txt:2: 日期无效：2027-02-30 / invalid date or range: 2027-02-30"),
        (
            "year 2027 source x\n2027-01-05..2027-01-01 holiday x",
            "t.txt:2: 日期无效：2027-01-05..2027-01-01 / invalid date or range: 2027-01-05..2027-01-01"
        ),
        ("year 2027 source x\n2026-12-31 holiday x", "t.txt:2: 日期不在 2027 年内：2026-12-31 / 2026-12-31 is not in 2027"),
        (
            "year 2027 source x\n2027-01-04 workday x",
            "t.txt:2: 2027-01-04 不是周末，无需调休上班 / 2027-01-04 is not a weekend day"
        ),
        (
            "year 2027 source x\n2027-01-02 holiday x\n2027-01-02 workday y",
            "t.txt:3: 2027-01-02 既是假日又是工作日 / 2027-01-02 is both a holiday and a working day"
        ),
        (
            "year 2027 source x\n2027-01-02 off",
            "t.txt:2: 应为 日期[..日期] holiday|workday [名称] / expected DATE[..DATE] holiday|workday [name]"
        ),
    ])
    func badFilesNameTheLine(text: String, message: String) {
        #expect(
            throws: CalendarError.invalid(
                file: "t.txt",
                line: Int(message.split(separator: ":")[1])!,
                String(message.split(separator: ": ", maxSplits: 1)[1])
            )
        ) {
            try WorkingDayCalendar.parse(text, file: "t.txt")
        }
    }

    @Test func theBuiltInDataParsesAndNamesItsSources() {
        #expect(WorkingDayCalendar.builtIn.keys.sorted() == [2023, 2024, 2025, 2026])
        for year in WorkingDayCalendar.builtIn.values {
            #expect(year.source.hasPrefix("国务院办公厅关于"))
        }
    }
}
