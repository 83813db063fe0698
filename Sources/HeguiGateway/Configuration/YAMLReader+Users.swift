import Foundation
import HeguiCore
import HeguiReports
import Yams

// The `users`, `minors` and `sanctions` sections of hegui.yaml (issue 6). Every number has the
// default REQUIREMENTS.md gives; those it marks UNCONFIRMED are here so that an operator can
// follow a confirmed text without a new build.

extension YAMLReader {
    /// `null` or `off` for "none", else a whole number in range.
    func optionalInteger(_ node: Node, _ key: String, in range: ClosedRange<Int>) throws -> Int? {
        if case .scalar(let scalar) = node, ["null", "~", "off", "none"].contains(scalar.string) { return nil }
        return try self.integer(node, key, in: range)
    }

    func dates(_ node: Node, _ key: String) throws -> Set<CivilDate> {
        var dates = Set<CivilDate>()
        for (index, text) in try self.strings(node, key).enumerated() {
            guard let date = CivilDate(text) else {
                throw self.error(node, "\(key)[\(index)]", "must be a date YYYY-MM-DD, got '\(text)'")
            }
            dates.insert(date)
        }
        return dates
    }

    /// One date YYYY-MM-DD, or `null` for none.
    func optionalDate(_ node: Node, _ key: String) throws -> CivilDate? {
        if case .scalar(let scalar) = node, ["null", "~", ""].contains(scalar.string) { return nil }
        let text = try self.string(node, key)
        guard let date = CivilDate(text) else {
            throw self.error(node, key, "must be a date YYYY-MM-DD, got '\(text)'")
        }
        return date
    }

    /// The `scope` section: the provider's answers to `hegui scope`'s questions.
    func scope(_ node: Node, _ key: String) throws -> ScopeAnswers {
        var answers = ScopeAnswers()
        for (key, node) in try self.mapping(node, key, allowed: ScopeAnswers.questions.map(\.key)) {
            switch key {
            case "scope.serves_public_in_mainland": answers.servesPublicInMainland = try self.bool(node, key)
            case "scope.offered_through_api": answers.offeredThroughAPI = try self.bool(node, key)
            case "scope.public_opinion": answers.publicOpinion = try self.bool(node, key)
            case "scope.users_publish": answers.usersPublish = try self.bool(node, key)
            case "scope.downloads": answers.downloads = try self.bool(node, key)
            case "scope.minors_may_use": answers.minorsMayUse = try self.bool(node, key)
            case "scope.provided_from_abroad": answers.providedFromAbroad = try self.bool(node, key)
            default:
                var media = Set<ScopeAnswers.Medium>()
                for (index, text) in try self.strings(node, key).enumerated() {
                    guard let medium = ScopeAnswers.Medium(rawValue: text) else {
                        let names = ScopeAnswers.Medium.allCases.map(\.rawValue).joined(separator: ", ")
                        throw self.error(node, "\(key)[\(index)]", "must be one of \(names), got '\(text)'")
                    }
                    media.insert(medium)
                }
                answers.media = media
            }
        }
        return answers
    }

