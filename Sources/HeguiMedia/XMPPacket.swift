import Foundation
package import HeguiCore

/// Reads and edits the AIGC property of an XMP packet (PG-XMP): namespace
/// `http://www.tc260.org.cn/ns/AIGC/1.0/`, usually with the prefix `TC260`, property `AIGC` whose
/// value is the record's JSON. Editing changes that property only: the rest of the packet (other
/// namespaces, other TC260 properties) is kept as written (check 6 of REQUIREMENTS.md §8.2).
package enum XMPPacket {
    package static let namespace = "http://www.tc260.org.cn/ns/AIGC/1.0/"

    /// A new packet holding only the record.
    package static func make(_ record: AIGCRecord) -> String {
        """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\
        \(Self.description(record))</rdf:RDF></x:xmpmeta>
        <?xpacket end="w"?>
        """
    }

    private static func description(_ record: AIGCRecord) -> String {
        #"<rdf:Description rdf:about="" xmlns:TC260="\#(Self.namespace)"><TC260:AIGC>"#
            + Self.escape(record.json) + "</TC260:AIGC></rdf:Description>"
    }

    /// The prefixes bound to the TC260 namespace in `packet`.
    private static func prefixes(in packet: String) -> [String] {
        var prefixes: [String] = []
        var rest = packet[...]
        while let range = rest.range(of: "=\"\(Self.namespace)\"") ?? rest.range(of: "='\(Self.namespace)'") {
            let before = rest[..<range.lowerBound]
            if let colon = before.lastIndex(of: ":"), before[..<colon].hasSuffix("xmlns") {
                prefixes.append(String(before[before.index(after: colon)...]))
            }
            rest = rest[range.upperBound...]
        }
        return prefixes
    }

    /// Where each AIGC value sits: its range in the packet and whether it is an attribute.
    private static func values(in packet: String) -> [(range: Range<String.Index>, isAttribute: Bool)] {
        var found: [(Range<String.Index>, Bool)] = []
        for prefix in Self.prefixes(in: packet) {
            let name = "\(prefix):AIGC"
            var rest = packet[...]
            while let open = rest.range(of: "<\(name)>") {
                guard let close = packet[open.upperBound...].range(of: "</\(name)>") else { break }
                found.append((open.upperBound..<close.lowerBound, false))
                rest = packet[close.upperBound...]
            }
            rest = packet[...]
            while let attribute = rest.range(of: "\(name)=") {
                let quoteIndex = attribute.upperBound
                guard quoteIndex < packet.endIndex else { break }
                let quote = packet[quoteIndex]
                let valueStart = packet.index(after: quoteIndex)
                guard quote == "\"" || quote == "'", let end = packet[valueStart...].firstIndex(of: quote) else {
                    rest = packet[attribute.upperBound...]
                    continue
                }
                let preceding =
                    attribute.lowerBound > packet.startIndex ? packet[packet.index(before: attribute.lowerBound)] : " "
                if preceding.isWhitespace { found.append((valueStart..<end, true)) }
                rest = packet[end...]
            }
        }
        return found.sorted { $0.0.lowerBound < $1.0.lowerBound }
    }

    /// The AIGC values in `packet`, unescaped (more than one means the file breaks GB-6.1 c).
    package static func records(in packet: String) -> [String] {
        Self.values(in: packet).map { Self.unescape(String(packet[$0.range])) }
    }

    /// `packet` with its AIGC property set to `record`: the first value replaced, any other removed,
    /// or a new `rdf:Description` added when the packet has none.
    package static func updating(_ packet: String, with record: AIGCRecord) throws(MediaError) -> String {
        let values = Self.values(in: packet)
        guard let first = values.first else {
            guard let end = packet.range(of: "</rdf:RDF>") else {
                throw MediaError("the file's XMP packet has no rdf:RDF element")
            }
            var updated = packet
            updated.insert(contentsOf: Self.description(record), at: end.lowerBound)
            return updated
        }
        var updated = packet
        // Later duplicates go first so that earlier ranges stay valid.
        for value in values.dropFirst().reversed() {
            if value.isAttribute {
                // Remove ` prefix:AIGC="…"` with its name and quotes.
                var start =
                    updated[..<value.range.lowerBound].lastIndex(where: { $0.isWhitespace }) ?? value.range.lowerBound
                if start > updated.startIndex { start = updated.index(after: start) }
                updated.removeSubrange(start...value.range.upperBound)
            } else {
                let open = updated[..<value.range.lowerBound].lastIndex(of: "<") ?? value.range.lowerBound
                let close = updated[value.range.upperBound...].firstIndex(of: ">") ?? value.range.upperBound
                updated.removeSubrange(open...close)
            }
        }
        let escaped = first.isAttribute ? Self.escape(record.json, quotes: true) : Self.escape(record.json)
        updated.replaceSubrange(first.range, with: escaped)
        return updated
    }

    static func escape(_ text: String, quotes: Bool = false) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"" where quotes: output += "&quot;"
            case "'" where quotes: output += "&apos;"
            default: output.append(character)
            }
        }
        return output
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else {
                output += rest[amp...]
                return output
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": output += "&"
            case "lt": output += "<"
            case "gt": output += ">"
            case "quot": output += "\""
            case "apos": output += "'"
            default:
                if entity.hasPrefix("#x"), let code = UInt32(entity.dropFirst(2), radix: 16),
                    let scalar = Unicode.Scalar(code)
                {
                    output.unicodeScalars.append(scalar)
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()),
                    let scalar = Unicode.Scalar(code)
                {
                    output.unicodeScalars.append(scalar)
                } else {
                    output += rest[amp...semicolon]
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return output + rest
    }
}
