import CZlib

/// zlib's deflate, inflate and CRC-32, for the compressed text chunks of PNG, the parts of an
/// Office file and the image data under a visible label.
enum Zlib {
    /// Inflates a zlib stream (`raw: false`) or a raw deflate stream (`raw: true`, ZIP entries).
    /// - Parameter limit: the largest output accepted (a bound against decompression bombs).
    static func inflate(_ input: [UInt8], raw: Bool = false, limit: Int = 64 << 20) throws(MediaError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, raw ? -15 : 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw MediaError("cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = input
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            } while status == Z_OK && output.count <= limit && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard output.count <= limit else { throw MediaError("compressed data expands past \(limit) bytes") }
        guard status == Z_STREAM_END else { throw MediaError("compressed data is damaged") }
        return output
    }

    /// Deflates `input` into a zlib stream (`raw: false`) or a raw deflate stream.
    /// - Parameters:
    ///   - dictionary: the data the stream continues (a raw stream picking up where another left off).
    ///   - prime: bits to put before the output (the last, partial byte of the stream continued).
    ///   - finish: end with the final block; otherwise end byte-aligned and open (a sync flush).
    static func deflate(
        _ input: [UInt8],
        raw: Bool = false,
        level: Int32 = 6,
        strategy: Int32 = Z_DEFAULT_STRATEGY,
        dictionary: [UInt8] = [],
        prime: (bits: Int32, value: Int32)? = nil,
        finish: Bool = true
    ) -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream,
                level,
                Z_DEFLATED,
                raw ? -15 : 15,
                8,
                strategy,
                ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)
            ) == Z_OK
        else { return [] }
        defer { deflateEnd(&stream) }
        if !dictionary.isEmpty {
            _ = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, UInt32($0.count)) }
        }
        if let prime { deflatePrime(&stream, prime.bits, prime.value) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                _ = CZlib.deflate(&stream, finish ? Z_FINISH : Z_SYNC_FLUSH)
                return target.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// The CRC-32 of `bytes` continuing from `seed` (PNG chunks, ZIP entries).
    static func crc32(_ bytes: some Collection<UInt8>, seed: UInt32 = 0) -> UInt32 {
        Array(bytes).withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(UInt(seed), buffer.baseAddress, UInt32(buffer.count)))
        }
    }
}
