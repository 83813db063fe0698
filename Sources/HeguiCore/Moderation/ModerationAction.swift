/// What moderation does about a hit, from the mildest to the strictest.
package enum ModerationAction: String, Sendable, CaseIterable, Comparable, Hashable {
    /// Let it through without a record.
    case allow
    /// Let it through and record the hit (for review and statistics).
    case flag
    /// Mask the span and let the rest through.
    case redact
    /// Refuse with the compliant answer (代答) or an error (IM-4, TC-7.7).
    case block

    private var severity: Int {
        switch self {
        case .allow: 0
        case .flag: 1
        case .redact: 2
        case .block: 3
        }
    }

    package static func < (lhs: ModerationAction, rhs: ModerationAction) -> Bool {
        lhs.severity < rhs.severity
    }
}

/// Which way text is travelling when it is checked.
package enum ModerationDirection: String, Sendable, CaseIterable, Hashable {
    /// What the app sends to the model (the user's prompt, tool results).
    case input
    /// What the model answers.
    case output
}
