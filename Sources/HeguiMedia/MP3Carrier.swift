import HeguiCore

/// MP3 (PG-202510A): the record in an ID3v2 `TXXX` frame whose description is `AIGC`. The tag is
/// rewritten with every other frame as it was; a file without a tag gets an ID3v2.4 tag.
struct MP3Carrier: LabelCarrier {
    private let input: MediaInput
    /// The tag's major version (3 or 4); 4 for a new tag.
    private var version: UInt8 = 4
    /// The frames other than TXXX:AIGC, as written.
    private var frames: [[UInt8]] = []
    /// Where the audio starts (after the tag).
    private var audioStart = 0
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        let header = try input.read(at: 0, upTo: 10)
        guard header.count == 10, header.starts(with: Array("ID3".utf8)) else { return }
        self.version = header[3]
        guard self.version == 3 || self.version == 4 else {
            throw MediaError("ID3v2.\(self.version) tags cannot be labelled (only 2.3 and 2.4)")
        }
        let flags = header[5]
        guard flags & 0x80 == 0 else { throw MediaError("unsynchronised ID3 tags cannot be labelled") }
        let size = Self.syncsafe(header, at: 6)
        self.audioStart = 10 + size + (flags & 0x10 != 0 ? 10 : 0)
        guard self.audioStart <= input.count else { throw .truncated("MP3") }
        let tag = try input.read(10..<10 + size)
        var offset = 0
        if flags & 0x40 != 0, tag.count >= 4 {  // extended header: dropped on write
            offset = self.version == 4 ? Self.syncsafe(tag, at: 0) : tag.uint32BE(at: 0) + 4
        }
        while offset + 10 <= tag.count, tag[offset] != 0 {
            let length = self.version == 4 ? Self.syncsafe(tag, at: offset + 4) : tag.uint32BE(at: offset + 4)
            let end = offset + 10 + length
            guard end <= tag.count else { throw .truncated("MP3") }
            let frame = Array(tag[offset..<end])
            if frame.fourCC(at: 0) == "TXXX", let (description, value) = Self.userText(frame),
                description.uppercased() == "AIGC"
            {
                self.records.append(FoundRecord(text: value, place: "MP3 ID3v2 TXXX AIGC"))
            } else {
                self.frames.append(frame)
            }
            offset = end
        }
    }

    private static func syncsafe(_ bytes: [UInt8], at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 << 7 | Int(bytes[offset + $1] & 0x7F) }
    }

    private static func syncsafeBytes(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8((value >> (7 * (3 - $0))) & 0x7F) }
    }

    /// The description and value of a TXXX frame (Latin-1/UTF-8 or UTF-16 encodings).
    private static func userText(_ frame: [UInt8]) -> (String, String)? {
        guard frame.count > 11 else { return nil }
        let encoding = frame[10]
        let body = Array(frame[11...])
        if encoding == 1 || encoding == 2 {
            var index = 0
            while index + 1 < body.count, !(body[index] == 0 && body[index + 1] == 0) { index += 2 }
            let description = Self.utf16(Array(body[..<min(index, body.count)]), defaultBigEndian: encoding == 2)
            let value = Self.utf16(Array(body[min(index + 2, body.count)...]), defaultBigEndian: encoding == 2)
            return (description, value)
        }
        guard let zero = body.firstIndex(of: 0) else { return nil }
        var value = Array(body[(zero + 1)...])
        while value.last == 0 { value.removeLast() }
        let decode: ([UInt8]) -> String = { bytes in
            encoding == 3 ? String(decoding: bytes, as: UTF8.self) : String(bytes.map { Character(Unicode.Scalar($0)) })
        }
        return (decode(Array(body[..<zero])), decode(value))
    }

    private static func utf16(_ bytes: [UInt8], defaultBigEndian: Bool) -> String {
        var bigEndian = defaultBigEndian
        var bytes = bytes[...]
        if bytes.count >= 2, bytes.first == 0xFF, bytes.dropFirst().first == 0xFE {
            bigEndian = false
            bytes = bytes.dropFirst(2)
        } else if bytes.count >= 2, bytes.first == 0xFE, bytes.dropFirst().first == 0xFF {
            bigEndian = true
            bytes = bytes.dropFirst(2)
        }
        let array = Array(bytes)
        var units: [UInt16] = []
        for index in stride(from: 0, to: array.count - 1, by: 2) {
            let high = UInt16(array[bigEndian ? index : index + 1])
            let low = UInt16(array[bigEndian ? index + 1 : index])
            units.append(high << 8 | low)
        }
        return String(decoding: units.prefix { $0 != 0 }, as: UTF16.self)
    }

    var essence: [Range<Int>] { [self.audioStart..<self.input.count] }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        // The record is ASCII, so encoding 0 (ISO-8859-1) and 3 (UTF-8) write the same bytes.
        let body: [UInt8] = [self.version == 4 ? 3 : 0] + Array("AIGC".utf8) + [0] + Array(record.json.utf8)
        var frame = Array("TXXX".utf8)
        if self.version == 4 {
            frame += Self.syncsafeBytes(body.count)
        } else {
            frame.appendUInt32BE(body.count)
        }
        frame += [0, 0] + body
        // Padding after the frames: room for later edits, and readers that check a frame's size by
        // what follows it (exiftool) find the end of the frames.
        let frames = self.frames.reduce([UInt8](), +) + frame + [UInt8](repeating: 0, count: 256)
        var header: [UInt8] = Array("ID3".utf8) + [self.version, 0, 0]
        header += Self.syncsafeBytes(frames.count)
        try output.write(header)
        try output.write(frames)
        try output.copy(self.audioStart..<self.input.count, of: self.input)
    }
}
