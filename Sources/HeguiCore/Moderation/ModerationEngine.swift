/// Checks text against a lexicon and the personal-information detectors under a policy: the
/// text engine of IM-4, IM-11, IM-14 and TC-7.7.
///
/// An engine is immutable and `Sendable`: build a new one when the lexicon or the policies
/// change (off the request path) and swap it in whole.
///
/// ```swift
/// let engine = ModerationEngine(lexicon: lexicon, policies: .builtIn)
/// let verdict = engine.check("……", direction: .input, tenant: "app", group: nil)
/// if verdict.action == .block { reply(verdict.answer!) }
/// ```
package final class ModerationEngine: Sendable {
    /// The lexicon's entries, indexed by ``ModerationHit/Source/term(index:term:)``.
    package let lexicon: Lexicon
    /// The policies and their assignment.
    package let policies: PolicySet
    private let matchers: [FoldingOptions: KeywordMatcher]
    /// The matcher when every policy folds alike (the usual case): no lookup, which would hash
    /// the folding, on every check.
    private let soleMatcher: KeywordMatcher?
    /// The lexicon's `regex` entries.
    package let regexRules: RegexRules

    /// Compiles the lexicon once for each distinct folding of the policies, or takes a matcher
    /// compiled earlier (a compiled lexicon file) where its folding and entries fit.
    package init(
        lexicon: Lexicon,
        policies: PolicySet,
        latinWordBoundaries: Bool = true,
        prebuilt: [KeywordMatcher] = []
    ) {
        self.lexicon = lexicon
        self.policies = policies
        self.regexRules = RegexRules(entries: lexicon.entries)
        var matchers: [FoldingOptions: KeywordMatcher] = [:]
        for folding in policies.foldings {
            if let matcher = prebuilt.first(where: {
                $0.folding == folding && $0.latinWordBoundaries == latinWordBoundaries && $0.entries == lexicon.entries
            }) {
                matchers[folding] = matcher
            } else {
                matchers[folding] = KeywordMatcher(
                    lexicon: lexicon,
                    folding: folding,
                    latinWordBoundaries: latinWordBoundaries
                )
            }
        }
        self.matchers = matchers
        self.soleMatcher = matchers.count == 1 ? matchers.values.first : nil
    }

    /// The matcher compiled for a policy's folding.
    package func matcher(for policy: ModerationPolicy) -> KeywordMatcher {
        if let matcher = self.soleMatcher {
            return matcher
        }
        if let matcher = self.matchers[policy.folding] {
            return matcher
        }
        // Policies come from `policies`, whose foldings all have a matcher; a policy built
        // elsewhere gets one of them.
        return self.matchers.values.first!
    }

    /// Checks a whole text under the policy of a tenant's user group.
    package func check(
        _ text: String,
        direction: ModerationDirection,
        tenant: String? = nil,
        group: String? = nil
    ) -> ModerationVerdict {
        self.check(text, direction: direction, policy: self.policies.policy(tenant: tenant, group: group))
    }

    /// Checks a whole text under a policy.
    package func check(_ text: String, direction: ModerationDirection, policy: ModerationPolicy) -> ModerationVerdict {
        let matcher = self.matcher(for: policy)
        var hits = self.hits(for: matcher.matches(in: text), matcher: matcher, direction: direction, policy: policy)
        if !self.regexRules.isEmpty {
            hits += self.hits(
                for: self.regexRules.matches(in: text),
                matcher: matcher,
                direction: direction,
                policy: policy
            )
        }
        for match in PersonalInformationDetector.matches(in: text, kinds: policy.personalInformation) {
            let risk = RiskCode.personalInformation
            hits.append(
                ModerationHit(
                    risk: risk,
                    source: .personalInformation(match.kind),
                    action: policy.action(for: risk, termAction: nil, direction: direction),
                    span: match.span
                )
            )
        }
        hits.sort { $0.span == $1.span ? $0.termID < $1.termID : $0.span < $1.span }
        return self.verdict(hits, policy: policy)
    }

    /// Turns keyword matches into hits with the policy's actions.
    package func hits(
        for matches: [KeywordMatch],
        matcher: KeywordMatcher,
        direction: ModerationDirection,
        policy: ModerationPolicy
    ) -> [ModerationHit] {
        matches.compactMap { match in
            let entry = matcher.entries[match.entry]
            guard !entry.isAllowed, let risk = entry.risk else { return nil }
            return ModerationHit(
                risk: risk,
                source: .term(index: match.entry, term: entry.term),
                action: policy.action(for: risk, termAction: entry.action, direction: direction),
                span: match.span
            )
        }
    }

    /// A verdict of hits, with the compliant answer when they add up to a refusal.
    package func verdict(_ hits: [ModerationHit], policy: ModerationPolicy) -> ModerationVerdict {
        var verdict = ModerationVerdict(hits: hits)
        if verdict.action == .block {
            verdict.answer = policy.answer(for: hits.filter { $0.action == .block }.map(\.risk))
        }
        return verdict
    }
}
