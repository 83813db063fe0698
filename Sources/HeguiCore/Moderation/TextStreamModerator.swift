/// Checks one text that arrives in pieces — a streamed answer's content, its reasoning, a tool
/// call's arguments — and says how much of it may be shown (IM-14.1–14.3, TC-7.7).
///
/// Text is released only once nothing that might still be found could cover it:
/// - **lexicon terms**: the keyword scanner's hold-back (a term begun but not finished, a match
///   still awaiting a veto), so no prohibited term nor any prefix of one is ever released;
/// - **personal information**, when the policy looks for it: a trailing run of the characters
///   such numbers and addresses are written with (ASCII and full-width letters, digits and
///   punctuation, at most ``piiHoldLimit``) waits for the character that ends it;
/// - **regex rules**, when the lexicon has any: text waits for the end of its sentence
///   (。！？!?；;… or a line break), or ``sentenceLimit`` characters.
/// Anything else goes out at once. Spans a `redact` rule covers are masked before release; a
/// `block` hit releases nothing more and the caller stops the stream.
///
/// ```swift
/// var moderator = TextStreamModerator(engine: engine, policy: policy)
/// for piece in pieces {
///     let step = moderator.feed(piece)
///     if step.isBlocked { stop(with: moderator.verdict) }
///     send(step.release)
/// }
/// send(moderator.finish().release)
/// ```
package struct TextStreamModerator: Sendable {
    /// What one piece (or the end) produced.
    package struct Step: Sendable, Hashable {
        /// Text that may be shown now (masked where a `redact` rule says).
        package var release: String
        /// Hits found by this step, in the coordinates of the whole text.
        package var hits: [ModerationHit]
        /// Whether a hit refuses the text: nothing more may be shown.
        package var isBlocked: Bool
    }

    /// Longest run of personal-information characters held back while it might still grow.
    package static let piiHoldLimit = 64
    /// Longest sentence held for the regex rules before it is checked anyway.
    package static let sentenceLimit = 256

    private let engine: ModerationEngine
    private let policy: ModerationPolicy
    private let direction: ModerationDirection
    /// The engine's matcher for the policy, looked up once (the lookup hashes the folding).
    private let matcher: KeywordMatcher
    private var scanner: KeywordScanner
    private let holdsPersonalInformation: Bool
    private let holdsSentences: Bool
    /// Bytes fed but not yet released.
    private var pending: [UInt8] = []
    /// Where `pending` starts in the whole text.
    private var base = KeywordScanner.Offset(bytes: 0, characters: 0)
    /// Redacting hits whose spans may still lie in `pending`.
    private var masks: [TextSpan] = []
    /// Every hit so far.
    package private(set) var hits: [ModerationHit] = []
    /// Whether a `block` hit has been found.
    package private(set) var isBlocked = false

    /// - Parameter holdsSentences: release whole sentences only, even without regex rules (for a
    ///   classifier that must see text before it is shown).
    package init(
        engine: ModerationEngine,
        policy: ModerationPolicy,
        direction: ModerationDirection = .output,
        holdsSentences: Bool = false
    ) {
        self.engine = engine
        self.policy = policy
        self.direction = direction
        self.matcher = engine.matcher(for: policy)
        self.scanner = self.matcher.makeScanner()
        self.holdsPersonalInformation =
            !policy.personalInformation.isEmpty
            && policy.action(for: .personalInformation, termAction: nil, direction: direction) != .allow
        self.holdsSentences = holdsSentences || !engine.regexRules.isEmpty
    }

    /// The verdict over everything found so far, with the compliant answer when it refuses.
    package var verdict: ModerationVerdict {
        self.engine.verdict(self.hits, policy: self.policy)
    }

    /// Everything fed so far, released or not, in bytes.
    package var fedBytes: Int { self.scanner.end.bytes }

    /// Everything released so far, in bytes of the original text.
    package var releasedBytes: Int { self.base.bytes }

    /// Feeds the next piece.
    package mutating func feed(_ piece: String) -> Step {
        guard !self.isBlocked else { return Step(release: "", hits: [], isBlocked: true) }
        var found = self.engine.hits(
            for: self.scanner.feed(piece),
            matcher: self.matcher,
            direction: self.direction,
            policy: self.policy
        )
        self.pending.append(contentsOf: piece.utf8)
        var limit = self.scanner.holdBack.bytes
        if self.holdsPersonalInformation {
            limit = min(limit, self.base.bytes + Self.trailingRunStart(self.pending, limit: Self.piiHoldLimit))
        }
        if self.holdsSentences {
            limit = min(limit, self.base.bytes + Self.lastSentenceEnd(self.pending, limit: Self.sentenceLimit))
        }
        return self.release(upTo: limit, adding: &found)
    }

    /// Ends the text: pending matches become certain and the rest is released.
    package mutating func finish() -> Step {
        guard !self.isBlocked else { return Step(release: "", hits: [], isBlocked: true) }
        var found = self.engine.hits(
            for: self.scanner.finish(),
            matcher: self.matcher,
            direction: self.direction,
            policy: self.policy
        )
        return self.release(upTo: self.base.bytes + self.pending.count, adding: &found)
    }

    private mutating func release(upTo limit: Int, adding found: inout [ModerationHit]) -> Step {
        let count = max(0, min(limit - self.base.bytes, self.pending.count))
        let segment = Array(self.pending[..<count])
        if count > 0 {
            // The detectors that need whole tokens or sentences see the segment being released.
            let text = String(decoding: segment, as: UTF8.self)
            if self.holdsPersonalInformation {
                for match in PersonalInformationDetector.matches(in: text, kinds: self.policy.personalInformation) {
                    found.append(
                        ModerationHit(
                            risk: .personalInformation,
                            source: .personalInformation(match.kind),
                            action: self.policy.action(
                                for: .personalInformation,
                                termAction: nil,
                                direction: self.direction
                            ),
                            span: self.shifted(match.span)
                        )
                    )
                }
            }
            if self.holdsSentences {
                found += self.engine.hits(
                    for: self.engine.regexRules.matches(in: text).map {
                        KeywordMatch(entry: $0.entry, span: self.shifted($0.span))
                    },
                    matcher: self.matcher,
                    direction: self.direction,
                    policy: self.policy
                )
            }
        }
        self.hits += found
        if found.contains(where: { $0.action == .block }) {
            self.isBlocked = true
            return Step(release: "", hits: found, isBlocked: true)
        }
        self.masks += found.filter { $0.action == .redact }.map(\.span)
        guard count > 0 else { return Step(release: "", hits: found, isBlocked: false) }

        let released = self.masked(segment)
        var characters = 0
        for byte in segment where byte & 0xC0 != 0x80 { characters += 1 }
        if count == self.pending.count {
            self.pending.removeAll(keepingCapacity: true)
        } else {
            self.pending.removeFirst(count)
        }
        self.base = KeywordScanner.Offset(bytes: self.base.bytes + count, characters: self.base.characters + characters)
        self.masks.removeAll { $0.bytes.upperBound <= self.base.bytes }
        return Step(release: released, hits: found, isBlocked: false)
    }

    /// The segment with every character inside a redacting span replaced by the policy's mask.
    private func masked(_ segment: [UInt8]) -> String {
        let start = self.base.bytes
        let relevant = self.masks.filter { $0.bytes.lowerBound < start + segment.count && $0.bytes.upperBound > start }
        guard !relevant.isEmpty else { return String(decoding: segment, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(segment.count)
        let mask = Array(String(self.policy.mask).utf8)
        var index = 0
        while index < segment.count {
            var width = 1
            let lead = segment[index]
            if lead >= 0xF0 { width = 4 } else if lead >= 0xE0 { width = 3 } else if lead >= 0xC0 { width = 2 }
            width = min(width, segment.count - index)
            let position = start + index
            if relevant.contains(where: { $0.bytes.contains(position) }) {
                output += mask
            } else {
                output += segment[index..<(index + width)]
            }
            index += width
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func shifted(_ span: TextSpan) -> TextSpan {
        TextSpan(
            bytes: (span.bytes.lowerBound + self.base.bytes)..<(span.bytes.upperBound + self.base.bytes),
            characters: (span.characters.lowerBound + self.base.characters)..<(span.characters.upperBound
                + self.base.characters)
        )
    }

    /// Where the trailing run of characters that personal information is written with begins
    /// (ASCII letters, digits and punctuation, and their full-width forms); at most `limit`
    /// characters are held.
    static func trailingRunStart(_ bytes: [UInt8], limit: Int) -> Int {
        var start = bytes.count
        var held = 0
        while start > 0, held < limit {
            var lead = start - 1
            while lead > 0, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
            guard Self.isPersonalInformationCharacter(bytes, at: lead) else { break }
            start = lead
            held += 1
        }
        return start
    }

    /// ASCII `!`…`~` or a full-width form U+FF01…U+FF5E (EF BC 81 … EF BD 9E).
    static func isPersonalInformationCharacter(_ bytes: [UInt8], at index: Int) -> Bool {
        let lead = bytes[index]
        if lead < 0x80 { return lead > 0x20 && lead < 0x7F }
        guard lead == 0xEF, index + 2 < bytes.count else { return false }
        let second = bytes[index + 1]
        let third = bytes[index + 2]
        return (second == 0xBC && third >= 0x81) || (second == 0xBD && third <= 0x9E)
    }

    /// The end of the last complete sentence in `bytes` (0 when there is none), or the end of
    /// the text once more than `limit` characters follow the last sentence end.
    static func lastSentenceEnd(_ bytes: [UInt8], limit: Int) -> Int {
        var end = 0
        var charactersAfter = 0
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            var width = 1
            if lead >= 0xF0 { width = 4 } else if lead >= 0xE0 { width = 3 } else if lead >= 0xC0 { width = 2 }
            width = min(width, bytes.count - index)
            let isEnd: Bool
            switch width {
            case 1: isEnd = lead == 0x0A || lead == 0x21 || lead == 0x3F || lead == 0x3B || lead == 0x2E
            case 3:
                // 。！？；… and the full-width ！？；
                let scalar =
                    (UInt32(lead & 0x0F) << 12) | (UInt32(bytes[index + 1] & 0x3F) << 6)
                    | UInt32(bytes[index + 2] & 0x3F)
                isEnd = [0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0x2026].contains(scalar)
            default: isEnd = false
            }
            index += width
            if isEnd {
                end = index
                charactersAfter = 0
            } else {
                charactersAfter += 1
            }
        }
        return charactersAfter > limit ? bytes.count : end
    }
}
