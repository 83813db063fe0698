import Foundation
import HeguiCore

/// DOCX, XLSX and PPTX (PG-20258A §6.1): the record as the custom property `AIGC` (`vt:lpwstr`) in
/// `docProps/custom.xml`. The archive is rewritten entry by entry: every other entry is copied with
/// its compressed bytes as they were; the custom properties part, and when it is new the content
/// types and the package relationships that declare it, are written anew.
struct OOXMLCarrier: LabelCarrier {
    private struct Entry {
        var name: String
        /// The central-directory record as written.
        var central: [UInt8]
        /// The local header, data and any data descriptor.
        var local: Range<Int>
        var method: Int
        var compressedSize: Int
    }

    private static let customPart = "docProps/custom.xml"
    private static let contentTypes = "[Content_Types].xml"
    private static let relationships = "_rels/.rels"
    private static let customType = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    private static let customRelationship =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"

    private let input: MediaInput
    private var entries: [Entry] = []
    private var custom: String?
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        let tailStart = max(0, input.count - (65535 + 22))
        let tail = try input.read(tailStart..<input.count)
        var end: Int?
        var index = tail.count - 22
        while index >= 0 {
            if tail[index] == 0x50, tail[index + 1] == 0x4B, tail[index + 2] == 0x05, tail[index + 3] == 0x06 {
                end = index
                break
            }
            index -= 1
        }
        guard let end else { throw MediaError("the Office file is not a complete ZIP archive") }
        let count = tail.uint16LE(at: end + 10)
        let directorySize = tail.uint32LE(at: end + 12)
        let directoryOffset = tail.uint32LE(at: end + 16)
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else {
            throw MediaError("ZIP64 Office files cannot be labelled")
        }
        guard directoryOffset + directorySize <= input.count else { throw .truncated("Office") }
        let directory = try input.read(directoryOffset..<directoryOffset + directorySize)
        var offset = 0
        var parsed: [(Entry, Int)] = []
        for _ in 0..<count {
            guard offset + 46 <= directory.count, directory.uint32LE(at: offset) == 0x0201_4B50 else {
                throw .truncated("Office")
            }
            let nameLength = directory.uint16LE(at: offset + 28)
            let length = 46 + nameLength + directory.uint16LE(at: offset + 30) + directory.uint16LE(at: offset + 32)
            guard offset + length <= directory.count else { throw .truncated("Office") }
            let name = String(decoding: directory[offset + 46..<offset + 46 + nameLength], as: UTF8.self)
            let localOffset = directory.uint32LE(at: offset + 42)
            let entry = Entry(
                name: name,
                central: Array(directory[offset..<offset + length]),
                local: localOffset..<localOffset,
                method: directory.uint16LE(at: offset + 10),
                compressedSize: directory.uint32LE(at: offset + 20)
            )
            parsed.append((entry, localOffset))
            offset += length
        }
        // Each entry's bytes run to the next entry's local header (or the central directory).
        let starts = parsed.map(\.1).sorted() + [directoryOffset]
        for (entry, start) in parsed {
            var entry = entry
            guard let next = starts.first(where: { $0 > start }) else { throw .truncated("Office") }
            entry.local = start..<next
            self.entries.append(entry)
        }
        if let part = self.entries.first(where: { $0.name == Self.customPart }) {
            let xml = try self.contents(of: part)
            self.custom = xml
            if let value = Self.propertyValue(in: xml) {
                self.records.append(FoundRecord(text: value, place: "Office docProps/custom.xml AIGC"))
            }
        }
    }

    /// The uncompressed text of an entry.
    private func contents(of entry: Entry) throws(MediaError) -> String {
        let header = try self.input.read(at: entry.local.lowerBound, upTo: 30)
        guard header.count == 30, header.uint32LE(at: 0) == 0x0403_4B50 else { throw .truncated("Office") }
        let start = entry.local.lowerBound + 30 + header.uint16LE(at: 26) + header.uint16LE(at: 28)
        guard start + entry.compressedSize <= self.input.count else { throw .truncated("Office") }
        let data = try self.input.read(start..<start + entry.compressedSize)
        switch entry.method {
        case 0: return String(decoding: data, as: UTF8.self)
        case 8: return String(decoding: try Zlib.inflate(data, raw: true, limit: 16 << 20), as: UTF8.self)
        default: throw MediaError("the Office file uses an unsupported compression method (\(entry.method))")
        }
    }

    /// The range of the `<property … name="AIGC">` element and of its value.
    private static func property(in xml: String) -> (element: Range<String.Index>, value: Range<String.Index>)? {
        guard let name = xml.range(of: #"name="AIGC""#),
            let open = xml[..<name.lowerBound].range(of: "<property", options: .backwards),
            let close = xml[name.upperBound...].range(of: "</property>"),
            let valueOpen = xml[name.upperBound..<close.lowerBound].range(of: "<vt:lpwstr>"),
            let valueClose = xml[valueOpen.upperBound..<close.lowerBound].range(of: "</vt:lpwstr>")
        else { return nil }
        return (open.lowerBound..<close.upperBound, valueOpen.upperBound..<valueClose.lowerBound)
    }

    private static func propertyValue(in xml: String) -> String? {
        Self.property(in: xml).map { XMPPacket.unescape(String(xml[$0.value])) }
    }

    /// The record is deflated inside the archive.
    var writesRecordVerbatim: Bool { false }

    var essence: [Range<Int>] {
        self.entries.filter { ![Self.customPart, Self.contentTypes, Self.relationships].contains($0.name) }.map(\.local)
    }

    /// The custom properties part with the record set.
    private func customXML(_ record: AIGCRecord) -> String {
        let value = XMPPacket.escape(record.json)
        if var xml = self.custom {
            if let property = Self.property(in: xml) {
                xml.replaceSubrange(property.value, with: value)
                return xml
            }
            let used = xml.split(separator: "pid=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            let element =
                #"<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="\#((used.max() ?? 1) + 1)" name="AIGC"><vt:lpwstr>\#(value)</vt:lpwstr></property>"#
            if let end = xml.range(of: "</Properties>") {
                xml.insert(contentsOf: element, at: end.lowerBound)
                return xml
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" \
            xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">\
            <property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="AIGC"><vt:lpwstr>\(value)</vt:lpwstr></property>\
            </Properties>
            """
    }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        var replacements: [String: String] = [Self.customPart: self.customXML(record)]
        if let types = self.entries.first(where: { $0.name == Self.contentTypes }) {
            var xml = try self.contents(of: types)
            if !xml.contains("/docProps/custom.xml"), let end = xml.range(of: "</Types>") {
                xml.insert(
                    contentsOf: #"<Override PartName="/docProps/custom.xml" ContentType="\#(Self.customType)"/>"#,
                    at: end.lowerBound
                )
                replacements[Self.contentTypes] = xml
            }
        } else {
            throw MediaError("the Office file has no [Content_Types].xml")
        }
        if let rels = self.entries.first(where: { $0.name == Self.relationships }) {
            var xml = try self.contents(of: rels)
            if !xml.contains(Self.customRelationship), let end = xml.range(of: "</Relationships>") {
                xml.insert(
                    contentsOf:
                        #"<Relationship Id="rIdHeguiAIGC" Type="\#(Self.customRelationship)" Target="docProps/custom.xml"/>"#,
                    at: end.lowerBound
                )
                replacements[Self.relationships] = xml
            }
        }
        var directory: [UInt8] = []
        var written = 0
        var names = self.entries.map(\.name)
        if !names.contains(Self.customPart) { names.append(Self.customPart) }
        for name in names {
            let offset = output.count
            if let text = replacements[name] {
                let data = Array(text.utf8)
                let compressed = Zlib.deflate(data, raw: true)
                let crc = Int(Zlib.crc32(data))
                var local: [UInt8] = []
                local.appendUInt32LE(0x0403_4B50)
                local += [20, 0, 0, 0, 8, 0, 0, 0, 0x21, 0]  // version, flags, deflate, time, date (1980-01-01)
                local.appendUInt32LE(crc)
                local.appendUInt32LE(compressed.count)
                local.appendUInt32LE(data.count)
                local.appendUInt16LE(name.utf8.count)
                local.appendUInt16LE(0)
                try output.write(local + Array(name.utf8))
                try output.write(compressed)
                var central: [UInt8] = []
                central.appendUInt32LE(0x0201_4B50)
                central += [20, 0] + Array(local[4..<30])
                central += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // comment length, disk, internal and external attributes
                central.appendUInt32LE(offset)
                directory += central + Array(name.utf8)
            } else if let entry = self.entries.first(where: { $0.name == name }) {
                try output.copy(entry.local, of: self.input)
                var central = entry.central
                central.setUInt32LE(offset, at: 42)
                directory += central
            }
            written += 1
        }
        let directoryOffset = output.count
        try output.write(directory)
        var end: [UInt8] = []
        end.appendUInt32LE(0x0605_4B50)
        end += [0, 0, 0, 0]
        end.appendUInt16LE(written)
        end.appendUInt16LE(written)
        end.appendUInt32LE(directory.count)
        end.appendUInt32LE(directoryOffset)
        end.appendUInt16LE(0)
        try output.write(end)
    }
}
