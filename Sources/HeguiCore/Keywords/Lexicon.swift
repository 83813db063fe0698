/// Per-term options of a lexicon entry.
package struct TermOptions: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Match only the term exactly as written: no folding, no skipped noise.
    package static let exact = TermOptions(rawValue: 1 << 0)
    /// Also match the term's pinyin and initials ("zhapian", "zp" for 诈骗).
    package static let pinyin = TermOptions(rawValue: 1 << 1)
    /// Match only as a whole word even where the term starts or ends with a CJK character.
    package static let word = TermOptions(rawValue: 1 << 2)
    /// Match inside words too, even a term of Latin letters ("ass" in "class").
    package static let substring = TermOptions(rawValue: 1 << 3)
    /// The term is a regular expression (Swift `Regex` syntax) for patterns such as URLs or
    /// codes, run only on texts that contain its longest literal part.
    package static let regex = TermOptions(rawValue: 1 << 4)

    /// The option names as written in lexicon files.
    package static let names: [(String, TermOptions)] = [
        ("exact", .exact), ("pinyin", .pinyin), ("word", .word), ("substring", .substring), ("regex", .regex),
    ]

    /// The options as written in lexicon files, comma-separated.
    package var names: String {
        Self.names.filter { self.contains($0.1) }.map(\.0).joined(separator: ",")
    }
}

/// Where a lexicon entry came from.
package struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file (or other source) name.
    package var file: String
    /// The line, from 1.
    package var line: Int

    package init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    package var description: String { "\(self.file):\(self.line)" }
}

/// One term of a lexicon: a prohibited term with its risk and action, or an allowed term that
/// suppresses hits it covers ("路口交通" covers "口交").
package struct LexiconEntry: Sendable, Hashable {
    /// The term as written.
    package var term: String
    /// The risk it signals. For an allowed term, the risk whose hits it suppresses, or `nil`
    /// for all risks.
    package var risk: RiskCode?
    /// The lexicon's own action for the term; the policy may override it by risk.
    package var action: ModerationAction
    /// Whether this is an allowed term (allow-list) rather than a prohibited one.
    package var isAllowed: Bool
    /// Per-term options.
    package var options: TermOptions
    /// Where it was defined.
    package var source: SourceLocation

    package init(
        term: String,
        risk: RiskCode?,
        action: ModerationAction,
        isAllowed: Bool = false,
        options: TermOptions = [],
        source: SourceLocation
    ) {
        self.term = term
        self.risk = risk
        self.action = action
        self.isAllowed = isAllowed
        self.options = options
        self.source = source
    }
}

/// Terms loaded from the operator's files, with what was found odd in them.
///
/// Duplicates (the same term, risk and action twice) keep the first entry; conflicts (the same
/// term with another risk or action) keep every entry, so a hit reports each risk. Both are
/// listed in ``diagnostics`` for the operator to fix, never merged silently.
package struct Lexicon: Sendable {
    /// Every entry, in the order loaded.
    package private(set) var entries: [LexiconEntry] = []
    /// Duplicates and conflicts found while loading.
    package private(set) var diagnostics: [LexiconDiagnostic] = []
    private var firstByTerm: [String: [Int]] = [:]

    package init() {}

    package init(entries: [LexiconEntry]) {
        for entry in entries {
            self.add(entry)
        }
    }

    /// Adds one entry, noting duplicates and conflicts.
    package mutating func add(_ entry: LexiconEntry) {
        if let earlier = self.firstByTerm[entry.term] {
            for index in earlier {
                let other = self.entries[index]
                guard other.isAllowed == entry.isAllowed else { continue }
                if other.risk == entry.risk && other.action == entry.action && other.options == entry.options {
                    self.diagnostics.append(
                        LexiconDiagnostic(
                            kind: .duplicate,
                            term: entry.term,
                            location: entry.source,
                            earlier: other.source
                        )
                    )
                    return
                }
                self.diagnostics.append(
                    LexiconDiagnostic(kind: .conflict, term: entry.term, location: entry.source, earlier: other.source)
                )
            }
        }
        self.firstByTerm[entry.term, default: []].append(self.entries.count)
        self.entries.append(entry)
    }

    /// Adds every entry of another lexicon.
    package mutating func merge(_ other: Lexicon) {
        self.diagnostics.append(contentsOf: other.diagnostics)
        for entry in other.entries {
            self.add(entry)
        }
    }

    /// Prohibited terms per risk (allowed terms are not counted), for TC-8.1 coverage checks.
    package var termCounts: [RiskCode: Int] {
        var counts: [RiskCode: Int] = [:]
        for entry in self.entries where !entry.isAllowed {
            if let risk = entry.risk {
                counts[risk, default: 0] += 1
            }
        }
        return counts
    }

    /// The number of allowed terms.
    package var allowedTermCount: Int {
        self.entries.count { $0.isAllowed }
    }
}

/// Something odd in a lexicon that loading did not stop for.
package struct LexiconDiagnostic: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        /// The same term, risk and action again; the later entry was dropped.
        case duplicate
        /// The same term with another risk, action or options; both entries were kept.
        case conflict
    }

    package var kind: Kind
    package var term: String
    package var location: SourceLocation
    package var earlier: SourceLocation

    /// The diagnostic without the term, for logs.
    package var locationDescription: String {
        "\(self.location): \(self.kind.rawValue) (see \(self.earlier))"
    }

    package var description: String {
        switch self.kind {
        case .duplicate:
            "\(self.location): 重复词条 / duplicate term \"\(self.term)\" (first at \(self.earlier))"
        case .conflict:
            "\(self.location): 冲突词条 / conflicting term \"\(self.term)\" (also at \(self.earlier) with another risk, action or options)"
        }
    }
}
