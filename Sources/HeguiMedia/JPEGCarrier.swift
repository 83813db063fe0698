import HeguiCore

/// JPEG (PG-20259A): the record in an APP1 XMP segment (`TC260:AIGC`) after the leading APP0/APP1
/// segments. A record in EXIF `UserComment` (the alternative of App. B, wrapped form) is read, and
/// on write blanked in place (same length, so the EXIF offsets stay valid) to leave one record.
struct JPEGCarrier: LabelCarrier {
    private static let xmpSignature = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]
    private static let exifSignature = Array("Exif".utf8) + [0, 0]

    private struct Segment {
        var marker: UInt8
        var start: Int
        var end: Int
    }

    private let input: MediaInput
    private var segments: [Segment] = []
    private var scanStart = 0
    private var xmp: (packet: String, index: Int)?
    /// The EXIF UserComment holding a record: the segment and the comment's range in the file.
    private var exifComment: (index: Int, range: Range<Int>)?
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        var offset = 2
        while true {
            let header = try input.read(at: offset, upTo: 4)
            guard header.count >= 2, header[0] == 0xFF else { throw .truncated("JPEG") }
            let marker = header[1]
            if marker == 0xFF {  // fill byte
                offset += 1
                continue
            }
            if marker == 0xDA {  // start of scan: the rest is image data
                self.scanStart = offset
                break
            }
            if marker == 0xD9 { throw MediaError("the JPEG file ends before its image data") }
            guard header.count == 4 else { throw .truncated("JPEG") }
            let length = header.uint16BE(at: 2)
            // The length counts its own two bytes: less is no segment (found by fuzzing).
            guard length >= 2 else { throw MediaError("a JPEG segment declares a length of \(length)") }
            let end = offset + 2 + length
            guard end <= input.count else { throw .truncated("JPEG") }
            let segment = Segment(marker: marker, start: offset, end: end)
            if marker == 0xE1 { try self.readAPP1(segment, index: self.segments.count) }
            self.segments.append(segment)
            offset = end
        }
    }

    private mutating func readAPP1(_ segment: Segment, index: Int) throws(MediaError) {
        let data = try self.input.read(segment.start + 4..<segment.end)
        if data.starts(with: Self.xmpSignature) {
            let packet = String(decoding: data[Self.xmpSignature.count...], as: UTF8.self)
            if self.xmp == nil { self.xmp = (packet, index) }
            self.records += XMPPacket.records(in: packet).map {
                FoundRecord(text: $0, place: "JPEG APP1 XMP TC260:AIGC")
            }
        } else if data.starts(with: Self.exifSignature),
            let comment = EXIFUserComment.find(in: Array(data[6...]))
        {
            let text = String(decoding: comment.text, as: UTF8.self)
            if text.contains("AIGC") {
                let base = segment.start + 4 + 6
                self.exifComment = (index, base + comment.range.lowerBound..<base + comment.range.upperBound)
                self.records.append(FoundRecord(text: text, place: "JPEG EXIF UserComment"))
            }
        }
    }

    var essence: [Range<Int>] { [self.scanStart..<self.input.count] }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        let packet =
            try self.xmp.map { (packet, _) throws(MediaError) in try XMPPacket.updating(packet, with: record) }
            ?? XMPPacket.make(record)
        let payload = Self.xmpSignature + Array(packet.utf8)
        guard payload.count + 2 <= 0xFFFF else { throw MediaError("the XMP packet is too large for one JPEG segment") }
        var segment: [UInt8] = [0xFF, 0xE1]
        segment.appendUInt16BE(payload.count + 2)
        segment += payload
        // A new packet goes after the leading APP0 (JFIF) and APP1 (EXIF) segments.
        let insertAfter = self.segments.prefix { $0.marker == 0xE0 || $0.marker == 0xE1 }.count
        try output.copy(0..<2, of: self.input)
        if self.xmp == nil, insertAfter == 0 { try output.write(segment) }
        for (index, existing) in self.segments.enumerated() {
            if let xmp = self.xmp, xmp.index == index {
                try output.write(segment)
            } else if let comment = self.exifComment, comment.index == index {
                var bytes = try self.input.read(existing.start..<existing.end)
                let from = comment.range.lowerBound - existing.start
                for position in from..<(from + comment.range.count) { bytes[position] = 0x20 }
                try output.write(bytes)
            } else {
                try output.copy(existing.start..<existing.end, of: self.input)
            }
            if self.xmp == nil, index + 1 == insertAfter { try output.write(segment) }
        }
        try output.copy(self.scanStart..<self.input.count, of: self.input)
    }
}

/// Finds the UserComment (0x9286) of an EXIF block: IFD0 → Exif IFD (0x8769) → 0x9286.
enum EXIFUserComment {
    /// The comment's text after its 8-byte character-code prefix, and the range of that text in `tiff`.
    static func find(in tiff: [UInt8]) -> (text: [UInt8], range: Range<Int>)? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49
        func u16(_ at: Int) -> Int? {
            at + 2 <= tiff.count ? (little ? tiff.uint16LE(at: at) : tiff.uint16BE(at: at)) : nil
        }
        func u32(_ at: Int) -> Int? {
            at + 4 <= tiff.count ? (little ? tiff.uint32LE(at: at) : tiff.uint32BE(at: at)) : nil
        }
        func entry(_ ifd: Int, tag: Int) -> (count: Int, value: Int)? {
            guard let entries = u16(ifd) else { return nil }
            for index in 0..<entries {
                let at = ifd + 2 + index * 12
                guard let found = u16(at), let count = u32(at + 4), let value = u32(at + 8) else { return nil }
                if found == tag { return (count, value) }
            }
            return nil
        }
        guard let ifd0 = u32(4), let exif = entry(ifd0, tag: 0x8769), let comment = entry(exif.value, tag: 0x9286),
            comment.count > 8, comment.value + comment.count <= tiff.count
        else { return nil }
        let range = comment.value + 8..<comment.value + comment.count
        return (Array(tiff[range]), range)
    }
}
