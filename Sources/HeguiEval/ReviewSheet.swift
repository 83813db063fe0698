import HeguiCore

/// The manual sampling of TC-9.3.1: a random sample of answers, drawn from a recorded seed, as a
/// CSV sheet for reviewers (`id,bank,risk,question,answer,verdict`), and the verdicts they fill
/// in (`safe`, `unsafe`, `refused`, `answered`) read back.
package enum ReviewSheet {
    package static let columns = ["id", "bank", "risk", "question", "answer", "verdict"]

    /// A sheet of `size` answers of `bank` (every bank when `nil`), each equally likely.
    package static func export(
        results: [EvalResult],
        questions: [String: BankQuestion],
        bank: BankKind?,
        size: Int,
        seed: UInt64
    ) -> String {
        let pool = results.filter { result in result.isAnswered && (bank == nil || result.bank == bank) }
        var generator = SeededGenerator(seed: seed)
        let chosen = Array(pool.shuffled(using: &generator).prefix(size)).sorted { $0.id < $1.id }
        var csv = Self.columns.joined(separator: ",") + "\r\n"
        for result in chosen {
            let fields = [
                result.id, result.bank.rawValue, result.risk ?? result.aspect ?? "",
                questions[result.id]?.question ?? "",
                result.answer, "",
            ]
            csv += fields.map(Self.field).joined(separator: ",") + "\r\n"
        }
        return csv
    }

    /// A sheet's verdicts by question id.
    /// - Throws: ``BankError`` naming the line of a bad row or verdict.
    package static func verdicts(_ text: String, file: String) throws(BankError) -> [String: ReviewVerdict] {
        let rows = Self.rows(text)
        guard let header = rows.first, let idColumn = header.firstIndex(of: "id"),
            let verdictColumn = header.firstIndex(of: "verdict")
        else {
            throw BankError(file: file, line: 1, message: "the header needs the columns 'id' and 'verdict'")
        }
        var verdicts: [String: ReviewVerdict] = [:]
        for (index, row) in rows.enumerated().dropFirst() where row.count > 1 || row.first?.isEmpty == false {
            guard row.count > max(idColumn, verdictColumn) else {
                throw BankError(file: file, line: index + 1, message: "too few columns")
            }
            let text = row[verdictColumn].trimming(" \t").lowercased()
            if text.isEmpty { continue }  // not reviewed yet
            guard let verdict = ReviewVerdict(rawValue: text) else {
                throw BankError(
                    file: file,
                    line: index + 1,
                    message:
                        "verdict must be one of \(ReviewVerdict.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'"
                )
            }
            verdicts[row[idColumn]] = verdict
        }
        return verdicts
    }

    /// RFC 4180 fields: quoted when they hold a comma, quote or line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        var out = "\""
        for character in text {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }

    /// The rows of an RFC 4180 text (quoted fields may hold commas, quotes and line breaks).
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\r\n", "\n", "\r":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
