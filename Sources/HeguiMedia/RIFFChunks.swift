/// The chunks of a RIFF file (WAV, WebP): four-character id, little-endian size, data, a pad byte
/// after odd sizes.
struct RIFFChunks {
    struct Chunk {
        var id: String
        var start: Int
        var data: Range<Int>
        /// After the pad byte (clamped to the file's end for a file missing its last pad byte).
        var end: Int
    }

    var chunks: [Chunk] = []

    init(input: MediaInput, format: String) throws(MediaError) {
        let header = try input.read(at: 0, upTo: 12)
        guard header.count == 12 else { throw .truncated(format) }
        var offset = 12
        while offset + 8 <= input.count {
            let head = try input.read(offset..<offset + 8)
            let size = head.uint32LE(at: 4)
            let dataEnd = offset + 8 + size
            guard dataEnd <= input.count else { throw .truncated(format) }
            let end = min(input.count, dataEnd + (size & 1))
            self.chunks.append(Chunk(id: head.fourCC(at: 0), start: offset, data: offset + 8..<dataEnd, end: end))
            offset = end
        }
    }

    /// A chunk with its header and pad byte.
    static func chunk(_ id: String, _ data: [UInt8]) -> [UInt8] {
        var bytes = Array(id.utf8)
        bytes.appendUInt32LE(data.count)
        bytes += data
        if data.count & 1 == 1 { bytes.append(0) }
        return bytes
    }

    /// The 12-byte file header for a body of `bodySize` bytes.
    static func header(form: String, bodySize: Int) throws(MediaError) -> [UInt8] {
        guard bodySize + 4 <= Int(UInt32.max) else { throw MediaError("the file would exceed the 4 GiB limit of RIFF") }
        var bytes = Array("RIFF".utf8)
        bytes.appendUInt32LE(bodySize + 4)
        return bytes + Array(form.utf8)
    }
}
