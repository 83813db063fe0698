package import HeguiCore

/// The service's figures per Beijing day and tenant, tallied from the audit log (OPS-1): what the
/// statistics dashboard charts and the security-assessment report quotes (IM-14, IM-15, OPS-5).
///
/// Events are added in log order, once each; ``nextSequence`` says where to go on reading, so a
/// long-running gateway tallies only what was appended since its last look.
///
/// ```swift
/// var statistics = ServiceStatistics()
/// for event in events { statistics.add(event) }
/// let week = statistics.total(from: monday, through: sunday)
/// print(week.requests, week.output.block)
/// ```
package struct ServiceStatistics: Sendable, Hashable {
    /// One day of one tenant.
    package struct Key: Sendable, Hashable, Comparable {
        package var day: CivilDate
        /// The tenant; `"-"` for events of no tenant (the gateway's own, public complaints).
        package var tenant: String

        package static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.day, lhs.tenant) < (rhs.day, rhs.tenant)
        }
    }

    /// Decisions by action.
    package struct ActionCounts: Sendable, Hashable {
        package var allow = 0
        package var flag = 0
        package var redact = 0
        package var block = 0

        package init() {}

        package subscript(action: ModerationAction) -> Int {
            get {
                switch action {
                case .allow: self.allow
                case .flag: self.flag
                case .redact: self.redact
                case .block: self.block
                }
            }
            set {
                switch action {
                case .allow: self.allow = newValue
                case .flag: self.flag = newValue
                case .redact: self.redact = newValue
                case .block: self.block = newValue
                }
            }
        }

        package var total: Int { self.allow + self.flag + self.redact + self.block }

        mutating func add(_ other: ActionCounts) {
            for action in ModerationAction.allCases { self[action] += other[action] }
        }
    }

    /// What one day of one tenant saw.
    package struct Figures: Sendable, Hashable {
        /// Model requests decided (chat, images, speech): one `moderation.checked` or one
        /// `moderation.input` event each.
        package var requests = 0
        /// Calls of the moderation API (`moderation.check`).
        package var moderationChecks = 0
        /// Decisions on what users sent (IM-14, TC-6.2.2).
        package var input = ActionCounts()
        /// Decisions on what the model answered (IM-14).
        package var output = ActionCounts()
        /// Decisions other than allow, by risk: `[risk: [direction: count]]`, directions `input`
        /// and `output` (the moderation API's by the direction it was asked for).
        package var risks: [String: [String: Int]] = [:]
        /// Streamed answers stopped part way (the compliant answer sent instead of the rest).
        package var streamsStopped = 0
        /// Classifier failures (`moderation.classifier_error`), whether they refused or let through.
        package var classifierErrors = 0
        /// Sanctions imposed by step: warning, restriction, suspension, termination (IM-14.4).
        package var sanctions: [String: Int] = [:]
        package var sanctionsLifted = 0
        package var appeals = 0
        /// Users reported to the authorities (IM-14.5).
        package var reportedToAuthorities = 0
        /// Complaints and reports received, by category (IM-15).
        package var complaints: [String: Int] = [:]
        /// Complaints that went past their time limit unanswered (`complaint.overdue`).
        package var complaintsOverdue = 0
        /// Content taken down (`content.taken_down`) and incidents opened (IM-14.1).
        package var takedowns = 0
        package var incidents = 0
        /// Labelled files produced (`label.produced`, one per item; IM-12).
        package var labelledFiles = 0
        /// Requests refused at the user gate, by error code (sanctions, minors' hours, quotas).
        package var refusedUsers: [String: Int] = [:]
        /// Personal-information requests carried out: copies given, deletions done (IM-11.5).
        package var dataExports = 0
        package var deletions = 0

        package init() {}

        /// Adds another day's (or tenant's) figures.
        package mutating func add(_ other: Figures) {
            self.requests += other.requests
            self.moderationChecks += other.moderationChecks
            self.input.add(other.input)
            self.output.add(other.output)
            for (risk, directions) in other.risks {
                self.risks[risk, default: [:]].merge(directions, uniquingKeysWith: +)
            }
            self.streamsStopped += other.streamsStopped
            self.classifierErrors += other.classifierErrors
            self.sanctions.merge(other.sanctions, uniquingKeysWith: +)
            self.sanctionsLifted += other.sanctionsLifted
            self.appeals += other.appeals
            self.reportedToAuthorities += other.reportedToAuthorities
            self.complaints.merge(other.complaints, uniquingKeysWith: +)
            self.complaintsOverdue += other.complaintsOverdue
            self.takedowns += other.takedowns
            self.incidents += other.incidents
            self.labelledFiles += other.labelledFiles
            self.refusedUsers.merge(other.refusedUsers, uniquingKeysWith: +)
            self.dataExports += other.dataExports
            self.deletions += other.deletions
        }

        /// Decisions other than allow of one risk, both directions.
        package func hits(of risk: String) -> Int {
            self.risks[risk]?.values.reduce(0, +) ?? 0
        }

        /// Sanctions of every step.
        package var sanctionsImposed: Int { self.sanctions.values.reduce(0, +) }
        package var complaintsReceived: Int { self.complaints.values.reduce(0, +) }
    }

    /// The sanction steps in their order (IM-14.4, TC-7.7).
    package static let sanctionSteps = ["warning", "restriction", "suspension", "termination"]

    /// The figures per day and tenant.
    package private(set) var figures: [Key: Figures] = [:]
    /// The sequence number of the next event to add.
    package private(set) var nextSequence: UInt64 = 0
    /// The days are Beijing days.
    package let zone: LocalTime

    package init(zone: LocalTime = .beijing) {
        self.zone = zone
    }

    /// Tallies one event. Events already counted (a sequence number below ``nextSequence``) are
    /// skipped, so a page read twice counts once.
    package mutating func add(_ event: AuditEvent) {
        guard event.sequence >= self.nextSequence else { return }
        self.nextSequence = event.sequence + 1
        let key = Key(day: self.zone.date(of: event.time), tenant: event.tenant ?? "-")
        Self.tally(event, into: &self.figures[key, default: Figures()])
    }

    /// Marks events up to `sequence` (exclusive) read, for events the store left out (purged ones).
    package mutating func skip(to sequence: UInt64) {
        self.nextSequence = max(self.nextSequence, sequence)
    }

    static func tally(_ event: AuditEvent, into figures: inout Figures) {
        let action = event.action ?? .allow
        func countRisks(_ direction: String) {
            guard action != .allow else { return }
            for risk in Set(event.risks) {
                figures.risks[risk.rawValue, default: [:]][direction, default: 0] += 1
            }
        }
        switch event.type {
        case "moderation.checked":
            figures.requests += 1
            figures.input.allow += 1
            figures.output.allow += 1
        case "moderation.input":
            figures.requests += 1
            figures.input[action] += 1
            countRisks("input")
        case "moderation.output":
            figures.output[action] += 1
            countRisks("output")
            if event.details["stopped"] == "true" { figures.streamsStopped += 1 }
        case "moderation.check":
            figures.moderationChecks += 1
            countRisks(event.details["direction"] == "output" ? "output" : "input")
        case "moderation.classifier_error":
            figures.classifierErrors += 1
        case "sanction.imposed":
            figures.sanctions[event.details["level"] ?? "unknown", default: 0] += 1
        case "sanction.lifted":
            figures.sanctionsLifted += 1
        case "sanction.appealed":
            figures.appeals += 1
        case "sanction.reported":
            figures.reportedToAuthorities += 1
        case "complaint.received":
            figures.complaints[event.details["category"] ?? "other", default: 0] += 1
        case "complaint.overdue":
            figures.complaintsOverdue += 1
        case "content.taken_down":
            figures.takedowns += 1
        case "incident.opened":
            figures.incidents += 1
        case "label.produced":
            let ids = event.details["aigc"] ?? ""
            figures.labelledFiles += ids.isEmpty ? 1 : ids.split(separator: ",").count
        case "user.refused":
            figures.refusedUsers[event.details["code"] ?? "unknown", default: 0] += 1
        case "user.exported":
            figures.dataExports += 1
        case "user.deleted":
            figures.deletions += 1
        default:
            break
        }
    }

    /// The days with any figures, first to last.
    package var days: ClosedRange<CivilDate>? {
        guard let first = self.figures.keys.map(\.day).min(), let last = self.figures.keys.map(\.day).max() else {
            return nil
        }
        return first...last
    }

    /// The tenants with any figures, sorted.
    package var tenants: [String] {
        Set(self.figures.keys.map(\.tenant)).sorted()
    }

    /// The figures of every day from `from` through `through` (inclusive, days without events
    /// included as zeros), of one tenant or all.
    package func daily(
        from: CivilDate,
        through: CivilDate,
        tenant: String? = nil
    ) -> [(day: CivilDate, figures: Figures)] {
        guard from <= through else { return [] }
        var byDay: [CivilDate: Figures] = [:]
        for (key, figures) in self.figures(from: from, through: through, tenant: tenant) {
            byDay[key.day, default: Figures()].add(figures)
        }
        return (from.daysSince1970...through.daysSince1970).map { number in
            let day = CivilDate(daysSince1970: number)
            return (day, byDay[day] ?? Figures())
        }
    }

    /// The figures of a period added up, of one tenant or all; `nil` bounds are open.
    package func total(from: CivilDate? = nil, through: CivilDate? = nil, tenant: String? = nil) -> Figures {
        var total = Figures()
        for (_, figures) in self.figures(from: from, through: through, tenant: tenant) {
            total.add(figures)
        }
        return total
    }

    /// The figures of the days and tenant asked for; `nil` bounds are open.
    private func figures(
        from: CivilDate?,
        through: CivilDate?,
        tenant: String?
    ) -> some Sequence<(key: Key, value: Figures)> {
        self.figures.lazy.filter { key, _ in
            (from.map { key.day >= $0 } ?? true) && (through.map { key.day <= $0 } ?? true)
                && (tenant.map { key.tenant == $0 } ?? true)
        }
    }
}
