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

    /// The body HTML of a Markdown text.
    package static func render(_ markdown: String) -> String {
        var html = ""
        var paragraph: [String] = []
        var listItems: [String] = []
        var ordered = false
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
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty {
                flushParagraph()
                flushList()
                continue
            }
            if let level = Self.headingLevel(line) {
                flushParagraph()
                flushList()
                let text = line.dropFirst(level).drop(while: { $0 == " " })
                html += "<h\(level + 1)>" + Self.inline(String(text)) + "</h\(level + 1)>\n"
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
        return html
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

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
