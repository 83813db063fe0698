import HeguiCore
import HeguiReports
import Testing

/// The algorithm filing's deadlines (IM-17.2, OPS-4.1–4.3) on the working-day calendar.
@Suite struct FilingScheduleTests {
    static let calendar = WorkingDayCalendar()

    static func deadline(_ event: FilingSchedule.Event, on today: String) throws -> FilingSchedule.Deadline {
        try #require(
            try FilingSchedule(events: [event]).deadlines(on: CivilDate(today)!, calendar: Self.calendar).first
        )
    }

    @Test(arguments: [
        // launch: 10 working days, over National Day and its make-up Saturday
        (FilingSchedule.Event.Kind.launch, "2026-09-28", "2026-10-16"),
        // a change: 10 working days over the Spring Festival and two make-up Saturdays
        (.change, "2026-02-10", "2026-03-02"),
        // the service ends: 20 working days to cancel
        (.cancellation, "2026-06-01", "2026-06-30"),
    ])
    func dueDates(kind: FilingSchedule.Event.Kind, date: String, due: String) throws {
        let deadline = try Self.deadline(.init(kind: kind, date: CivilDate(date)!), on: date)
        #expect(deadline.due.description == due)
        #expect(deadline.status == .open)
        #expect(deadline.workingDaysLeft == kind.workingDays)
    }

    @Test(
        arguments: [
            ("2026-10-15", nil, FilingSchedule.Deadline.Status.open, 1),
            ("2026-10-16", nil, .open, 0),
            ("2026-10-19", nil, .overdue, -1),
            ("2026-10-30", nil, .overdue, -10),
            ("2026-10-30", "2026-10-09", .filed, -10),
            ("2026-10-30", "2026-10-20", .filedLate, -10),
        ] as [(String, String?, FilingSchedule.Deadline.Status, Int)]
    )
    func statusOnADay(today: String, filed: String?, status: FilingSchedule.Deadline.Status, left: Int) throws {
        let event = FilingSchedule.Event(
            kind: .launch,
            date: CivilDate("2026-09-28")!,
            filed: filed.flatMap(CivilDate.init)
        )
        let deadline = try Self.deadline(event, on: today)
        #expect(deadline.status == status)
        #expect(deadline.workingDaysLeft == left)
    }

    @Test func aDeadlineInAYearWithoutDataIsAnError() {
        let schedule = FilingSchedule(events: [.init(kind: .cancellation, date: CivilDate("2026-12-10")!)])
        #expect(throws: CalendarError.yearNotCovered(2027)) {
            try schedule.deadlines(on: CivilDate("2026-12-10")!, calendar: Self.calendar)
        }
    }
}
