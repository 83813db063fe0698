/// Writes small 8-bit PNG images (the video label overlay, the demo model's pictures).
enum PNGWriter {
    /// A PNG of `channels` (3 RGB, 4 RGBA) samples per pixel, rows top to bottom.
    static func png(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height * channels)
        var data: [UInt8] = []
        data.reserveCapacity(height * (width * channels + 1))
        for row in 0..<height {
            data.append(0)
            data += pixels[(row * width * channels)..<((row + 1) * width * channels)]
        }
        var header: [UInt8] = []
        header.appendUInt32BE(width)
        header.appendUInt32BE(height)
        header += [8, channels == 4 ? 6 : 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + PNGCarrier.chunk("IHDR", header)
            + PNGCarrier.chunk("IDAT", Zlib.deflate(data)) + PNGCarrier.chunk("IEND", [])
    }
}
