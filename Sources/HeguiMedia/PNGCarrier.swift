import HeguiCore

/// PNG (PG-20259A): the record in an iTXt chunk with keyword `XML:com.adobe.xmp` holding XMP with
/// `TC260:AIGC`, placed after IHDR. tEXt, zTXt and iTXt chunks with the keyword `AIGC` are read
/// too and dropped on write, so that one record remains.
struct PNGCarrier: LabelCarrier {
    private struct Chunk {
        var type: String
        var start: Int  // the length field
        var data: Range<Int>
        var end: Int  // after the CRC
    }

    private let input: MediaInput
    private var chunks: [Chunk] = []
    /// The existing XMP packet and its chunk index.
    private var xmp: (packet: String, index: Int)?
    /// Chunks that hold a bare AIGC text record.
    private var textRecordChunks: Set<Int> = []
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        var offset = 8
        var reader = WindowedReader(input)
        while offset < input.count {
            let header = try reader.read(at: offset, upTo: 8)
            guard header.count == 8 else { throw .truncated("PNG") }
            let length = header.uint32BE(at: 0)
            let type = header.fourCC(at: 4)
            let end = offset + 12 + length
            guard end <= input.count else { throw .truncated("PNG") }
            let chunk = Chunk(type: type, start: offset, data: offset + 8..<offset + 8 + length, end: end)
            if ["iTXt", "tEXt", "zTXt"].contains(type) {
                try self.readText(chunk, index: self.chunks.count)
            }
            self.chunks.append(chunk)
            offset = end
            if type == "IEND" { break }
        }
        guard self.chunks.first?.type == "IHDR", self.chunks.last?.type == "IEND" else { throw .truncated("PNG") }
    }

    private mutating func readText(_ chunk: Chunk, index: Int) throws(MediaError) {
        let data = try self.input.read(chunk.data)
        guard let zero = data.firstIndex(of: 0) else { return }
        let keyword = String(decoding: data[..<zero], as: UTF8.self)
        guard keyword == "XML:com.adobe.xmp" || keyword.uppercased() == "AIGC" else { return }
        var text: [UInt8]
        switch chunk.type {
        case "tEXt":
            text = Array(data[(zero + 1)...])
        case "zTXt":
            guard zero + 2 <= data.count else { return }
            text = try Zlib.inflate(Array(data[(zero + 2)...]))
        default:  // iTXt: flag, method, language\0, translated keyword\0, text
            guard zero + 3 <= data.count else { return }
            let compressed = data[zero + 1] == 1
            var cursor = zero + 3
            for _ in 0..<2 {
                guard let end = data[cursor...].firstIndex(of: 0) else { return }
                cursor = end + 1
            }
            text = Array(data[cursor...])
            if compressed { text = try Zlib.inflate(text) }
        }
        let string = String(decoding: text, as: UTF8.self)
        if keyword == "XML:com.adobe.xmp" {
            if self.xmp == nil { self.xmp = (string, index) }
            self.records += XMPPacket.records(in: string).map {
                FoundRecord(text: $0, place: "PNG iTXt XMP TC260:AIGC")
            }
        } else {
            self.textRecordChunks.insert(index)
            self.records.append(FoundRecord(text: string, place: "PNG \(chunk.type) \(keyword)"))
        }
    }

    var essence: [Range<Int>] {
        self.chunks.filter { ["IHDR", "PLTE", "IDAT", "fdAT", "acTL", "fcTL"].contains($0.type) }.map(\.data)
    }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        let packet =
            try self.xmp.map { (packet, _) throws(MediaError) in try XMPPacket.updating(packet, with: record) }
            ?? XMPPacket.make(record)
        let chunk = Self.chunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array(packet.utf8))
        try output.copy(0..<8, of: self.input)
        for (index, existing) in self.chunks.enumerated() {
            if self.textRecordChunks.contains(index) { continue }
            if let xmp = self.xmp, xmp.index == index {
                try output.write(chunk)
                continue
            }
            try output.copy(existing.start..<existing.end, of: self.input)
            if index == 0, self.xmp == nil { try output.write(chunk) }
        }
    }

    /// A chunk with its length and CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt32BE(data.count)
        let body = Array(type.utf8) + data
        bytes += body
        bytes.appendUInt32BE(Int(Zlib.crc32(body)))
        return bytes
    }
}
