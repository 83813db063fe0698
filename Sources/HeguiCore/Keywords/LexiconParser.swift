/// A lexicon file that cannot be loaded: names the file, the line and what is wrong.
package struct LexiconError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    package var location: SourceLocation
    /// What is wrong, in Chinese and English.
    package var message: String

    package init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    package var description: String { "\(self.location): \(self.message)" }
}

/// Reads lexicon files in the two formats operators keep them in.
///
/// Plain text: one term a line under a header comment that sets the risk, the action and the
/// options of the terms after it; `# allow` starts allowed terms (optionally for one risk).
///
/// ```
/// # risk: A1d action: block options: pinyin
/// 恐怖袭击
/// # allow risk: A1f
/// 路口交通
/// ```
///
/// TSV: `term<TAB>risk<TAB>action[<TAB>options]`; an allowed term has the action `allow` and a
/// risk code or `*` (all risks). Lines starting with `#` are comments in both formats.
package enum LexiconParser {
    /// The two file formats.
    package enum Format: Sendable {
        case text
        case tsv

        /// TSV for names ending in `.tsv`, plain text otherwise.
        package init(fileName: String) {
            self = fileName.lowercased().hasSuffix(".tsv") ? .tsv : .text
        }
    }

    /// The longest term accepted, in Unicode scalars.
    package static let maximumTermLength = 64

    /// Parses one file's text into a lexicon.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: its name, for locations in errors and diagnostics.
    ///   - format: how it is written; by default guessed from the name.
    /// - Throws: ``LexiconError`` at the first line that cannot be read.
    package static func parse(_ text: String, file: String, format: Format? = nil) throws(LexiconError) -> Lexicon {
        var lexicon = Lexicon()
        let format = format ?? Format(fileName: file)
        var header = Header()
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == "\r" { line = line.dropLast() }
            if lineNumber == 1, line.first == "\u{FEFF}" { line = line.dropFirst() }
            let location = SourceLocation(file: file, line: lineNumber)
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            switch format {
            case .text:
                if trimmed.first == "#" {
                    if let parsed = try Self.parseHeader(trimmed.dropFirst(), at: location) {
                        header = parsed
                    }
                    continue
                }
                guard header.isSet else {
                    throw LexiconError(
                        location,
                        "词条前缺少 “# risk: … action: …” 标题 / term before any \"# risk: … action: …\" header"
                    )
                }
                let term = String(trimmed)
                try Self.checkTerm(term, options: header.options, at: location)
                lexicon.add(
                    LexiconEntry(
                        term: term,
                        risk: header.risk,
                        action: header.isAllowed ? .allow : header.action,
                        isAllowed: header.isAllowed,
                        options: header.options,
                        source: location
                    )
                )
            case .tsv:
                if trimmed.first == "#" { continue }
                let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                    $0.trimmingWhitespace()
                }
                if lineNumber == 1, columns.first == "term" { continue }
                guard columns.count == 3 || columns.count == 4 else {
                    throw LexiconError(
                        location,
                        "应有 3 或 4 列（词条、风险、处置[、选项]），实有 \(columns.count) 列 / expected 3 or 4 tab-separated columns (term, risk, action[, options]), found \(columns.count)"
                    )
                }
                let term = String(columns[0])
                let action = try Self.parseAction(columns[2], at: location)
                let isAllowed = action == .allow
                let risk: RiskCode?
                if columns[1] == "*" {
                    guard isAllowed else {
                        throw LexiconError(
                            location,
                            "风险 “*” 只能用于放行词 / risk \"*\" is only for allowed terms (action allow)"
                        )
                    }
                    risk = nil
                } else {
                    risk = try Self.parseRisk(columns[1], at: location)
                }
                let options = columns.count == 4 ? try Self.parseOptions(columns[3], at: location) : []
                try Self.checkTerm(term, options: options, at: location)
                lexicon.add(
                    LexiconEntry(
                        term: term,
                        risk: risk,
                        action: action,
                        isAllowed: isAllowed,
                        options: options,
                        source: location
                    )
                )
            }
        }
        return lexicon
    }

    private struct Header {
        var risk: RiskCode?
        var action: ModerationAction = .block
        var options: TermOptions = []
        var isAllowed = false
        var isSet = false
    }

    /// A header comment, or `nil` for an ordinary comment.
    private static func parseHeader(_ text: Substring, at location: SourceLocation) throws(LexiconError) -> Header? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else { return nil }
        let isAllowHeader = first == "allow" || first == "allow:"
        guard isAllowHeader || first == "risk:" || first == "action:" || first == "options:" else {
            return nil
        }
        var header = Header()
        header.isSet = true
        header.isAllowed = isAllowHeader
        var index = isAllowHeader ? 1 : 0
        while index < words.count {
            let key = words[index]
            guard index + 1 < words.count else {
                throw LexiconError(location, "“\(key)” 后缺少值 / \"\(key)\" has no value")
            }
            let value = words[index + 1]
            switch key {
            case "risk:":
                header.risk = value == "*" && isAllowHeader ? nil : try Self.parseRisk(value, at: location)
            case "action:":
                guard !isAllowHeader else {
                    throw LexiconError(location, "放行词不需要处置 / allowed terms take no action")
                }
                header.action = try Self.parseAction(value, at: location)
                if header.action == .allow {
                    throw LexiconError(
                        location,
                        "处置 allow 请写成 “# allow” 标题 / write allowed terms under an \"# allow\" header"
                    )
                }
            case "options:":
                header.options = try Self.parseOptions(value, at: location)
            default:
                throw LexiconError(
                    location,
                    "未知标题键 “\(key)”（可用 risk:、action:、options:）/ unknown header key \"\(key)\" (use risk:, action:, options:)"
                )
            }
            index += 2
        }
        guard header.isAllowed || header.risk != nil else {
            throw LexiconError(location, "标题缺少 risk: / header has no risk:")
        }
        return header
    }

    private static func parseRisk(_ text: Substring, at location: SourceLocation) throws(LexiconError) -> RiskCode {
        guard let risk = RiskCode(String(text)) else {
            throw LexiconError(
                location,
                "未知风险代码 “\(text)”（应为 A1a…A5b、A1…A5 或 custom.名称）/ unknown risk code \"\(text)\" (expected A1a…A5b, A1…A5 or custom.name)"
            )
        }
        return risk
    }

    private static func parseAction(
        _ text: Substring,
        at location: SourceLocation
    ) throws(LexiconError) -> ModerationAction {
        guard let action = ModerationAction(rawValue: String(text)) else {
            throw LexiconError(
                location,
                "未知处置 “\(text)”（应为 block、redact、flag、allow）/ unknown action \"\(text)\" (expected block, redact, flag or allow)"
            )
        }
        return action
    }

    private static func parseOptions(_ text: Substring, at location: SourceLocation) throws(LexiconError) -> TermOptions
    {
        var options: TermOptions = []
        for name in text.split(separator: ",") {
            guard let option = TermOptions.names.first(where: { $0.0 == name.trimmingWhitespace() })?.1 else {
                throw LexiconError(
                    location,
                    "未知选项 “\(name)”（可用 exact、pinyin、word、substring）/ unknown option \"\(name)\" (use exact, pinyin, word, substring)"
                )
            }
            options.insert(option)
        }
        if options.contains(.word) && options.contains(.substring) {
            throw LexiconError(location, "word 与 substring 不能同用 / options word and substring exclude each other")
        }
        return options
    }

    private static func checkTerm(
        _ term: String,
        options: TermOptions,
        at location: SourceLocation
    ) throws(LexiconError) {
        let length = term.unicodeScalars.count
        if options.contains(.regex) {
            guard length <= 512 else {
                throw LexiconError(location, "正则过长（上限 512 字符）/ regular expression too long (at most 512 characters)")
            }
            do {
                _ = try Regex(term)
            } catch {
                throw LexiconError(location, "正则表达式无效 / invalid regular expression: \(error)")
            }
            guard (try? Regex(term, as: Substring.self)) != nil else {
                throw LexiconError(
                    location,
                    "正则不能有捕获组，请用 (?:…) / a regular expression may not capture; write groups as (?:…)"
                )
            }
            return
        }
        guard length <= Self.maximumTermLength else {
            throw LexiconError(
                location,
                "词条过长（\(length) 字符，上限 \(Self.maximumTermLength)）/ term too long (\(length) characters, at most \(Self.maximumTermLength))"
            )
        }
        guard !term.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw LexiconError(location, "词条含控制字符 / term contains control characters")
        }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\u{3000}" {
            result = result.dropFirst()
        }
        while let last = result.last, last == " " || last == "\t" || last == "\u{3000}" {
            result = result.dropLast()
        }
        return result
    }
}
