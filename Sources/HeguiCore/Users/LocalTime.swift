/// Wall-clock arithmetic at a fixed offset from UTC, without Foundation's calendars: mainland China
/// keeps UTC+8 all year, so Beijing time is one offset (OPS-6 curfews, TC-7.7 calendar days).
package struct LocalTime: Sendable, Hashable {
    /// Minutes east of UTC (480 for Beijing time).
    package var offsetMinutes: Int

    package init(offsetMinutes: Int = 480) {
        self.offsetMinutes = offsetMinutes
    }

    /// Beijing time (UTC+8).
    package static let beijing = LocalTime(offsetMinutes: 480)

    private var offsetMilliseconds: Int64 { Int64(self.offsetMinutes) * 60_000 }

    /// The local calendar day of `time` (milliseconds since 1970), counted in days since 1970-01-01.
    package func day(of time: Int64) -> Int {
        Int(Self.floorDivide(time + self.offsetMilliseconds, 86_400_000))
    }

    /// Milliseconds since local midnight.
    package func millisecondOfDay(_ time: Int64) -> Int64 {
        let local = time + self.offsetMilliseconds
        return local - Self.floorDivide(local, 86_400_000) * 86_400_000
    }

    /// The UTC time (milliseconds) of local midnight starting `day`.
    package func start(ofDay day: Int) -> Int64 {
        Int64(day) * 86_400_000 - self.offsetMilliseconds
    }

    /// The local date of `time`.
    package func date(of time: Int64) -> CivilDate {
        CivilDate(daysSince1970: self.day(of: time))
    }

    /// `2026-11-29 06:00`: the local date and time to the minute, as pages and messages show it.
    package func text(of time: Int64) -> String {
        let minute = Int(self.millisecondOfDay(time) / 60_000)
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(self.date(of: time)) \(pad(minute / 60)):\(pad(minute % 60))"
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}

/// A proleptic Gregorian date.
package struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var year: Int
    package var month: Int
    package var day: Int

    package init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    package init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        self.month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (`days_from_civil`).
    package var daysSince1970: Int {
        let year = self.month <= 2 ? self.year - 1 : self.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (self.month > 2 ? self.month - 3 : self.month + 9) + 2) / 5 + self.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// 1 for Monday … 7 for Sunday (ISO 8601).
    package var weekday: Int {
        let days = self.daysSince1970
        // 1970-01-01 was a Thursday (4).
        return ((days % 7 + 7) % 7 + 3) % 7 + 1
    }

    /// Parses `YYYY-MM-DD`.
    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
        guard CivilDate(daysSince1970: self.daysSince1970) == self else { return nil }
    }

    package var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(self.year, 4))-\(pad(self.month, 2))-\(pad(self.day, 2))"
    }

    package static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
