package import HeguiCore
package import Logging

extension WorkingDayCalendar {
    /// The deadline of something received now. Past the years the calendar covers the count
    /// goes on over weekdays, and an error is logged that names the missing year, so that the
    /// operator adds the State Council's notice (`hegui calendar`, `users.calendar_file`).
    package func deadline(
        workingDays count: Int,
        after time: Int64,
        in zone: LocalTime,
        for what: String,
        logger: Logger
    ) -> Int64 {
        let (deadline, uncovered) = self.deadlineOrEstimate(workingDays: count, after: time, in: zone)
        if let uncovered {
            logger.error(
                "deadline estimated from weekdays alone: the working-day calendar does not cover it",
                metadata: ["deadline.for": .string(what), "error": .string(uncovered.description)]
            )
        }
        return deadline
    }
}
