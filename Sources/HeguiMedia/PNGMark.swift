import CZlib

#if canImport(Glibc)
    import Glibc
#endif

/// Draws a ``VisibleLabel`` onto a PNG (LBL-4.3, GB-5.2) without re-compressing the whole image.
///
/// The image data is inflated once, noting where each deflate block starts. Only the rows the
/// label covers (and the row after it, whose filter depends on them) are changed and re-filtered
/// with their original filter types. For a label near the top, the new rows are compressed and the
/// original blocks after them are reused bit for bit; near the bottom, the original blocks before
/// them are reused and the rest is compressed with the preceding 32 KiB as its dictionary. A file
/// whose blocks do not allow either is compressed anew.
struct PNGMark {
    private struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorType: Int
        var channels: Int
        var bytesPerPixel: Int
        var stride: Int { self.width * self.bytesPerPixel + 1 }
    }

    let input: MediaInput
    var chunks: [(type: String, start: Int, data: Range<Int>, end: Int)] = []
    private var header: Header

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        var offset = 8
        var reader = WindowedReader(input)
        while offset + 12 <= input.count {
            let head = try reader.read(at: offset, upTo: 8)
            let length = head.uint32BE(at: 0)
            let end = offset + 12 + length
            guard end <= input.count else { throw .truncated("PNG") }
            self.chunks.append((head.fourCC(at: 4), offset, offset + 8..<offset + 8 + length, end))
            offset = end
            if head.fourCC(at: 4) == "IEND" { break }
        }
        guard let first = self.chunks.first, first.type == "IHDR", first.data.count == 13 else {
            throw .truncated("PNG")
        }
        let ihdr = try input.read(first.data)
        let colorType = Int(ihdr[9])
        let bitDepth = Int(ihdr[8])
        guard ihdr[12] == 0 else {
            throw MediaError("interlaced PNG images cannot carry a visible label yet; save without interlacing")
        }
        let channels: Int
        switch colorType {
        case 0: channels = 1
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: throw MediaError("palette PNG images cannot carry a visible label yet; save as RGB or RGBA")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw MediaError("PNG images of \(bitDepth)-bit depth cannot carry a visible label; use 8 or 16 bits")
        }
        self.header = Header(
            width: ihdr.uint32BE(at: 0),
            height: ihdr.uint32BE(at: 4),
            bitDepth: bitDepth,
            colorType: colorType,
            channels: channels,
            bytesPerPixel: channels * bitDepth / 8
        )
        // Checked without overflow: a header may declare 2³¹ − 1 on both sides (found by fuzzing).
        let (pixelBytes, overflow) = self.header.height.multipliedReportingOverflow(by: self.header.stride)
        guard self.header.width > 0, self.header.height > 0, !overflow, pixelBytes <= 1 << 30 else {
            throw MediaError("the PNG image is too large for a visible label (over 1 GiB of pixels)")
        }
    }

    /// Writes the image with the label drawn on it; every chunk but the image data is kept.
    func write(_ label: VisibleLabel, to output: MediaOutput) throws(MediaError) {
        let layout = try label.layout(width: self.header.width, height: self.header.height)
        let idat = self.chunks.filter { $0.type == "IDAT" }
        guard let firstIDAT = self.chunks.firstIndex(where: { $0.type == "IDAT" }),
            let lastIDAT = self.chunks.lastIndex(where: { $0.type == "IDAT" })
        else { throw MediaError("the PNG file has no image data") }
        let compressed = IDATStream(input: self.input, ranges: idat.map(\.data))

        let first = layout.y
        let last = min(self.header.height - 1, layout.y + layout.height)  // the row after the box is re-filtered
        // A label in the top half needs the data only down to a block boundary on a whole byte past
        // it and its 32 KiB window: the blocks after are kept as they are, undecoded. One in the
        // bottom half needs every block decoded, but only the boundaries from a little before it
        // (the splice reuses the blocks before the last of those).
        let isTop = first < self.header.height / 2
        let stopAfter = isTop ? (last + 1) * self.header.stride + (32 << 10) : nil
        var inflated = try Self.inflate(
            compressed,
            size: self.header.height * self.header.stride,
            stopAfter: stopAfter,
            boundariesFrom: isTop ? 0 : max(0, first * self.header.stride - Self.boundaryReach)
        )
        let plan = Self.plan(inflated, changed: first * self.header.stride..<(last + 1) * self.header.stride)
        // The Adler-32 of the data the splice reuses, read off the original before it changes.
        let unchanged = plan.unchangedAdler(of: inflated.data, total: try compressed.trailer())
        try self.draw(
            layout,
            style: label.style,
            rows: first..<(layout.y + layout.height),
            refilter: first...last,
            in: &inflated.data
        )
        let spliced = try Self.splice(original: compressed, inflated: inflated, plan: plan, unchangedAdler: unchanged)

        try output.copy(0..<self.chunks[firstIDAT].start, of: self.input)
        // The IDAT chunks wholly inside the bytes the splice keeps are copied as they are (in the
        // kernel, CRCs and all); the rest of the stream goes into new chunks.
        var whole: Range<Int>?  // indexes into `idat`
        var streamOffset = 0
        for (index, chunk) in idat.enumerated() {
            let span = streamOffset..<streamOffset + chunk.data.count
            if !span.isEmpty, spliced.kept.contains(span.lowerBound), spliced.kept.contains(span.upperBound - 1) {
                whole = (whole?.lowerBound ?? index)..<index + 1
            }
            streamOffset += chunk.data.count
        }
        func writeChunks(_ bytes: [UInt8]) throws(MediaError) {
            var offset = 0
            while offset < bytes.count {
                let piece = Array(bytes[offset..<min(bytes.count, offset + (1 << 20))])
                try output.write(PNGCarrier.chunk("IDAT", piece))
                offset += piece.count
            }
        }
        if let whole {
            let wholeStart = idat[..<whole.lowerBound].reduce(0) { $0 + $1.data.count }
            let wholeEnd = wholeStart + idat[whole].reduce(0) { $0 + $1.data.count }
            try writeChunks(spliced.before + compressed.read(spliced.kept.lowerBound..<wholeStart))
            try output.copy(idat[whole.lowerBound].start..<idat[whole.upperBound - 1].end, of: self.input)
            try writeChunks(compressed.read(wholeEnd..<spliced.kept.upperBound) + spliced.after)
        } else {
            try writeChunks(spliced.before + compressed.read(spliced.kept) + spliced.after)
        }
        try output.copy(self.chunks[lastIDAT].end..<self.input.count, of: self.input)
    }

    /// How far before a label in the bottom half block boundaries are looked for (they are noted
    /// only from there on: zlib copies its window at each one it stops at).
    static let boundaryReach = 4 << 20

    // MARK: Pixels

    /// Unfilters what the label needs, draws it, and filters the changed rows again.
    private func draw(
        _ layout: VisibleLabel.Layout,
        style: VisibleLabel.Style,
        rows: Range<Int>,
        refilter: ClosedRange<Int>,
        in data: inout [UInt8]
    ) throws(MediaError) {
        let stride = self.header.stride
        let bpp = self.header.bytesPerPixel
        // Rows filtered with None or Sub do not depend on the row above: unfiltering starts at the
        // nearest such row before the label.
        var start = max(0, refilter.lowerBound - 1)
        while start > 0, data[start * stride] > 1 { start -= 1 }
        var raw: [[UInt8]] = []  // raw rows from `start` through refilter.upperBound
        var previous = [UInt8](repeating: 0, count: stride - 1)
        var filters: [UInt8] = []
        for row in start...refilter.upperBound {
            let filter = data[row * stride]
            guard filter <= 4 else { throw MediaError("the PNG image data is damaged (filter type \(filter))") }
            var line = Array(data[(row * stride + 1)..<((row + 1) * stride)])
            Self.unfilter(&line, previous: previous, filter: filter, bpp: bpp)
            raw.append(line)
            filters.append(filter)
            previous = line
        }
        for row in rows {
            self.paint(row: &raw[row - start], y: row - layout.y, layout: layout, style: style)
        }
        for row in refilter {
            let above = row > 0 ? raw[row - start - 1] : [UInt8](repeating: 0, count: stride - 1)
            let filtered = Self.filter(raw[row - start], previous: above, filter: filters[row - start], bpp: bpp)
            data.replaceSubrange((row * stride + 1)..<((row + 1) * stride), with: filtered)
        }
    }

    /// Composites the label's box and text over one raw row.
    private func paint(row: inout [UInt8], y: Int, layout: VisibleLabel.Layout, style: VisibleLabel.Style) {
        let wide = self.header.bitDepth == 16
        let maximum = wide ? 65535.0 : 255.0
        let channels = self.header.channels
        let hasAlpha = self.header.colorType == 4 || self.header.colorType == 6
        let colourChannels = hasAlpha ? channels - 1 : channels
        let boxValue = style == .light ? 0.0 : 1.0
        let textValue = style == .light ? 1.0 : 0.0
        let boxAlpha = 0.6
        let textY = y - layout.padding
        for x in layout.x..<(layout.x + layout.width) {
            let textX = x - layout.x - layout.padding
            var textAlpha = 0.0
            if textX >= 0, textY >= 0, textX < layout.raster.width, textY < layout.raster.height {
                textAlpha = Double(layout.raster.coverage[textY * layout.raster.width + textX]) / 255
            }
            let base = x * self.header.bytesPerPixel
            func read(_ channel: Int) -> Double {
                let at = base + channel * (wide ? 2 : 1)
                return wide ? Double(Int(row[at]) << 8 | Int(row[at + 1])) / maximum : Double(row[at]) / maximum
            }
            func write(_ channel: Int, _ value: Double) {
                let at = base + channel * (wide ? 2 : 1)
                let scaled = Int((min(1, max(0, value)) * maximum).rounded())
                if wide {
                    row[at] = UInt8(scaled >> 8)
                    row[at + 1] = UInt8(scaled & 0xFF)
                } else {
                    row[at] = UInt8(scaled)
                }
            }
            var alpha = hasAlpha ? read(channels - 1) : 1
            var colour = (0..<colourChannels).map(read)
            // The box, then the text, each composited over what is below.
            for (value, layerAlpha) in [(boxValue, boxAlpha), (textValue, textAlpha)] where layerAlpha > 0 {
                let outAlpha = layerAlpha + alpha * (1 - layerAlpha)
                colour = colour.map { (value * layerAlpha + $0 * alpha * (1 - layerAlpha)) / outAlpha }
                alpha = outAlpha
            }
            for channel in 0..<colourChannels { write(channel, colour[channel]) }
            if hasAlpha { write(channels - 1, alpha) }
        }
    }

    private static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a)
        let pb = abs(p - b)
        let pc = abs(p - c)
        if pa <= pb, pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// The PNG filter predictor (None, Sub, Up, Average, Paeth) from the left, upper and upper-left bytes.
    @inline(__always)
    private static func predictor(_ filter: UInt8, _ a: Int, _ b: Int, _ c: Int) -> Int {
        switch filter {
        case 1: a
        case 2: b
        case 3: (a + b) / 2
        case 4: Self.paeth(a, b, c)
        default: 0
        }
    }

    static func unfilter(_ line: inout [UInt8], previous: [UInt8], filter: UInt8, bpp: Int) {
        for index in line.indices {
            let a = index >= bpp ? Int(line[index - bpp]) : 0
            let c = index >= bpp ? Int(previous[index - bpp]) : 0
            let predicted = Self.predictor(filter, a, Int(previous[index]), c)
            line[index] = UInt8(truncatingIfNeeded: Int(line[index]) + predicted)
        }
    }

    private static func filter(_ line: [UInt8], previous: [UInt8], filter: UInt8, bpp: Int) -> [UInt8] {
        var output = line
        for index in line.indices {
            let a = index >= bpp ? Int(line[index - bpp]) : 0
            let c = index >= bpp ? Int(previous[index - bpp]) : 0
            let predicted = Self.predictor(filter, a, Int(previous[index]), c)
            output[index] = UInt8(truncatingIfNeeded: Int(line[index]) - predicted)
        }
        return output
    }

    // MARK: The zlib stream

    struct Inflated {
        var data: [UInt8]
        /// Where each deflate block starts: its offset in the data and its bit position in the stream.
        var boundaries: [(offset: Int, bit: Int)]
        /// The bit after the final block's end; `nil` when decoding stopped early.
        var endBit: Int?
    }

    /// Inflates the image data, noting each block boundary (zlib's `Z_BLOCK`).
    /// - Parameter stopAfter: when given, stop at the first block boundary on a whole byte at or
    ///   past this much data and within 4 MiB of it (the rest is not decoded; ``Inflated/endBit`` is
    ///   then `nil`).
    /// - Parameter boundariesFrom: boundaries before this much data are not noted (it is decoded
    ///   without stopping at each block: zlib copies its window each time it stops).
    static func inflate(
        _ source: IDATStream,
        size: Int,
        stopAfter: Int? = nil,
        boundariesFrom: Int = 0
    ) throws(MediaError) -> Inflated {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw MediaError("cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        // Not zero-filled first: what decoding does not reach (after an early stop) is never read.
        var data = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            #if os(Linux)
                // Huge pages where the kernel allows them for the asking: a 4000 × 3000 photograph
                // is 36 MB of data, nine thousand page faults in 4 KiB pages.
                if let base = buffer.baseAddress, size >= 8 << 20 {
                    let address = (Int(bitPattern: base) + (2 << 20) - 1) & ~((2 << 20) - 1)
                    let end = (Int(bitPattern: base) + size) & ~((2 << 20) - 1)
                    if end > address {
                        _ = madvise(UnsafeMutableRawPointer(bitPattern: address), end - address, MADV_HUGEPAGE)
                    }
                }
            #endif
            initialized = size
        }
        var boundaries: [(Int, Int)] = []
        var endBit: Int?
        var stopped = false
        var status: Int32 = Z_OK
        let quietUntil = min(boundariesFrom, size)
        try data.withUnsafeMutableBufferPointer { (target) throws(MediaError) in
            stream.next_out = target.baseAddress
            try source.forEachPiece { piece in
                stream.next_in = UnsafeMutablePointer(mutating: piece.baseAddress)
                stream.avail_in = UInt32(piece.count)
                while stream.avail_in > 0 {
                    let decoded = Int(stream.total_out)
                    let quiet = decoded < quietUntil
                    stream.avail_out = UInt32((quiet ? quietUntil : size) - decoded)
                    status = CZlib.inflate(&stream, quiet ? Z_NO_FLUSH : Z_BLOCK)
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { return false }
                    if !quiet, status != Z_BUF_ERROR, stream.data_type & 128 != 0, endBit == nil {
                        let bit = Int(stream.total_in) * 8 - Int(stream.data_type & 7)
                        if stream.data_type & 64 != 0 {
                            endBit = bit
                        } else {
                            boundaries.append((Int(stream.total_out), bit))
                            // Within 4 MiB of the point; a stream whose blocks are longer is decoded whole.
                            if let stopAfter, Int(stream.total_out) >= stopAfter,
                                Int(stream.total_out) < stopAfter + (4 << 20), bit % 8 == 0
                            {
                                stopped = true
                                return false
                            }
                        }
                    }
                    if status == Z_STREAM_END { return false }
                    // No progress with input left: the data is longer than the image.
                    if status == Z_BUF_ERROR, stream.avail_in > 0 { return false }
                }
                return true
            }
        }
        if stopped { return Inflated(data: data, boundaries: boundaries, endBit: nil) }
        guard status == Z_STREAM_END, Int(stream.total_out) == size, let endBit else {
            throw MediaError("the PNG image data is damaged or does not match its size")
        }
        return Inflated(data: data, boundaries: boundaries, endBit: endBit)
    }

    /// Which blocks a splice reuses.
    enum Plan {
        /// New blocks for the data before `offset`, then the original's from `bit` on (after
        /// decoding that stopped early, a boundary on a whole byte: the rest is kept undecoded).
        case top(offset: Int, bit: Int)
        /// The original's blocks before `bit` (data before `offset`), then new blocks.
        case bottom(offset: Int, bit: Int)
        /// All new.
        case whole

        /// The Adler-32 of the part the splice reuses, from the original data (before drawing) and
        /// the original stream's trailer: zlib's combination rule run backwards, so that only the
        /// smaller, changing part is summed.
        func unchangedAdler(of data: [UInt8], total: UInt32) -> UInt32 {
            switch self {
            case .top(let offset, _):
                let first = PNGMark.adler(data[..<offset])
                return PNGMark.adlerSolve(total, known: first, knownIsFirst: true, secondLength: data.count - offset)
            case .bottom(let offset, _):
                let tail = PNGMark.adler(data[offset...])
                return PNGMark.adlerSolve(total, known: tail, knownIsFirst: false, secondLength: data.count - offset)
            case .whole:
                return 1
            }
        }
    }

    /// Chooses the splice that compresses fewer bytes: a block boundary past the change and its
    /// 32 KiB window (reuse what follows), or one before the change (reuse what precedes).
    static func plan(_ inflated: Inflated, changed: Range<Int>) -> Plan {
        if inflated.endBit == nil, let last = inflated.boundaries.last {
            return .top(offset: last.offset, bit: last.bit)
        }
        let top = inflated.boundaries.first { $0.offset >= changed.upperBound + (32 << 10) }
        let bottom = inflated.boundaries.last { $0.offset <= changed.lowerBound && $0.offset > 0 }
        let topCost = top.map(\.offset) ?? Int.max
        let bottomCost = bottom.map { inflated.data.count - $0.offset } ?? Int.max
        if let top, topCost <= bottomCost { return .top(offset: top.offset, bit: top.bit) }
        if let bottom { return .bottom(offset: bottom.offset, bit: bottom.bit) }
        return .whole
    }

    /// A zlib stream made of new bytes around a run the original stream keeps as it is.
    struct Spliced {
        var before: [UInt8]
        /// Bytes of the original stream, kept.
        var kept: Range<Int>
        var after: [UInt8]
    }

    /// The zlib stream of `inflated.data` (already changed) following `plan`.
    static func splice(
        original: IDATStream,
        inflated: Inflated,
        plan: Plan,
        unchangedAdler: UInt32
    ) throws(MediaError) -> Spliced {
        let data = inflated.data
        // Where the original compressed to more than half its size (grain, photographs), matches
        // are rare and Huffman coding alone is twice as fast as level 1 and smaller; elsewhere
        // (flat or drawn images) level 1 finds the runs and repeats.
        let strategy = original.count * 2 > data.count ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY
        switch plan {
        case .top(let offset, let bit):
            let stream = Zlib.deflate(Array(data[..<offset]), level: 1, strategy: strategy, finish: false)
            // Decoding that stopped early knows no end bit: the rest is whole bytes up to the trailer.
            let end = inflated.endBit ?? (original.count - 4) * 8
            var trailer: [UInt8] = []
            trailer.appendUInt32BE(
                Int(Self.adlerCombine(Self.adler(data[..<offset]), unchangedAdler, secondLength: data.count - offset))
            )
            if bit % 8 == 0, end % 8 == 0 {
                return Spliced(before: stream, kept: bit / 8..<end / 8, after: trailer)
            }
            let first = bit / 8
            let bits = Self.bits(
                of: try original.read(first..<original.count),
                from: bit - first * 8,
                to: end - first * 8
            )
            return Spliced(before: stream + bits + trailer, kept: 0..<0, after: [])
        case .bottom(let offset, let bit):
            let spare = bit % 8
            let prime =
                spare > 0
                ? (bits: Int32(spare), value: Int32(try original.read(bit / 8..<bit / 8 + 1)[0]) & ((1 << spare) - 1))
                : nil
            let dictionary = Array(data[max(0, offset - (32 << 10))..<offset])
            var stream = Zlib.deflate(
                Array(data[offset...]),
                raw: true,
                level: 1,
                strategy: strategy,
                dictionary: dictionary,
                prime: prime
            )
            let adler = Self.adlerCombine(
                unchangedAdler,
                Self.adler(data[offset...]),
                secondLength: data.count - offset
            )
            stream.appendUInt32BE(Int(adler))
            return Spliced(before: [], kept: 0..<bit / 8, after: stream)
        case .whole:
            return Spliced(before: Zlib.deflate(data), kept: 0..<0, after: [])
        }
    }

    private static let base: Int64 = 65_521

    /// adler32_combine: the checksum of A followed by B, from theirs and B's length.
    static func adlerCombine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        let length = Int64(secondLength) % Self.base
        let a1 = Int64(first & 0xFFFF)
        let b1 = Int64(first >> 16)
        let a2 = Int64(second & 0xFFFF)
        let b2 = Int64(second >> 16)
        let a = ((a1 + a2 - 1) % Self.base + Self.base) % Self.base
        let b = ((b1 + b2 + length * (a1 - 1)) % Self.base + Self.base) % Self.base
        return UInt32(b << 16 | a)
    }

    /// Solves zlib's combination rule for the part not given: B's checksum when `known` is A's,
    /// A's when it is B's (with B's length either way).
    static func adlerSolve(_ total: UInt32, known: UInt32, knownIsFirst: Bool, secondLength: Int) -> UInt32 {
        let length = Int64(secondLength) % Self.base
        func mod(_ value: Int64) -> Int64 { (value % Self.base + Self.base) % Self.base }
        let unknownA = mod(Int64(total & 0xFFFF) - Int64(known & 0xFFFF) + 1)
        let firstA = knownIsFirst ? Int64(known & 0xFFFF) : unknownA
        let unknownB = mod(Int64(total >> 16) - Int64(known >> 16) - length * (firstA - 1))
        return UInt32(unknownB << 16 | unknownA)
    }

    /// The bits `[from, to)` of `bytes` (deflate's order: least significant bit first), starting at
    /// bit 0 of the first output byte.
    static func bits(of bytes: [UInt8], from: Int, to: Int) -> [UInt8] {
        let shift = from % 8
        let start = from / 8
        let count = (to - from + 7) / 8
        if shift == 0 { return Array(bytes[start..<(start + count)]) }
        var output = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for index in 0..<count {
                    let low = source[start + index] >> shift
                    let next = start + index + 1 < source.count ? source[start + index + 1] : 0
                    target[index] = low | (next << (8 - shift))
                }
            }
        }
        let tail = (to - from) % 8
        if tail > 0 { output[count - 1] &= UInt8((1 << tail) - 1) }
        return output
    }

    static func adler(_ data: ArraySlice<UInt8>) -> UInt32 {
        data.withUnsafeBufferPointer { UInt32(adler32(1, $0.baseAddress, UInt32($0.count))) }
    }
}

