import HeguiCore

/// FLAC (PG-202510A): the record as the Vorbis comment `AIGC=<json>` in the VORBIS_COMMENT block;
/// the block is added after STREAMINFO when the file has none. Other comments and blocks are kept.
struct FLACCarrier: LabelCarrier {
    private struct Block {
        var type: UInt8
        var start: Int
        var end: Int
    }

    private let input: MediaInput
    private var blocks: [Block] = []
    private var audioStart = 0
    /// The vendor string and the comments other than AIGC.
    private var vendor: [UInt8] = Array("Hegui".utf8)
    private var comments: [[UInt8]] = []
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        var offset = 4
        while true {
            let header = try input.read(at: offset, upTo: 4)
            guard header.count == 4 else { throw .truncated("FLAC") }
            let end = offset + 4 + header.uint24BE(at: 1)
            guard end <= input.count else { throw .truncated("FLAC") }
            let block = Block(type: header[0] & 0x7F, start: offset, end: end)
            if block.type == 4 { try self.readComments(try input.read(offset + 4..<end)) }
            self.blocks.append(block)
            offset = end
            if header[0] & 0x80 != 0 { break }
        }
        guard self.blocks.first?.type == 0 else { throw MediaError("the FLAC file does not start with STREAMINFO") }
        self.audioStart = offset
    }

    private mutating func readComments(_ data: [UInt8]) throws(MediaError) {
        guard data.count >= 8 else { throw .truncated("FLAC") }
        let vendorLength = data.uint32LE(at: 0)
        guard 4 + vendorLength + 4 <= data.count else { throw .truncated("FLAC") }
        self.vendor = Array(data[4..<4 + vendorLength])
        var offset = 4 + vendorLength
        let count = data.uint32LE(at: offset)
        offset += 4
        for _ in 0..<count {
            guard offset + 4 <= data.count else { throw .truncated("FLAC") }
            let length = data.uint32LE(at: offset)
            guard offset + 4 + length <= data.count else { throw .truncated("FLAC") }
            let comment = Array(data[offset + 4..<offset + 4 + length])
            offset += 4 + length
            let text = String(decoding: comment, as: UTF8.self)
            if text.uppercased().hasPrefix("AIGC=") {
                self.records.append(FoundRecord(text: String(text.dropFirst(5)), place: "FLAC Vorbis comment AIGC"))
            } else {
                self.comments.append(comment)
            }
        }
    }

    var essence: [Range<Int>] { [self.blocks[0].start + 4..<self.blocks[0].end, self.audioStart..<self.input.count] }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        var data: [UInt8] = []
        data.appendUInt32LE(self.vendor.count)
        data += self.vendor
        let comments = self.comments + [Array("AIGC=\(record.json)".utf8)]
        data.appendUInt32LE(comments.count)
        for comment in comments {
            data.appendUInt32LE(comment.count)
            data += comment
        }
        guard data.count < 1 << 24 else { throw MediaError("the FLAC comments exceed one metadata block") }
        var pieces: [(type: UInt8, range: Range<Int>?)] = []
        var placed = false
        for block in self.blocks {
            if block.type == 4 {
                if !placed { pieces.append((4, nil)) }
                placed = true
            } else {
                pieces.append((block.type, block.start + 4..<block.end))
                if block.type == 0, !self.blocks.contains(where: { $0.type == 4 }) {
                    pieces.append((4, nil))
                    placed = true
                }
            }
        }
        try output.write(Array("fLaC".utf8))
        for (index, piece) in pieces.enumerated() {
            let last: UInt8 = index == pieces.count - 1 ? 0x80 : 0
            let length = piece.range?.count ?? data.count
            try output.write([
                last | piece.type, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF),
            ])
            if let range = piece.range { try output.copy(range, of: self.input) } else { try output.write(data) }
        }
        try output.copy(self.audioStart..<self.input.count, of: self.input)
    }
}
