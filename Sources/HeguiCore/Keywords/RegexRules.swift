/// The lexicon entries marked `regex`: patterns such as URLs, contact details or codes that a
/// keyword list cannot express. Each runs only on texts that contain its longest literal part
/// (at least two characters), so most texts never reach the regular-expression engine; a rule
/// with no such part runs on every text.
///
/// `Regex` values are not `Sendable`, so the rules keep their patterns and compile one when a
/// text passes its literal filter.
package struct RegexRules: Sendable {
    struct Rule: Sendable {
        var entry: Int
        var pattern: String
        var literal: String?
    }

    private let rules: [Rule]

    /// Compiles the `regex` entries of a lexicon (the parser has checked that they compile).
    package init(entries: [LexiconEntry]) {
        var rules: [Rule] = []
        for (index, entry) in entries.enumerated() where entry.options.contains(.regex) && !entry.isAllowed {
            guard (try? Regex(entry.term, as: Substring.self)) != nil else { continue }
            rules.append(Rule(entry: index, pattern: entry.term, literal: Self.literal(of: entry.term)))
        }
        self.rules = rules
    }

    /// Whether there are any rules.
    package var isEmpty: Bool { self.rules.isEmpty }

    /// Every match of every rule, as keyword matches (entry and span in the original text).
    package func matches(in text: String) -> [KeywordMatch] {
        var found: [KeywordMatch] = []
        for rule in self.rules {
            if let literal = rule.literal, !text.contains(literal) { continue }
            guard let regex = try? Regex(rule.pattern, as: Substring.self) else { continue }
            for match in text.matches(of: regex) where !match.range.isEmpty {
                let utf8 = text.utf8
                let start = utf8.distance(from: utf8.startIndex, to: match.range.lowerBound)
                let end = utf8.distance(from: utf8.startIndex, to: match.range.upperBound)
                let scalars = text.unicodeScalars
                let characterStart = scalars.distance(from: scalars.startIndex, to: match.range.lowerBound)
                let characterEnd = scalars.distance(from: scalars.startIndex, to: match.range.upperBound)
                found.append(
                    KeywordMatch(
                        entry: rule.entry,
                        span: TextSpan(bytes: start..<end, characters: characterStart..<characterEnd)
                    )
                )
            }
        }
        return found
    }

    /// The longest run of literal characters in a pattern that every match must contain, or
    /// `nil`. Conservative: a run is cut at any metacharacter, and a pattern with alternation
    /// or an optional or repeated part right after the run has none.
    package static func literal(of pattern: String) -> String? {
        guard !pattern.contains("|") else { return nil }
        var best = ""
        var current = ""
        var inClass = false
        var escaped = false
        let characters = Array(pattern)
        for (index, character) in characters.enumerated() {
            if escaped {
                escaped = false
                // An escaped punctuation character is itself; \d, \w and the like are classes.
                if character.isPunctuation || character.isSymbol {
                    current.append(character)
                } else {
                    if current.count > best.count { best = current }
                    current = ""
                }
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
                continue
            }
            switch character {
            case "\\":
                escaped = true
            case "[":
                inClass = true
                if current.count > best.count { best = current }
                current = ""
            case "?", "*", "{":
                // The character before is optional or repeated: it cannot be required.
                if !current.isEmpty { current.removeLast() }
                if current.count > best.count { best = current }
                current = ""
            case "(", ")", ".", "^", "$", "+":
                if character == "+", index > 0 {
                    // One or more: the character before stays required, the run ends.
                    if current.count > best.count { best = current }
                    current = ""
                    continue
                }
                if current.count > best.count { best = current }
                current = ""
            default:
                current.append(character)
            }
        }
        if current.count > best.count { best = current }
        return best.count >= 2 ? best : nil
    }
}
