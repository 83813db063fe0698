import HeguiCore

/// GIF (PG-20259A): the record in an XMP application extension (`XMP DataXMP`, the packet's bytes
/// followed by the 258-byte "magic trailer" that lets sub-block readers skip it), written after the
/// global colour table. A GIF87a file is marked GIF89a, the version that has extensions.
struct GIFCarrier: LabelCarrier {
    private static let identifier = Array("XMP DataXMP".utf8)

    private struct Block {
        var start: Int
        var end: Int
        var isXMP: Bool
        var isImage: Bool
    }

    private let input: MediaInput
    private var headerEnd = 0
    private var blocks: [Block] = []
    private var trailerStart = 0
    private var xmp: String?
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        let header = try input.read(at: 0, upTo: 13)
        guard header.count == 13 else { throw .truncated("GIF") }
        var offset = 13
        if header[10] & 0x80 != 0 { offset += 3 << (Int(header[10] & 0x07) + 1) }
        self.headerEnd = offset
        var reader = ChunkedReader(input: input)
        while true {
            guard let introducer = try reader.byte(at: offset) else { throw .truncated("GIF") }
            let start = offset
            switch introducer {
            case 0x3B:
                self.trailerStart = offset
                return
            case 0x21:
                guard let label = try reader.byte(at: offset + 1) else { throw .truncated("GIF") }
                var isXMP = false
                if label == 0xFF, try reader.byte(at: offset + 2) == 11 {
                    isXMP = try input.read(at: offset + 3, upTo: 11) == Self.identifier
                }
                offset = try reader.skipSubBlocks(from: offset + 2)
                if isXMP {
                    let data = try input.read(start + 14..<offset)
                    let end = data.firstIndex(of: [0x01, 0xFF, 0xFE, 0xFD]) ?? data.count
                    let packet = String(decoding: data[..<end], as: UTF8.self)
                    if self.xmp == nil { self.xmp = packet }
                    self.records += XMPPacket.records(in: packet).map {
                        FoundRecord(text: $0, place: "GIF XMP application extension TC260:AIGC")
                    }
                }
                self.blocks.append(Block(start: start, end: offset, isXMP: isXMP, isImage: false))
            case 0x2C:
                let descriptor = try input.read(at: offset, upTo: 10)
                guard descriptor.count == 10 else { throw .truncated("GIF") }
                offset += 10
                if descriptor[9] & 0x80 != 0 { offset += 3 << (Int(descriptor[9] & 0x07) + 1) }
                offset = try reader.skipSubBlocks(from: offset + 1)  // after the LZW code size
                self.blocks.append(Block(start: start, end: offset, isXMP: false, isImage: true))
            default:
                throw MediaError("the GIF file has an unknown block at byte \(offset)")
            }
        }
    }

    var essence: [Range<Int>] { [6..<self.headerEnd] + self.blocks.filter(\.isImage).map { $0.start..<$0.end } }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        let packet =
            try self.xmp.map { (packet) throws(MediaError) in try XMPPacket.updating(packet, with: record) }
            ?? XMPPacket.make(record)
        var extensionBlock: [UInt8] = [0x21, 0xFF, 11] + Self.identifier + Array(packet.utf8)
        extensionBlock.append(0x01)
        for value in stride(from: 0xFF, through: 0x00, by: -1) { extensionBlock.append(UInt8(value)) }
        extensionBlock.append(0x00)
        try output.write(Array("GIF89a".utf8))
        try output.copy(6..<self.headerEnd, of: self.input)
        try output.write(extensionBlock)
        var pending: Range<Int>? = nil
        for block in self.blocks {
            if block.isXMP {
                if let range = pending { try output.copy(range, of: self.input) }
                pending = nil
            } else {
                pending = (pending?.lowerBound ?? block.start)..<block.end
            }
        }
        if let range = pending { try output.copy(range, of: self.input) }
        try output.copy(self.trailerStart..<self.trailerStart + 1, of: self.input)
    }
}

/// Reads single bytes and GIF sub-block chains through a 1 MiB window.
struct ChunkedReader {
    let input: MediaInput
    private var window: [UInt8] = []
    private var windowStart = 0

    init(input: MediaInput) {
        self.input = input
    }

    mutating func byte(at offset: Int) throws(MediaError) -> UInt8? {
        guard offset < self.input.count else { return nil }
        if offset < self.windowStart || offset >= self.windowStart + self.window.count {
            self.window = try self.input.read(at: offset, upTo: 1 << 20)
            self.windowStart = offset
        }
        return self.window[offset - self.windowStart]
    }

    /// The offset after the chain of sub-blocks at `offset` (sizes, then a zero).
    mutating func skipSubBlocks(from offset: Int) throws(MediaError) -> Int {
        var offset = offset
        while true {
            guard let size = try self.byte(at: offset) else { throw .truncated("GIF") }
            offset += 1 + Int(size)
            if size == 0 { return offset }
        }
    }
}
