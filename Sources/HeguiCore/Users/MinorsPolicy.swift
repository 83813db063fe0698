/// Minors' mode (IM-10.3, OPS-6): a daily usage limit per age band, a curfew, a stricter moderation
/// policy set and break reminders. Every number is configuration; the defaults are those of
/// REQUIREMENTS.md OPS-6.6 (under 8: 40 minutes and the curfew are marked UNCONFIRMED there).
package struct MinorsPolicy: Sendable, Hashable {
    /// An age band: users younger than ``maximumAge`` and not in an earlier band.
    package struct Band: Sendable, Hashable {
        /// Stable name used in the API and in records (`under8`, `8to16`, `16to18`).
        package var name: String
        /// The first age no longer in the band.
        package var maximumAge: Int
        /// Use allowed per local day, in minutes; `nil` for no daily limit.
        package var dailyMinutes: Int?
        /// The moderation policy set of the band; `nil` takes ``MinorsPolicy/policySet``.
        package var policySet: String?

        package init(name: String, maximumAge: Int, dailyMinutes: Int?, policySet: String? = nil) {
            self.name = name
            self.maximumAge = maximumAge
            self.dailyMinutes = dailyMinutes
            self.policySet = policySet
        }
    }

    /// Whether minors' mode is enforced at all.
    package var isEnabled = true
    /// The bands, youngest first.
    package var bands: [Band] = [
        Band(name: "under8", maximumAge: 8, dailyMinutes: 40),
        Band(name: "8to16", maximumAge: 16, dailyMinutes: 60),
        Band(name: "16to18", maximumAge: 18, dailyMinutes: 120),
    ]
    /// The band of a user the app marks as a minor without an age.
    package var unknownAgeBand = "8to16"
    /// No service from `curfewStartMinute` to `curfewEndMinute` (minutes after local midnight; the
    /// span may cross midnight); `nil` for no curfew.
    package var curfew: (startMinute: Int, endMinute: Int)? = (22 * 60, 6 * 60)
    /// The moderation policy set for minors (TC-7.2: content fit for minors).
    package var policySet: String? = "minors"
    /// A break reminder each time use passes another multiple of this many minutes; 0 for none.
    package var reminderMinutes = 30
    /// A pause longer than this ends a session of use; the gap is not counted as use.
    package var idleGapSeconds = 300
    /// Use counted for a request that starts a session (reading and typing time).
    package var sessionStartSeconds = 60
    /// The local time of curfews and days.
    package var zone = LocalTime.beijing

    package init() {}

    package static func == (lhs: MinorsPolicy, rhs: MinorsPolicy) -> Bool {
        lhs.isEnabled == rhs.isEnabled && lhs.bands == rhs.bands && lhs.unknownAgeBand == rhs.unknownAgeBand
            && lhs.curfew?.startMinute == rhs.curfew?.startMinute && lhs.curfew?.endMinute == rhs.curfew?.endMinute
            && lhs.policySet == rhs.policySet && lhs.reminderMinutes == rhs.reminderMinutes
            && lhs.idleGapSeconds == rhs.idleGapSeconds && lhs.sessionStartSeconds == rhs.sessionStartSeconds
            && lhs.zone == rhs.zone
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(self.bands)
        hasher.combine(self.reminderMinutes)
    }

    /// What the gateway knows of a user's age.
    package struct Age: Sendable, Hashable {
        /// A band the app set directly.
        package var band: String?
        package var birthYear: Int?
        package var isMinor: Bool?

        package init(band: String? = nil, birthYear: Int? = nil, isMinor: Bool? = nil) {
            self.band = band
            self.birthYear = birthYear
            self.isMinor = isMinor
        }
    }

    /// The band of a user at `time`, or `nil` for an adult or a user of unknown age not marked a
    /// minor. A birth year alone gives the youngest age the user can have (the protective reading).
    package func band(of age: Age, at time: Int64) -> Band? {
        guard self.isEnabled else { return nil }
        if let name = age.band {
            if let band = self.bands.first(where: { $0.name == name }) { return band }
            if name == "adult", age.isMinor != true { return nil }
        }
        if let birthYear = age.birthYear {
            let youngest = self.zone.date(of: time).year - birthYear - 1
            if let band = self.bands.first(where: { youngest < $0.maximumAge }) { return band }
            if age.isMinor != true { return nil }
        }
        guard age.isMinor == true else { return nil }
        return self.bands.first(where: { $0.name == self.unknownAgeBand }) ?? self.bands.first
    }

    /// The moderation policy set for a band.
    package func policySet(for band: Band) -> String? { band.policySet ?? self.policySet }

    /// Whether `time` falls in the curfew, and if so when it ends.
    package func curfewEnd(at time: Int64) -> Int64? {
        guard let curfew = self.curfew, curfew.startMinute != curfew.endMinute else { return nil }
        let minute = Int(self.zone.millisecondOfDay(time) / 60_000)
        let inside =
            curfew.startMinute < curfew.endMinute
            ? (curfew.startMinute..<curfew.endMinute).contains(minute)
            : minute >= curfew.startMinute || minute < curfew.endMinute
        guard inside else { return nil }
        let today = self.zone.day(of: time)
        let endDay = minute >= curfew.endMinute ? today + 1 : today
        return self.zone.start(ofDay: endDay) + Int64(curfew.endMinute) * 60_000
    }

    /// When service resumes for a user out of time today: the next local midnight, or the end of
    /// the curfew that begins the next day.
    package func nextDayStart(after time: Int64) -> Int64 {
        let midnight = self.zone.start(ofDay: self.zone.day(of: time) + 1)
        return self.curfewEnd(at: midnight) ?? midnight
    }

    /// Use to add for a request at `time` after the user's last at `lastActive` (same local day).
    package func activeMilliseconds(since lastActive: Int64?, at time: Int64) -> Int64 {
        guard let lastActive, time >= lastActive, time - lastActive <= Int64(self.idleGapSeconds) * 1_000 else {
            return Int64(self.sessionStartSeconds) * 1_000
        }
        return time - lastActive
    }

    /// The gate's verdict for a minor in `band` who has used `usedSeconds` today, before this request.
    package func check(band: Band, usedSeconds: Int, at time: Int64) -> MinorsDecision {
        if let end = self.curfewEnd(at: time) {
            return .curfew(band: band.name, resumesAt: end)
        }
        if let minutes = band.dailyMinutes, usedSeconds >= minutes * 60 {
            return .timeLimit(band: band.name, resumesAt: self.nextDayStart(after: time))
        }
        return .allowed(band: band.name, remainingSeconds: band.dailyMinutes.map { max(0, $0 * 60 - usedSeconds) })
    }

    /// Whether use passing from `before` to `after` seconds crosses a reminder boundary.
    package func isReminderDue(before: Int, after: Int) -> Bool {
        guard self.reminderMinutes > 0 else { return false }
        let interval = self.reminderMinutes * 60
        return after / interval > before / interval
    }
}

/// The minors' gate's verdict on one request.
package enum MinorsDecision: Sendable, Hashable {
    case allowed(band: String, remainingSeconds: Int?)
    /// Refused: 403 `minor_curfew` until `resumesAt`.
    case curfew(band: String, resumesAt: Int64)
    /// Refused: 403 `minor_time_limit` until `resumesAt`.
    case timeLimit(band: String, resumesAt: Int64)
}
