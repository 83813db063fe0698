import Foundation
import HeguiCore

/// Markdown (PG-20258A §6.5): the record as an `AIGC:` mapping of the seven keys in the YAML front
/// matter at the head of the file; front matter is added when the file has none, and its other
/// keys are kept line for line.
struct MarkdownCarrier: LabelCarrier {
    private let input: MediaInput
    /// The front matter's lines without the AIGC entry, and where the body starts.
    private var lines: [String] = []
    private var hasFrontMatter = false
    private var bodyStart = 0
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        let head = try input.read(at: 0, upTo: 256 << 10)
        guard head.starts(with: Array("---\n".utf8)) || head.starts(with: Array("---\r\n".utf8)) else { return }
        let text = String(decoding: head, as: UTF8.self)
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        all.removeFirst()
        guard let close = all.firstIndex(where: { ["---", "...", "---\r", "...\r"].contains($0) }) else { return }
        self.hasFrontMatter = true
        self.bodyStart = (["---"] + all[...close]).reduce(0) { $0 + $1.utf8.count + 1 }
        let matter = Array(all[..<close])
        var index = 0
        while index < matter.count {
            let line = matter[index]
            if line.hasPrefix("AIGC:") {
                let inline = line.dropFirst(5).trimmingCharacters(in: " \t\r")
                var fields = [String](repeating: "", count: 7)
                index += 1
                while index < matter.count, matter[index].first == " " || matter[index].first == "\t" {
                    let entry = matter[index].trimmingCharacters(in: " \t\r")
                    if let colon = entry.firstIndex(of: ":"),
                        let key = AIGCRecord.keys.firstIndex(of: String(entry[..<colon]))
                    {
                        fields[key] = Self.unquote(entry[entry.index(after: colon)...].trimmingCharacters(in: " \t"))
                    }
                    index += 1
                }
                let recordText = inline.isEmpty ? AIGCRecord(fields: fields).json : Self.unquote(inline)
                self.records.append(FoundRecord(text: recordText, place: "Markdown front matter AIGC"))
                continue
            }
            self.lines.append(line)
            index += 1
        }
    }

    private static func unquote(_ value: String) -> String {
        if value.count >= 2, value.first == "\"", value.last == "\"" {
            var output = ""
            var escaped = false
            for character in value.dropFirst().dropLast() {
                if escaped {
                    output.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    output.append(character)
                }
            }
            return output
        }
        if value.count >= 2, value.first == "'", value.last == "'" {
            return String(value.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        return value
    }

    var essence: [Range<Int>] { [self.bodyStart..<self.input.count] }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        var matter = ["---"] + self.lines + ["AIGC:"]
        for (key, value) in zip(AIGCRecord.keys, record.fields) {
            var quoted = ""
            JSONValue.serialize(string: value, into: &quoted)  // a JSON string is a YAML double-quoted scalar
            matter.append("  \(key): \(quoted)")
        }
        matter.append("---")
        try output.write(matter.joined(separator: "\n") + "\n")
        try output.copy(self.bodyStart..<self.input.count, of: self.input)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