    /// The `filing` section (IM-17.2, OPS-4): the deadlines' dates, and the dossier's texts.
    func filing(_ node: Node, _ key: String, into text: inout OperatorText) throws -> FilingSchedule {
        var schedule = FilingSchedule()
        var launch: (date: CivilDate?, filed: CivilDate?) = (nil, nil)
        var end: (date: CivilDate?, filed: CivilDate?) = (nil, nil)
        let allowed = [
            "numbers", "launched", "filed", "changes", "ended", "cancelled", "algorithm_type", "scenarios", "principle",
            "security_measures", "models",
        ]
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            switch key {
            case "filing.numbers": schedule.numbers = try self.strings(node, key)
            case "filing.algorithm_type": text.algorithmType = try self.string(node, key)
            case "filing.scenarios": text.scenarios = try self.strings(node, key)
            case "filing.principle": text.principle = try self.string(node, key)
            case "filing.security_measures": text.securityMeasures = try self.string(node, key)
            case "filing.models":
                guard case .sequence(let items) = node else { throw self.error(node, key, "must be a list of models") }
                text.models = try items.enumerated().map { index, item in
                    let itemKey = "\(key)[\(index)]"
                    var model = OperatorText.Model(name: "")
                    let fields = ["name", "version", "base_model", "registration"]
                    for (field, value) in try self.mapping(item, itemKey, allowed: fields) {
                        let text = try self.string(value, field)
                        switch field.split(separator: ".").last ?? "" {
                        case "name": model.name = text
                        case "version": model.version = text
                        case "base_model": model.baseModel = text
                        default: model.registration = text
                        }
                    }
                    guard !model.name.isEmpty else { throw self.error(item, itemKey, "a model needs its name") }
                    return model
                }
            case "filing.launched": launch.date = try self.optionalDate(node, key)
            case "filing.filed": launch.filed = try self.optionalDate(node, key)
            case "filing.ended": end.date = try self.optionalDate(node, key)
            case "filing.cancelled": end.filed = try self.optionalDate(node, key)
            default:
                guard case .sequence(let items) = node else { throw self.error(node, key, "must be a list of changes") }
                for (index, item) in items.enumerated() {
                    let itemKey = "\(key)[\(index)]"
                    var change: (date: CivilDate?, what: String, filed: CivilDate?) = (nil, "", nil)
                    for (field, value) in try self.mapping(item, itemKey, allowed: ["date", "what", "filed"]) {
                        switch field.split(separator: ".").last ?? "" {
                        case "date": change.date = try self.optionalDate(value, field)
                        case "what": change.what = try self.string(value, field)
                        default: change.filed = try self.optionalDate(value, field)
                        }
                    }
                    guard let date = change.date else { throw self.error(item, itemKey, "a change needs its date") }
                    schedule.events.append(.init(kind: .change, date: date, what: change.what, filed: change.filed))
                }
            }
        }
        if let date = launch.date {
            schedule.events.append(.init(kind: .launch, date: date, filed: launch.filed))
        } else if launch.filed != nil {
            throw self.error(node, "filing.filed", "needs filing.launched, the day the service went live")
        }
        if let date = end.date {
            schedule.events.append(.init(kind: .cancellation, date: date, filed: end.filed))
        } else if end.filed != nil {
            throw self.error(node, "filing.cancelled", "needs filing.ended, the day the service ended")
        }
        return schedule
    }

    /// The `assessment` section: the provider's texts of the security assessment (OPS-5, SA-5).
    func assessment(_ node: Node, _ key: String, into text: inout OperatorText) throws {
        let allowed = [
            "trigger", "security_officer", "reviewers", "organisation", "identity_verification", "log_retention",
            "cooperation_cac", "cooperation_police", "conclusion",
        ]
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            if key == "assessment.trigger" {
                let value = try self.string(node, key)
                guard let trigger = AssessmentTrigger(rawValue: value) else {
                    let names = AssessmentTrigger.allCases.map(\.rawValue).joined(separator: ", ")
                    throw self.error(node, key, "must be one of \(names), got '\(value)'")
                }
                text.trigger = trigger
                continue
            }
            let value = try self.string(node, key)
            switch key {
            case "assessment.security_officer": text.securityOfficer = value
            case "assessment.reviewers": text.reviewers = value
            case "assessment.organisation": text.organisation = value
            case "assessment.identity_verification": text.identityVerification = value
            case "assessment.log_retention": text.logRetention = value
            case "assessment.cooperation_cac": text.cooperationCAC = value
            case "assessment.cooperation_police": text.cooperationPolice = value
            default: text.conclusion = value
            }
        }
    }

    func users(_ node: Node, _ key: String, into users: inout GatewayConfiguration.Users) throws {
        let allowed = [
            "require_agreement", "agreement_url", "requests_per_minute", "tokens_per_day", "training_consent_default",
            "state_cache_ms", "usage_flush_ms", "rights_request_working_days", "appeal_working_days", "holidays",
            "working_weekends", "calendar_file",
        ]
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            switch key {
            case "users.require_agreement": users.requireAgreement = try self.bool(node, key)
            case "users.agreement_url": users.agreementURL = try self.string(node, key)
            case "users.requests_per_minute":
                users.requestsPerMinute = try self.optionalInteger(node, key, in: 1...10_000_000)
            case "users.tokens_per_day":
                users.tokensPerDay = try self.optionalInteger(node, key, in: 1...Int(Int32.max))
            case "users.training_consent_default": users.trainingConsentDefault = try self.bool(node, key)
            case "users.state_cache_ms": users.stateCacheMilliseconds = try self.integer(node, key, in: 0...60_000)
            case "users.usage_flush_ms": users.usageFlushMilliseconds = try self.integer(node, key, in: 1...60_000)
            case "users.rights_request_working_days":
                users.rightsRequestWorkingDays = try self.integer(node, key, in: 1...365)
            case "users.appeal_working_days": users.appealWorkingDays = try self.integer(node, key, in: 1...365)
            case "users.holidays": users.calendar.holidays = try self.dates(node, key)
            case "users.calendar_file":
                let path = try self.string(node, key)
                guard let data = FileManager.default.contents(atPath: path),
                    let text = String(data: data, encoding: .utf8)
                else {
                    throw self.error(node, key, "cannot read the calendar file '\(path)'")
                }
                do {
                    users.calendar.merge(try WorkingDayCalendar.parse(text, file: path))
                } catch {
                    throw self.error(node, key, "\(error)")
                }
            default: users.calendar.workingWeekends = try self.dates(node, key)
            }
        }
    }

    func minors(_ node: Node, _ key: String, into minors: inout MinorsPolicy) throws {
        let allowed = [
            "enabled", "daily_minutes", "curfew", "unknown_age_band", "policy_group", "reminder_minutes",
            "idle_gap_seconds", "session_start_seconds",
        ]
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            switch key {
            case "minors.enabled": minors.isEnabled = try self.bool(node, key)
            case "minors.daily_minutes":
                let names = minors.bands.map(\.name)
                for (key, node) in try self.mapping(node, key, allowed: names) {
                    let name = String(key.split(separator: ".").last ?? "")
                    let minutes = try self.optionalInteger(node, key, in: 0...1_440)
                    if let index = minors.bands.firstIndex(where: { $0.name == name }) {
                        minors.bands[index].dailyMinutes = minutes
                    }
                }
            case "minors.curfew":
                let text = try self.string(node, key)
                if ["off", "none", "null"].contains(text) {
                    minors.curfew = nil
                } else {
                    guard let curfew = Self.timeSpan(text) else {
                        throw self.error(node, key, "must be HH:MM-HH:MM (Beijing time) or off, got '\(text)'")
                    }
                    minors.curfew = curfew
                }
            case "minors.unknown_age_band":
                let band = try self.string(node, key)
                guard minors.bands.contains(where: { $0.name == band }) else {
                    let names = minors.bands.map(\.name).joined(separator: ", ")
                    throw self.error(node, key, "must be one of \(names), got '\(band)'")
                }
                minors.unknownAgeBand = band
            case "minors.policy_group": minors.policySet = try self.string(node, key)
            case "minors.reminder_minutes": minors.reminderMinutes = try self.integer(node, key, in: 0...1_440)
            case "minors.idle_gap_seconds": minors.idleGapSeconds = try self.integer(node, key, in: 1...86_400)
            default: minors.sessionStartSeconds = try self.integer(node, key, in: 0...3_600)
            }
        }
    }

    /// `22:00-06:00` → minutes after midnight.
    static func timeSpan(_ text: String) -> (startMinute: Int, endMinute: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2 else { return nil }
        func minute(_ part: Substring) -> Int? {
            let pieces = part.trimmingPrefix(" ").split(separator: ":")
            guard pieces.count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1].prefix(2)),
                (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1_440
            else { return nil }
            return hour * 60 + minute
        }
        guard let start = minute(parts[0]), let end = minute(parts[1]) else { return nil }
        return (start, end % 1_440)
    }

    func sanctions(_ node: Node, _ key: String, into users: inout GatewayConfiguration.Users) throws {
        let allowed = [
            "enabled", "warning_daily", "restriction_daily", "suspension_consecutive", "suspension_daily",
            "termination_suspensions", "termination_window_days", "warning_hours", "restriction_hours",
            "suspension_hours", "restricted_requests_per_minute",
        ]
        var ladder = users.sanctions
        func setTrigger(
            _ level: SanctionLevel,
            _ match: (SanctionsLadder.Trigger) -> Bool,
            _ trigger: SanctionsLadder.Trigger?
        ) {
            ladder.rules.removeAll { $0.level == level && match($0.trigger) }
            guard let trigger else { return }
            let duration = ladder.rules.first(where: { $0.level == level })?.durationSeconds
            ladder.rules.append(
                .init(level: level, trigger: trigger, durationSeconds: level == .termination ? nil : duration ?? 86_400)
            )
        }
        func isDaily(_ trigger: SanctionsLadder.Trigger) -> Bool { if case .daily = trigger { true } else { false } }
        func isConsecutive(_ trigger: SanctionsLadder.Trigger) -> Bool {
            if case .consecutive = trigger { true } else { false }
        }
        var terminationCount = 3
        var terminationDays = 90
        var terminationSet = false
        var durations: [(SanctionLevel, Int?)] = []
        for (key, node) in try self.mapping(node, key, allowed: allowed) {
            switch key {
            case "sanctions.enabled": ladder.isEnabled = try self.bool(node, key)
            case "sanctions.warning_daily":
                setTrigger(.warning, isDaily, try self.optionalInteger(node, key, in: 1...1_000).map { .daily($0) })
            case "sanctions.restriction_daily":
                setTrigger(.restriction, isDaily, try self.optionalInteger(node, key, in: 1...1_000).map { .daily($0) })
            case "sanctions.suspension_consecutive":
                setTrigger(
                    .suspension,
                    isConsecutive,
                    try self.optionalInteger(node, key, in: 1...1_000).map { .consecutive($0) }
                )
            case "sanctions.suspension_daily":
                setTrigger(.suspension, isDaily, try self.optionalInteger(node, key, in: 1...1_000).map { .daily($0) })
            case "sanctions.termination_suspensions":
                terminationSet = true
                if let count = try self.optionalInteger(node, key, in: 1...1_000) {
                    terminationCount = count
                } else {
                    terminationCount = 0
                }
            case "sanctions.termination_window_days":
                terminationSet = true
                terminationDays = try self.integer(node, key, in: 1...3_650)
            case "sanctions.warning_hours":
                durations.append((.warning, try self.optionalInteger(node, key, in: 1...87_600)))
            case "sanctions.restriction_hours":
                durations.append((.restriction, try self.optionalInteger(node, key, in: 1...87_600)))
            case "sanctions.suspension_hours":
                durations.append((.suspension, try self.optionalInteger(node, key, in: 1...87_600)))
            default:
                users.restrictedRequestsPerMinute = try self.integer(node, key, in: 1...10_000_000)
            }
        }
        if terminationSet {
            ladder.rules.removeAll { $0.level == .termination }
            if terminationCount > 0 {
                ladder.rules.append(
                    .init(
                        level: .termination,
                        trigger: .suspensions(terminationCount, days: terminationDays),
                        durationSeconds: nil
                    )
                )
            }
        }
        for (level, hours) in durations {
            for index in ladder.rules.indices where ladder.rules[index].level == level {
                ladder.rules[index].durationSeconds = hours.map { $0 * 3_600 }
            }
        }
        users.sanctions = ladder
    }
}
