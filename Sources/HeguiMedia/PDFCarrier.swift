import Foundation
import HeguiCore

/// PDF (PG-20258A §6.3): the record as the key `/AIGC` of the document information dictionary,
/// written as an incremental update (ISO 32000-1 §7.5.6): the original bytes are kept as they were
/// and a new version of the Info object, a cross-reference section and a trailer are appended.
/// Files whose last cross-reference section is a stream get a cross-reference stream.
struct PDFCarrier: LabelCarrier {
    private let input: MediaInput
    /// The last trailer dictionary (or cross-reference stream dictionary), as text.
    private var trailer = ""
    private var startXref = 0
    private var usesXrefStream = false
    private var size = 0
    private var root = ""
    /// The Info object: its number, generation, dictionary text and file offset, when there is one.
    private var info: (number: Int, generation: Int, dictionary: String, offset: Int)?
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        let tailStart = max(0, input.count - 2048)
        let tail = String(decoding: try input.read(tailStart..<input.count), as: Unicode.ASCII.self)
        guard let marker = tail.range(of: "startxref", options: .backwards),
            let offset = Int(tail[marker.upperBound...].split(whereSeparator: \.isWhitespace).first ?? ""),
            offset < input.count
        else { throw MediaError("the PDF file has no startxref (truncated?)") }
        self.startXref = offset
        let section = Latin1.string(try input.read(at: offset, upTo: 1 << 20))
        if section.hasPrefix("xref") {
            guard let start = section.range(of: "trailer")?.upperBound,
                let dictionary = Self.dictionary(in: section[start...])
            else {
                throw MediaError("the PDF trailer cannot be read")
            }
            self.trailer = dictionary
        } else {
            guard let dictionary = Self.dictionary(in: section[...]), dictionary.contains("/XRef") else {
                throw MediaError("the PDF cross-reference section cannot be read")
            }
            self.trailer = dictionary
            self.usesXrefStream = true
        }
        guard let size = Self.integer(after: "/Size", in: self.trailer),
            let root = Self.reference(after: "/Root", in: self.trailer)
        else {
            throw MediaError("the PDF trailer has no /Size or /Root")
        }
        self.size = size
        self.root = root
        if let reference = Self.reference(after: "/Info", in: self.trailer) {
            let parts = reference.split(separator: " ")
            if let number = Int(parts[0]), let generation = Int(parts[1]) {
                try self.readInfo(number: number, generation: generation)
            }
        }
    }

    /// Finds the last definition of the Info object in the file and reads its dictionary.
    private mutating func readInfo(number: Int, generation: Int) throws(MediaError) {
        let needle = Array("\(number) \(generation) obj".utf8)
        var found: Int?
        var offset = 0
        let step = 1 << 20
        while offset < self.input.count {
            let window = try self.input.read(at: offset, upTo: step + needle.count)
            var index = 0
            while let hit = window.firstIndex(of: needle, from: index) {
                let before =
                    offset + hit == 0
                    ? UInt8(0x0A)
                    : (hit > 0 ? window[hit - 1] : try self.input.read(offset + hit - 1..<offset + hit)[0])
                if [0x0A, 0x0D, 0x20].contains(before) { found = offset + hit }
                index = hit + 1
            }
            offset += step
        }
        guard let found else { return }
        let text = Latin1.string(try self.input.read(at: found, upTo: 64 << 10))
        guard let dictionary = Self.dictionary(in: text[...]) else { return }
        self.info = (number, generation, dictionary, found)
        if let value = Self.stringValue(of: "/AIGC", in: dictionary) {
            self.records.append(FoundRecord(text: value, place: "PDF Info /AIGC"))
        }
    }

    /// The first balanced `<< … >>` in `text`.
    static func dictionary(in text: Substring) -> String? {
        guard let open = text.range(of: "<<") else { return nil }
        var depth = 0
        var index = open.lowerBound
        var inString = 0
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if inString > 0 {
                if character == "\\" {
                    index = next < text.endIndex ? text.index(after: next) : next
                    continue
                }
                if character == "(" { inString += 1 } else if character == ")" { inString -= 1 }
            } else if character == "(" {
                inString = 1
            } else if character == "<", next < text.endIndex, text[next] == "<" {
                depth += 1
                index = text.index(after: next)
                continue
            } else if character == ">", next < text.endIndex, text[next] == ">" {
                depth -= 1
                index = text.index(after: next)
                if depth == 0 { return String(text[open.lowerBound..<index]) }
                continue
            }
            index = next
        }
        return nil
    }

    private static func integer(after key: String, in dictionary: String) -> Int? {
        guard let range = Self.keyRange(key, in: dictionary) else { return nil }
        return Int(
            dictionary[range.upperBound...].split(whereSeparator: { $0.isWhitespace || $0 == "/" || $0 == ">" }).first
                ?? ""
        )
    }

    private static func reference(after key: String, in dictionary: String) -> String? {
        guard let range = Self.keyRange(key, in: dictionary) else { return nil }
        let parts = dictionary[range.upperBound...].split(whereSeparator: \.isWhitespace).prefix(3)
        guard parts.count == 3, Int(parts[parts.startIndex]) != nil, parts.last?.hasPrefix("R") == true else {
            return nil
        }
        return "\(parts[parts.startIndex]) \(parts[parts.startIndex + 1])"
    }

    /// The range of `/Key` followed by a delimiter (so `/Info` does not match `/InfoX`).
    private static func keyRange(_ key: String, in dictionary: String) -> Range<String.Index>? {
        var rest = dictionary[...]
        while let range = rest.range(of: key) {
            if range.upperBound == dictionary.endIndex { return nil }
            let next = dictionary[range.upperBound]
            if next.isWhitespace || "/<([".contains(next) { return range }
            rest = dictionary[range.upperBound...]
        }
        return nil
    }

    /// The literal string value of `key`, unescaped.
    private static func stringValue(of key: String, in dictionary: String) -> String? {
        guard let range = Self.keyRange(key, in: dictionary) else { return nil }
        let rest = dictionary[range.upperBound...].drop(while: \.isWhitespace)
        guard rest.first == "(" else { return nil }
        var output = ""
        var depth = 0
        var escaped = false
        for character in rest {
            if escaped {
                switch character {
                case "n": output += "\n"
                case "r": output += "\r"
                case "t": output += "\t"
                default: output.append(character)
                }
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "(":
                depth += 1
                if depth > 1 { output.append(character) }
            case ")":
                depth -= 1
                if depth == 0 { return output }
                output.append(character)
            default: output.append(character)
            }
        }
        return nil
    }

    /// The bytes before the Info object that holds the record: a later update that changes the
    /// document (or a label copied onto another document) no longer matches the seal.
    var essence: [Range<Int>] { [0..<(self.info?.offset ?? self.input.count)] }

    var essenceOfWrite: (ranges: [Range<Int>], suffix: [UInt8]) {
        ([0..<self.input.count], self.needsNewline ? [0x0A] : [])
    }

    private var needsNewline: Bool {
        guard let last = try? self.input.read(at: self.input.count - 1, upTo: 1) else { return true }
        return last != [0x0A] && last != [0x0D]
    }

    /// The Info dictionary with `/AIGC` set and every other entry kept.
    private func infoDictionary(_ record: AIGCRecord) -> String {
        var escaped = ""
        for character in record.json {
            if "()\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        let entry = "/AIGC (\(escaped))"
        guard var dictionary = self.info?.dictionary else { return "<< \(entry) >>" }
        if let range = Self.keyRange("/AIGC", in: dictionary) {
            // Remove the old entry: the key and its string value.
            let rest = dictionary[range.upperBound...].drop(while: \.isWhitespace)
            if rest.first == "(" {
                var depth = 0
                var escapedCharacter = false
                var end = rest.startIndex
                for index in rest.indices {
                    let character = rest[index]
                    if escapedCharacter {
                        escapedCharacter = false
                        continue
                    }
                    if character == "\\" {
                        escapedCharacter = true
                    } else if character == "(" {
                        depth += 1
                    } else if character == ")" {
                        depth -= 1
                        if depth == 0 {
                            end = dictionary.index(after: index)
                            break
                        }
                    }
                }
                dictionary.removeSubrange(range.lowerBound..<end)
            }
        }
        let close = dictionary.index(dictionary.endIndex, offsetBy: -2)
        dictionary.replaceSubrange(close..<dictionary.endIndex, with: " \(entry) >>")
        return dictionary
    }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        try output.copy(0..<self.input.count, of: self.input)
        if self.needsNewline { try output.write("\n") }
        let number = self.info?.number ?? self.size
        let generation = self.info?.generation ?? 0
        let newSize = max(self.size, number + 1)
        let objectOffset = output.count
        try output.write(Latin1.bytes("\(number) \(generation) obj\n\(self.infoDictionary(record))\nendobj\n"))
        let common =
            "/Size \(self.usesXrefStream ? newSize + 1 : newSize) /Root \(self.root) R /Info \(number) \(generation) R /Prev \(self.startXref)"
        let xrefOffset = output.count
        if self.usesXrefStream {
            // A cross-reference stream object of its own number: entries (type, offset, generation).
            var data: [UInt8] = [1]
            data.appendUInt32BE(objectOffset)
            data.appendUInt16BE(generation)
            data += [1]
            data.appendUInt32BE(xrefOffset)
            data.appendUInt16BE(0)
            try output.write(
                "\(newSize) 0 obj\n<< /Type /XRef \(common) /W [1 4 2] /Index [\(number) 1 \(newSize) 1] /Length \(data.count) >>\nstream\n"
            )
            try output.write(data)
            try output.write("\nendstream\nendobj\n")
        } else {
            let entry =
                String(repeating: "0", count: 10 - String(objectOffset).count) + "\(objectOffset) "
                + String(repeating: "0", count: 5 - String(generation).count) + "\(generation) n\r\n"
            try output.write("xref\n\(number) 1\n\(entry)trailer\n<< \(common) >>\n")
        }
        try output.write("startxref\n\(xrefOffset)\n%%EOF\n")
    }
}

/// PDF's byte-oriented text: each byte is one character, so dictionaries with binary strings are
/// rewritten byte for byte.
enum Latin1 {
    static func string(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    static func bytes(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}