/// The pixels of a PNG image, for checking what a label did to it.
package struct PNGPixels: Sendable {
    package let width: Int
    package let height: Int
    /// Samples per pixel (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA).
    package let channels: Int
    package let bitDepth: Int
    /// Unfiltered rows.
    package let rows: [[UInt8]]

    /// Decodes a non-interlaced PNG of 8 or 16 bits per sample.
    package init(bytes: [UInt8]) throws(MediaError) {
        let mark = try PNGMark(input: MediaInput(bytes: bytes))
        self = try mark.pixels()
    }

    init(width: Int, height: Int, channels: Int, bitDepth: Int, rows: [[UInt8]]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.rows = rows
    }

    /// One sample, scaled to 0–255.
    package func sample(x: Int, y: Int, channel: Int) -> Int {
        let size = self.bitDepth / 8
        let at = (x * self.channels + channel) * size
        return Int(self.rows[y][at])  // the high byte of a 16-bit sample
    }
}

extension PNGMark {
    func pixels() throws(MediaError) -> PNGPixels {
        let compressed = IDATStream(input: self.input, ranges: self.chunks.filter { $0.type == "IDAT" }.map(\.data))
        let stride = self.header.stride
        let inflated = try Self.inflate(compressed, size: self.header.height * stride)
        var rows: [[UInt8]] = []
        var previous = [UInt8](repeating: 0, count: stride - 1)
        for row in 0..<self.header.height {
            var line = Array(inflated.data[(row * stride + 1)..<((row + 1) * stride)])
            Self.unfilter(
                &line,
                previous: previous,
                filter: inflated.data[row * stride],
                bpp: self.header.bytesPerPixel
            )
            rows.append(line)
            previous = line
        }
        return PNGPixels(
            width: self.header.width,
            height: self.header.height,
            channels: self.header.channels,
            bitDepth: self.header.bitDepth,
            rows: rows
        )
    }
}

