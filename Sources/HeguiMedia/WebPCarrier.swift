import HeguiCore

/// WebP (PG-20259A): the record in the RIFF `XMP ` chunk (XMP with `TC260:AIGC`). A simple-format
/// file (one VP8 or VP8L chunk) becomes the extended format: a VP8X chunk with the XMP flag and the
/// canvas size read from the bitstream header, then the image, then the XMP chunk.
struct WebPCarrier: LabelCarrier {
    private let input: MediaInput
    private let riff: RIFFChunks
    private var xmp: String?
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        self.riff = try RIFFChunks(input: input, format: "WebP")
        guard let first = self.riff.chunks.first, ["VP8 ", "VP8L", "VP8X"].contains(first.id) else {
            throw MediaError("the WebP file has no image chunk")
        }
        for chunk in self.riff.chunks where chunk.id == "XMP " {
            let packet = String(decoding: try input.read(chunk.data), as: UTF8.self)
            if self.xmp == nil { self.xmp = packet }
            self.records += XMPPacket.records(in: packet).map {
                FoundRecord(text: $0, place: "WebP XMP chunk TC260:AIGC")
            }
        }
    }

    var essence: [Range<Int>] {
        self.riff.chunks.filter { ["VP8 ", "VP8L", "ALPH", "ANMF"].contains($0.id) }.map(\.data)
    }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        let packet =
            try self.xmp.map { (packet) throws(MediaError) in try XMPPacket.updating(packet, with: record) }
            ?? XMPPacket.make(record)
        let xmpChunk = RIFFChunks.chunk("XMP ", Array(packet.utf8))
        var pieces: [Either] = []
        if self.riff.chunks[0].id == "VP8X" {
            var vp8x = try self.input.read(self.riff.chunks[0].data)
            guard vp8x.count >= 10 else { throw .truncated("WebP") }
            vp8x[0] |= 0x04  // XMP metadata present
            pieces.append(.bytes(RIFFChunks.chunk("VP8X", vp8x)))
            for chunk in self.riff.chunks.dropFirst() where chunk.id != "XMP " { pieces.append(.range(chunk)) }
        } else {
            pieces.append(.bytes(RIFFChunks.chunk("VP8X", try self.extendedHeader(self.riff.chunks[0]))))
            for chunk in self.riff.chunks where chunk.id != "XMP " { pieces.append(.range(chunk)) }
        }
        pieces.append(.bytes(xmpChunk))
        let body = pieces.reduce(0) { total, piece in
            switch piece {
            case .bytes(let bytes): total + bytes.count
            case .range(let chunk): total + 8 + chunk.data.count + (chunk.data.count & 1)
            }
        }
        try output.write(try RIFFChunks.header(form: "WEBP", bodySize: body))
        for piece in pieces {
            switch piece {
            case .bytes(let bytes):
                try output.write(bytes)
            case .range(let chunk):
                try output.copy(chunk.start..<chunk.data.upperBound, of: self.input)
                if chunk.data.count & 1 == 1 { try output.write([0]) }
            }
        }
    }

    private enum Either {
        case bytes([UInt8])
        case range(RIFFChunks.Chunk)
    }

    /// The VP8X payload for a simple file: flags, then canvas width − 1 and height − 1 (24 bits each).
    private func extendedHeader(_ image: RIFFChunks.Chunk) throws(MediaError) -> [UInt8] {
        let head = try self.input.read(at: image.data.lowerBound, upTo: 10)
        var flags: UInt8 = 0x04
        let width: Int
        let height: Int
        if image.id == "VP8 " {
            guard head.count == 10, head[3] == 0x9D, head[4] == 0x01, head[5] == 0x2A else { throw .truncated("WebP") }
            width = head.uint16LE(at: 6) & 0x3FFF
            height = head.uint16LE(at: 8) & 0x3FFF
        } else {
            guard head.count >= 5, head[0] == 0x2F else { throw .truncated("WebP") }
            let bits = head.uint32LE(at: 1)
            width = (bits & 0x3FFF) + 1
            height = ((bits >> 14) & 0x3FFF) + 1
            if (bits >> 28) & 1 == 1 { flags |= 0x10 }  // alpha
        }
        var payload: [UInt8] = [flags, 0, 0, 0]
        for value in [width - 1, height - 1] {
            payload += [
                UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                UInt8(truncatingIfNeeded: value >> 16),
            ]
        }
        return payload
    }
}
