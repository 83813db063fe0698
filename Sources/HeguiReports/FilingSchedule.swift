package import HeguiCore

/// The algorithm filing's deadlines (IM-17.2, OPS-4): the filing within 10 working days of the
/// service going live (OPS-4.1), each change to what was filed within 10 working days (OPS-4.2),
/// and the cancellation within 20 working days of the service ending (OPS-4.3), counted on the
/// working-day calendar.
///
/// ```swift
/// let schedule = FilingSchedule(launched: CivilDate("2026-11-20"))
/// for deadline in schedule.deadlines(on: today, calendar: WorkingDayCalendar()) { … }
/// ```
package struct FilingSchedule: Sendable, Hashable {
    /// One act that starts a filing deadline.
    package struct Event: Sendable, Hashable {
        package enum Kind: String, Sendable, Hashable, CaseIterable {
            /// The service went live: file within 10 working days (OPS-4.1).
            case launch
            /// What was filed changed: file the change within 10 working days (OPS-4.2).
            case change
            /// The service ended: cancel the filing within 20 working days (OPS-4.3).
            case cancellation

            /// The working days the rules give.
            package var workingDays: Int {
                switch self {
                case .launch, .change: 10
                case .cancellation: 20
                }
            }

            package var requirement: String {
                switch self {
                case .launch: "OPS-4.1"
                case .change: "OPS-4.2"
                case .cancellation: "OPS-4.3"
                }
            }

            package var names: (zh: String, en: String) {
                switch self {
                case .launch: ("上线备案", "filing after launch")
                case .change: ("变更备案", "filing of a change")
                case .cancellation: ("注销备案", "cancellation of the filing")
                }
            }
        }

        package var kind: Kind
        /// The day the service went live, changed or ended.
        package var date: CivilDate
        /// What changed (for a change).
        package var what: String
        /// When the filing was submitted; `nil` while it is still due.
        package var filed: CivilDate?

        package init(kind: Kind, date: CivilDate, what: String = "", filed: CivilDate? = nil) {
            self.kind = kind
            self.date = date
            self.what = what
            self.filed = filed
        }
    }

    /// A deadline and where it stands on a given day.
    package struct Deadline: Sendable, Hashable {
        package enum Status: String, Sendable, Hashable {
            /// Filed on or before its due date.
            case filed
            /// Filed after its due date.
            case filedLate = "filed_late"
            /// Not filed; the due date has not passed.
            case open
            /// Not filed and past its due date.
            case overdue
        }

        package var event: Event
        /// The last day to file on.
        package var due: CivilDate
        package var status: Status
        /// Working days from the day asked about to the due date (0 on the due date itself);
        /// negative when overdue, by the working days since.
        package var workingDaysLeft: Int
    }

    /// The filing numbers, shown to users (OPS-4.5).
    package var numbers: [String]
    package var events: [Event]

    package init(numbers: [String] = [], events: [Event] = []) {
        self.numbers = numbers
        self.events = events
    }

    /// Each event's deadline as it stands on `today`, in the order of the events' dates.
    /// - Throws: ``CalendarError/yearNotCovered(_:)`` when a deadline or the count to it runs into
    ///   a year the calendar does not cover.
    package func deadlines(on today: CivilDate, calendar: WorkingDayCalendar) throws(CalendarError) -> [Deadline] {
        var deadlines: [Deadline] = []
        for event in self.events.sorted(by: { ($0.date, $0.kind.rawValue) < ($1.date, $1.kind.rawValue) }) {
            let due = try calendar.adding(workingDays: event.kind.workingDays, to: event.date)
            let status: Deadline.Status
            if let filed = event.filed {
                status = filed <= due ? .filed : .filedLate
            } else {
                status = today <= due ? .open : .overdue
            }
            deadlines.append(
                Deadline(
                    event: event,
                    due: due,
                    status: status,
                    workingDaysLeft: try Self.workingDays(from: today, to: due, calendar: calendar)
                )
            )
        }
        return deadlines
    }

    /// Working days after `start` up to and including `end`; negative, by the working days after
    /// `end` up to and including `start`, when `end` has passed.
    static func workingDays(
        from start: CivilDate,
        to end: CivilDate,
        calendar: WorkingDayCalendar
    ) throws(CalendarError) -> Int {
        let (low, high, sign) = start <= end ? (start, end, 1) : (end, start, -1)
        var count = 0
        var day = low.daysSince1970
        while day < high.daysSince1970 {
            day += 1
            if try calendar.isWorkingDay(CivilDate(daysSince1970: day)) { count += 1 }
        }
        return sign * count
    }
}
