/// Working days for deadlines (OPS-8.3: personal-information requests answered within 15 working
/// days by default; IM-15 complaint time limits): Monday to Friday, less the public holidays the
/// operator lists, plus the weekend make-up working days (调休) it lists. The State Council
/// publishes each year's holidays in December, so the dates are configuration, not code.
package struct WorkingDayCalendar: Sendable, Hashable {
    package var holidays: Set<CivilDate>
    package var workingWeekends: Set<CivilDate>

    package init(holidays: Set<CivilDate> = [], workingWeekends: Set<CivilDate> = []) {
        self.holidays = holidays
        self.workingWeekends = workingWeekends
    }

    package func isWorkingDay(_ date: CivilDate) -> Bool {
        if self.workingWeekends.contains(date) { return true }
        if self.holidays.contains(date) { return false }
        return date.weekday <= 5
    }

    /// The date `count` working days after `date` (the day itself not counted).
    package func adding(workingDays count: Int, to date: CivilDate) -> CivilDate {
        var days = date.daysSince1970
        var left = max(0, count)
        while left > 0 {
            days += 1
            if self.isWorkingDay(CivilDate(daysSince1970: days)) { left -= 1 }
        }
        return CivilDate(daysSince1970: days)
    }

    /// The deadline, as a time, for a request received at `time`: the end of the local day
    /// `count` working days later.
    package func deadline(workingDays count: Int, after time: Int64, in zone: LocalTime = .beijing) -> Int64 {
        let due = self.adding(workingDays: count, to: zone.date(of: time))
        return zone.start(ofDay: due.daysSince1970 + 1) - 1
    }
}
