/// One finding of moderation: what was found, where, and what the policy does about it.
package struct ModerationHit: Sendable, Hashable {
    /// What found it.
    package enum Source: Sendable, Hashable {
        /// A lexicon term (its index in the engine's lexicon, and the term).
        case term(index: Int, term: String)
        /// A personal-information detector.
        case personalInformation(PersonalInformationKind)
        /// An external classifier model, by its configured name.
        case classifier(String)
    }

    /// The risk found.
    package var risk: RiskCode
    /// What found it.
    package var source: Source
    /// What the policy does about it.
    package var action: ModerationAction
    /// Where it is in the original text.
    package var span: TextSpan

    package init(risk: RiskCode, source: Source, action: ModerationAction, span: TextSpan) {
        self.risk = risk
        self.source = source
        self.action = action
        self.span = span
    }

    /// A stable id of what found it: the term itself or `pii.<kind>`.
    package var termID: String {
        switch self.source {
        case .term(_, let term): term
        case .personalInformation(let kind): kind.termID
        case .classifier(let name): "classifier." + name
        }
    }
}

/// The result of checking one text: every hit and the action they add up to.
package struct ModerationVerdict: Sendable, Hashable {
    /// Every hit, in order of position.
    package var hits: [ModerationHit]
    /// The compliant answer to send instead, when the action is ``ModerationAction/block``.
    package var answer: String?

    package init(hits: [ModerationHit], answer: String? = nil) {
        self.hits = hits
        self.answer = answer
    }

    /// The strictest action of any hit; `allow` when there is none.
    package var action: ModerationAction {
        self.hits.map(\.action).max() ?? .allow
    }

    /// The risks found, each once, in code order (allowed hits left out).
    package var risks: [RiskCode] {
        Array(Set(self.hits.filter { $0.action != .allow }.map(\.risk))).sorted()
    }

    /// The text with every span of a `redact` (or stricter) hit masked, character for
    /// character.
    package func redacting(_ text: String, mask: Character = "*") -> String {
        let spans = self.hits.filter { $0.action >= .redact }.map(\.span.characters).sorted {
            $0.lowerBound < $1.lowerBound
        }
        guard !spans.isEmpty else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var spanIndex = 0
        for (position, scalar) in text.unicodeScalars.enumerated() {
            while spanIndex < spans.count, spans[spanIndex].upperBound <= position { spanIndex += 1 }
            if spanIndex < spans.count, spans[spanIndex].contains(position) {
                result.append(mask)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