/// The image's zlib stream: the data of the IDAT chunks one after another, read from the input as
/// it is needed (a large photograph's is tens of megabytes, decoded once, front to back).
struct IDATStream {
    let input: MediaInput
    /// Each chunk's data in the input, and where it starts in the stream.
    private let pieces: [(stream: Int, file: Range<Int>)]
    /// The stream's length in bytes.
    let count: Int

    init(input: MediaInput, ranges: [Range<Int>]) {
        self.input = input
        var pieces: [(Int, Range<Int>)] = []
        var offset = 0
        for range in ranges where !range.isEmpty {
            pieces.append((offset, range))
            offset += range.count
        }
        self.pieces = pieces
        self.count = offset
    }

    /// The stream's bytes in `range`.
    func read(_ range: Range<Int>) throws(MediaError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= self.count else { throw .truncated("PNG") }
        var ranges: [Range<Int>] = []
        for piece in self.pieces {
            let start = max(range.lowerBound, piece.stream)
            let end = min(range.upperBound, piece.stream + piece.file.count)
            if start < end {
                ranges.append(piece.file.lowerBound + start - piece.stream..<piece.file.lowerBound + end - piece.stream)
            }
        }
        return try self.input.read(joining: ranges)
    }

    /// The Adler-32 the stream ends with.
    func trailer() throws(MediaError) -> UInt32 {
        guard self.count >= 4 else { return 1 }
        return UInt32(try self.read(self.count - 4..<self.count).uint32BE(at: 0))
    }

    /// Feeds the stream to `body` about a megabyte at a time, while it returns `true`.
    func forEachPiece(_ body: (UnsafeBufferPointer<UInt8>) throws(MediaError) -> Bool) throws(MediaError) {
        var index = 0
        var from = self.pieces.first?.file.lowerBound ?? 0  // within pieces[index]
        while index < self.pieces.count {
            var ranges: [Range<Int>] = []
            var size = 0
            while index < self.pieces.count, size < 1 << 20 {
                let file = self.pieces[index].file
                let end = min(file.upperBound, from + (1 << 20) - size)
                ranges.append(from..<end)
                size += end - from
                if end == file.upperBound {
                    index += 1
                    from = index < self.pieces.count ? self.pieces[index].file.lowerBound : 0
                } else {
                    from = end
                }
            }
            let bytes = try self.input.read(joining: ranges)
            let goOn = try bytes.withUnsafeBufferPointer { (buffer) throws(MediaError) in try body(buffer) }
            guard goOn else { return }
        }
    }
}
