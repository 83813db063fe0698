/// A small, safe Markdown-to-HTML rendering for the public pages (the service agreement, IM-9):
/// headings, paragraphs, lists, emphasis and line breaks. Every character of the text is escaped
/// first, so no markup in an agreement can reach the page as markup.
package enum MarkdownPage {
    /// HTML-escapes text for element content and attribute values.
    package static func escape(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The body HTML of a Markdown text: `#` headings become `<h2>` onward (the page has its own
    /// `<h1>`) unless `topHeading` says otherwise; pipe tables (`| a | b |` rows, the second a
    /// `|---|---|` rule) become tables, `\|` standing for a `|` inside a cell.
    package static func render(_ markdown: String, topHeading: Int = 2) -> String {
        var html = ""
        var paragraph: [String] = []
        var listItems: [String] = []
        var tableRows: [String] = []
        var ordered = false
        func flushTable() {
            guard !tableRows.isEmpty else { return }
            let rows = tableRows.map(Self.cells)
            let hasHeader =
                rows.count >= 2
                && rows[1].allSatisfy { cell in
                    !cell.isEmpty && cell.allSatisfy { $0 == "-" || $0 == ":" }
                }
            html += "<table>"
            if hasHeader {
                html += "<thead><tr>" + rows[0].map { "<th>" + Self.inline($0) + "</th>" }.joined() + "</tr></thead>"
            }
            html += "<tbody>"
            for row in rows.dropFirst(hasHeader ? 2 : 0) {
                html += "<tr>" + row.map { "<td>" + Self.inline($0) + "</td>" }.joined() + "</tr>"
            }
            html += "</tbody></table>\n"
            tableRows = []
        }
        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            html += "<p>" + paragraph.map(Self.inline).joined(separator: "<br>") + "</p>\n"
            paragraph = []
        }
        func flushList() {
            guard !listItems.isEmpty else { return }
            let tag = ordered ? "ol" : "ul"
            html += "<\(tag)>" + listItems.map { "<li>" + Self.inline($0) + "</li>" }.joined() + "</\(tag)>\n"
            listItems = []
        }
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimming(" \t\r")
            if line.hasPrefix("|") {
                flushParagraph()
                flushList()
                tableRows.append(line)
                continue
            }
            flushTable()
            if line.isEmpty {
                flushParagraph()
                flushList()
                continue
            }
            if let level = Self.headingLevel(line) {
                flushParagraph()
                flushList()
                let text = line.dropFirst(level).drop(while: { $0 == " " })
                let tag = "h\(min(level + topHeading - 1, 6))"
                html += "<\(tag)>" + Self.inline(String(text)) + "</\(tag)>\n"
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                flushParagraph()
                if ordered { flushList() }
                ordered = false
                listItems.append(String(line.dropFirst(2)))
            } else if let dot = line.firstIndex(of: "."), line[..<dot].allSatisfy(\.isNumber), !line[..<dot].isEmpty,
                line[line.index(after: dot)...].hasPrefix(" ")
            {
                flushParagraph()
                if !ordered { flushList() }
                ordered = true
                listItems.append(String(line[line.index(dot, offsetBy: 2)...]))
            } else {
                flushList()
                paragraph.append(line)
            }
        }
        flushParagraph()
        flushList()
        flushTable()
        return html
    }

    /// The cells of a table row, trimmed, with `\|` as a literal bar.
    private static func cells(_ row: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var escaped = false
        for character in row.dropFirst() {
            if escaped {
                cell.append(character == "|" ? "|" : "\\")
                if character != "|" { cell.append(character) }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "|" {
                cells.append(cell.trimming(" \t"))
                cell = ""
            } else {
                cell.append(character)
            }
        }
        if escaped { cell.append("\\") }
        let rest = cell.trimming(" \t")
        if !rest.isEmpty { cells.append(rest) }
        return cells
    }

    private static func split(_ text: String, on separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard (1...5).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    /// Escapes a line and renders `**bold**`.
    private static func inline(_ text: String) -> String {
        let parts = Self.split(Self.escape(text), on: "**")
        guard parts.count >= 3 else { return Self.escape(text) }
        var out = ""
        for (index, part) in parts.enumerated() {
            if index > 0 {
                let opening = index % 2 == 1
                // An unmatched final `**` stays as written.
                if opening && index == parts.count - 1 {
                    out += "**"
                } else {
                    out += opening ? "<strong>" : "</strong>"
                }
            }
            out += part
        }
        return out
    }
}

extension StringProtocol {
    /// The text without the given characters at either end (no Foundation needed).
    package func trimming(_ characters: String) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view = view.dropFirst() }
        while let last = view.last, characters.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
