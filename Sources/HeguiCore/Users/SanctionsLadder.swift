/// The sanctions ladder (IM-14.4–14.6, TC-7.7): violations counted per user turn into a warning,
/// a restriction, a suspension or termination. The thresholds are configuration; the defaults
/// follow TC-7.7's commonly cited rule (3 in a row or 5 in one calendar day → suspend), which
/// REQUIREMENTS.md marks UNCONFIRMED.
package struct SanctionsLadder: Sendable, Hashable {
    /// What counts toward a rule.
    package enum Trigger: Sendable, Hashable {
        /// This many violations in one local calendar day.
        case daily(Int)
        /// This many violations with no clean request between them.
        case consecutive(Int)
        /// This many suspensions within the last `days` days.
        case suspensions(Int, days: Int)
    }

    /// One rung's condition and how long the measure lasts.
    package struct Rule: Sendable, Hashable {
        package var level: SanctionLevel
        package var trigger: Trigger
        /// How long it lasts; `nil` until an administrator lifts it.
        package var durationSeconds: Int?

        package init(level: SanctionLevel, trigger: Trigger, durationSeconds: Int?) {
            self.level = level
            self.trigger = trigger
            self.durationSeconds = durationSeconds
        }
    }

    package var isEnabled = true
    package var rules: [Rule] = [
        Rule(level: .warning, trigger: .daily(1), durationSeconds: 86_400),
        Rule(level: .restriction, trigger: .daily(3), durationSeconds: 86_400),
        Rule(level: .suspension, trigger: .consecutive(3), durationSeconds: 86_400),
        Rule(level: .suspension, trigger: .daily(5), durationSeconds: 86_400),
        Rule(level: .termination, trigger: .suspensions(3, days: 90), durationSeconds: nil),
    ]

    package init() {}

    /// A user's record as the ladder reads it, counted after the newest violation.
    package struct Standing: Sendable, Hashable {
        package var violationsToday: Int
        package var consecutiveViolations: Int
        /// Suspensions imposed at each time (milliseconds), for the `suspensions` trigger.
        package var suspensionTimes: [Int64]
        /// The level of the strongest sanction in force, if any.
        package var activeLevel: SanctionLevel?

        package init(
            violationsToday: Int,
            consecutiveViolations: Int,
            suspensionTimes: [Int64] = [],
            activeLevel: SanctionLevel? = nil
        ) {
            self.violationsToday = violationsToday
            self.consecutiveViolations = consecutiveViolations
            self.suspensionTimes = suspensionTimes
            self.activeLevel = activeLevel
        }
    }

    /// The measure a new violation calls for: the strongest rule met, when it is stronger than the
    /// sanction already in force. A suspension it imposes counts toward termination at once.
    package func step(after standing: Standing, at time: Int64) -> SanctionStep? {
        guard self.isEnabled else { return nil }
        var best: (Rule, String)?
        func consider(_ rule: Rule, _ reason: String) {
            if best == nil || rule.level > best!.0.level { best = (rule, reason) }
        }
        for rule in self.rules {
            switch rule.trigger {
            case .daily(let limit) where limit > 0 && standing.violationsToday >= limit:
                consider(rule, "今日违规 \(standing.violationsToday) 次 / \(standing.violationsToday) violations today")
            case .consecutive(let limit) where limit > 0 && standing.consecutiveViolations >= limit:
                consider(
                    rule,
                    "连续违规 \(standing.consecutiveViolations) 次 / \(standing.consecutiveViolations) violations in a row"
                )
            default:
                break
            }
        }
        // A suspension now adds to the suspensions the termination rules count.
        var suspensions = standing.suspensionTimes
        if let chosen = best, chosen.0.level == .suspension, (standing.activeLevel ?? .warning) < .suspension {
            suspensions.append(time)
        }
        for rule in self.rules {
            if case .suspensions(let limit, let days) = rule.trigger, limit > 0 {
                let since = time - Int64(days) * 86_400_000
                let count = suspensions.filter { $0 > since }.count
                if count >= limit {
                    consider(rule, "\(days) 天内暂停服务 \(count) 次 / \(count) suspensions in \(days) days")
                }
            }
        }
        guard let (rule, reason) = best else { return nil }
        if let active = standing.activeLevel, active >= rule.level { return nil }
        return SanctionStep(
            level: rule.level,
            reason: reason,
            expiresAt: rule.durationSeconds.map { time + Int64($0) * 1_000 }
        )
    }
}

/// The rungs of the ladder, mildest first.
package enum SanctionLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The user's responses carry a warning.
    case warning
    /// A lower rate limit and fewer features.
    case restriction
    /// No service until the end time: 403 `user_suspended`.
    case suspension
    /// No service at all: 403 `user_suspended` without an end.
    case termination

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    package static func < (lhs: SanctionLevel, rhs: SanctionLevel) -> Bool { lhs.rank < rhs.rank }
}

/// A measure the ladder calls for.
package struct SanctionStep: Sendable, Hashable {
    package var level: SanctionLevel
    package var reason: String
    package var expiresAt: Int64?

    package init(level: SanctionLevel, reason: String, expiresAt: Int64?) {
        self.level = level
        self.reason = reason
        self.expiresAt = expiresAt
    }
}
