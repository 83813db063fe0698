/// A risk that moderation can find: one of the 31 risks of TC260-003 / GB/T 45654-2025
/// Appendix A (REQUIREMENTS.md §7), or an operator-defined category such as `custom.competitor`.
///
/// Codes are stable strings: `A1a` … `A1h`, `A2a` … `A2i`, `A3a` … `A3e`, `A4a` … `A4g`, `A5a`,
/// `A5b` for the standard risks, and `custom.<name>` for the operator's own.
package struct RiskCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The code as written in lexicons, policies, verdicts and reports.
    package let rawValue: String

    /// Parses a code.
    /// - Returns: `nil` unless the text is a standard risk code, a class code (`A1` … `A5`) or
    ///   `custom.` followed by letters, digits, `_` or `-`.
    package init?(_ text: String) {
        if RiskCatalogue.standard.risk(text) != nil || RiskClass(rawValue: text) != nil {
            self.rawValue = text
            return
        }
        let prefix = "custom."
        guard text.hasPrefix(prefix), text.utf8.count > prefix.utf8.count, text.utf8.count <= 64 else {
            return nil
        }
        let name = text.utf8.dropFirst(prefix.utf8.count)
        guard
            name.allSatisfy({ byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            })
        else {
            return nil
        }
        self.rawValue = text
    }

    /// For codes known to be valid (the catalogue's own).
    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// Personal information (A.4 f): what the PII detectors report.
    package static let personalInformation = RiskCode(unchecked: "A4f")

    /// The class a standard risk belongs to; `nil` for operator-defined categories.
    package var riskClass: RiskClass? {
        guard self.rawValue.utf8.count >= 2 else { return nil }
        return RiskClass(rawValue: String(self.rawValue.prefix(2)))
    }

    /// Whether the code names a whole class (`A1` … `A5`) rather than one risk.
    package var isClass: Bool { RiskClass(rawValue: self.rawValue) != nil }

    /// Whether this is an operator-defined category.
    package var isCustom: Bool { self.rawValue.hasPrefix("custom.") }

    package var description: String { self.rawValue }

    package static func < (lhs: RiskCode, rhs: RiskCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The five classes of TC260-003 Appendix A.
package enum RiskClass: String, Sendable, CaseIterable, Hashable {
    /// A.1 content against the core socialist values (8 risks).
    case coreValues = "A1"
    /// A.2 discriminatory content (9 risks).
    case discrimination = "A2"
    /// A.3 commercial violations (5 risks).
    case commercial = "A3"
    /// A.4 infringing others' lawful rights (7 risks).
    case rights = "A4"
    /// A.5 failing the safety needs of specific service types (2 risks).
    case serviceSafety = "A5"

    /// The class's name as the standard writes it.
    package var chineseName: String {
        switch self {
        case .coreValues: "包含违反社会主义核心价值观的内容"
        case .discrimination: "包含歧视性内容"
        case .commercial: "商业违法违规"
        case .rights: "侵犯他人合法权益"
        case .serviceSafety: "无法满足特定服务类型的安全需求"
        }
    }

    /// The class's name in English.
    package var englishName: String {
        switch self {
        case .coreValues: "Content against the core socialist values"
        case .discrimination: "Discriminatory content"
        case .commercial: "Commercial violations"
        case .rights: "Infringing others' lawful rights"
        case .serviceSafety: "Failing the safety needs of specific service types"
        }
    }

    /// The keyword floor per risk of this class (TC-8.1.2): 200 for A.1, 100 for A.2, none else.
    package var keywordFloorPerRisk: Int? {
        switch self {
        case .coreValues: 200
        case .discrimination: 100
        default: nil
        }
    }
}

/// One risk of the catalogue with its names.
package struct Risk: Sendable, Hashable {
    /// The stable code, such as `A1d`.
    package let code: RiskCode
    /// The class it belongs to; `nil` for an operator-defined category.
    package let riskClass: RiskClass?
    /// The name in Chinese, as in the standard for the 31 standard risks.
    package let chineseName: String
    /// The name in English.
    package let englishName: String

    package init(code: RiskCode, riskClass: RiskClass?, chineseName: String, englishName: String) {
        self.code = code
        self.riskClass = riskClass
        self.chineseName = chineseName
        self.englishName = englishName
    }
}
