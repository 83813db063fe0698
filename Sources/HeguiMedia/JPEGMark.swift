import Foundation

/// Draws a ``VisibleLabel`` onto a baseline JPEG (LBL-4.3, GB-5.2).
///
/// The scan's coefficients are Huffman-decoded (no pixels); only the 8×8 blocks under the label are
/// turned into pixels, drawn on, and transformed and quantised again with the file's own tables.
/// Every other block keeps its coefficients exactly, so the rest of the picture decodes to the same
/// pixels as before. The scan is then Huffman-coded with tables made for it (the label's sharp
/// edges need codes an optimised original table may lack), with the original restart interval.
/// Progressive, arithmetic-coded, 12-bit, CMYK and multi-scan files are refused with a clear error.
struct JPEGMark {
    struct Component {
        var id: Int
        var h: Int
        var v: Int
        var quantTable: Int
        var dcTable = 0
        var acTable = 0
        var blocksPerLine = 0
        var blocksPerColumn = 0
        /// The component's first block in ``JPEGMark/coefficients``.
        var firstBlock = 0
    }

    private let input: MediaInput
    private var segments: [(marker: UInt8, range: Range<Int>)] = []
    private var scanHeaderIndex = 0
    private var scanData: Range<Int> = 0..<0
    private var width = 0
    private var height = 0
    private var components: [Component] = []
    private var quantTables: [Int: [Int]] = [:]
    private var dcTables: [Int: HuffmanTable] = [:]
    private var acTables: [Int: HuffmanTable] = [:]
    private var restartInterval = 0
    private var maxH = 1
    private var maxV = 1
    /// Every block's coefficients in zig-zag order, 64 a block, component by component, row by row.
    private var coefficients: [Int32] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        var offset = 2
        var sawFrame = false
        while true {
            let head = try input.read(at: offset, upTo: 4)
            guard head.count >= 2, head[0] == 0xFF else { throw .truncated("JPEG") }
            let marker = head[1]
            if marker == 0xFF {
                offset += 1
                continue
            }
            guard head.count == 4 else { throw .truncated("JPEG") }
            let length = head.uint16BE(at: 2)
            guard length >= 2 else { throw MediaError("a JPEG segment declares a length of \(length)") }
            let end = offset + 2 + length
            guard end <= input.count else { throw .truncated("JPEG") }
            let payload = try input.read(offset + 4..<end)
            self.segments.append((marker, offset..<end))
            switch marker {
            case 0xC0, 0xC1:
                guard payload.count >= 6, payload[0] == 8 else {
                    throw MediaError("only 8-bit JPEG images can carry a visible label")
                }
                self.height = payload.uint16BE(at: 1)
                self.width = payload.uint16BE(at: 3)
                let count = Int(payload[5])
                guard count == 1 || count == 3, payload.count >= 6 + 3 * count else {
                    throw MediaError(
                        "JPEG images with \(count) components cannot carry a visible label (grey or YCbCr only)"
                    )
                }
                for index in 0..<count {
                    let at = 6 + 3 * index
                    let sampling = Int(payload[at + 1])
                    self.components.append(
                        Component(
                            id: Int(payload[at]),
                            h: sampling >> 4,
                            v: sampling & 15,
                            quantTable: Int(payload[at + 2])
                        )
                    )
                }
                guard self.components.allSatisfy({ (1...2).contains($0.h) && (1...2).contains($0.v) }) else {
                    throw MediaError("the JPEG image's sampling factors are not supported for a visible label")
                }
                sawFrame = true
            case 0xC2, 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                throw MediaError(
                    "progressive, lossless and arithmetic-coded JPEG images cannot carry a visible label yet"
                )
            case 0xDB:
                try self.readQuantTables(payload)
            case 0xC4:
                try self.readHuffmanTables(payload)
            case 0xDD:
                guard payload.count >= 2 else { throw .truncated("JPEG") }
                self.restartInterval = payload.uint16BE(at: 0)
            case 0xEE:
                // Adobe APP14 with transform 0: the three components are RGB, not YCbCr.
                if payload.count >= 12, payload.starts(with: Array("Adobe".utf8)), payload[11] == 0,
                    self.components.count != 1
                {
                    throw MediaError("Adobe RGB-coded JPEG images cannot carry a visible label")
                }
            case 0xDA:
                guard sawFrame else { throw MediaError("the JPEG file has a scan before its frame header") }
                try self.readScanHeader(payload)
                self.scanHeaderIndex = self.segments.count - 1
                self.scanData = end..<input.count
                return
            case 0xD9:
                throw MediaError("the JPEG file ends before its image data")
            default:
                break
            }
            offset = end
        }
    }

    private mutating func readQuantTables(_ payload: [UInt8]) throws(MediaError) {
        var at = 0
        while at < payload.count {
            let precision = payload[at] >> 4
            let id = Int(payload[at] & 15)
            let size = precision == 0 ? 1 : 2
            guard at + 1 + 64 * size <= payload.count else { throw .truncated("JPEG") }
            let table = (0..<64).map {
                size == 1 ? Int(payload[at + 1 + $0]) : payload.uint16BE(at: at + 1 + 2 * $0)
            }
            // A zero step cannot quantise (found by fuzzing: the division made an infinity).
            guard !table.contains(0) else { throw MediaError("a JPEG quantisation table holds a zero") }
            self.quantTables[id] = table
            at += 1 + 64 * size
        }
    }

    private mutating func readHuffmanTables(_ payload: [UInt8]) throws(MediaError) {
        var at = 0
        while at + 17 <= payload.count {
            let kind = payload[at] >> 4
            let id = Int(payload[at] & 15)
            let counts = Array(payload[(at + 1)..<(at + 17)]).map(Int.init)
            let total = counts.reduce(0, +)
            guard at + 17 + total <= payload.count else { throw .truncated("JPEG") }
            guard HuffmanTable.isPrefixCode(counts) else {
                throw MediaError("a JPEG Huffman table has more codes than its lengths allow")
            }
            let table = HuffmanTable(counts: counts, symbols: Array(payload[(at + 17)..<(at + 17 + total)]))
            if kind == 0 { self.dcTables[id] = table } else { self.acTables[id] = table }
            at += 17 + total
        }
    }

    private mutating func readScanHeader(_ payload: [UInt8]) throws(MediaError) {
        guard let count = payload.first.map(Int.init), payload.count >= 1 + 2 * count + 3 else {
            throw .truncated("JPEG")
        }
        guard count == self.components.count else {
            throw MediaError("JPEG images with more than one scan cannot carry a visible label yet")
        }
        for index in 0..<count {
            let id = Int(payload[1 + 2 * index])
            let tables = Int(payload[2 + 2 * index])
            guard let component = self.components.firstIndex(where: { $0.id == id }) else {
                throw MediaError("the JPEG scan names an unknown component")
            }
            self.components[component].dcTable = tables >> 4
            self.components[component].acTable = tables & 15
        }
        self.maxH = self.components.map(\.h).max() ?? 1
        self.maxV = self.components.map(\.v).max() ?? 1
        let mcuColumns = (self.width + 8 * self.maxH - 1) / (8 * self.maxH)
        let mcuRows = (self.height + 8 * self.maxV - 1) / (8 * self.maxV)
        for index in self.components.indices {
            if count == 1 {
                self.components[index].blocksPerLine = (self.width + 7) / 8
                self.components[index].blocksPerColumn = (self.height + 7) / 8
            } else {
                self.components[index].blocksPerLine = mcuColumns * self.components[index].h
                self.components[index].blocksPerColumn = mcuRows * self.components[index].v
            }
        }
    }

    /// The blocks of each MCU in scan order, as (component, block index in ``coefficients``).
    private func forEachMCU(_ body: (_ mcu: Int, _ blocks: [(Int, Int)]) throws(MediaError) -> Void) throws(MediaError)
    {
        if self.components.count == 1 {
            let component = self.components[0]
            for block in 0..<(component.blocksPerLine * component.blocksPerColumn) {
                try body(block, [(0, component.firstBlock + block)])
            }
            return
        }
        let mcuColumns = self.components[0].blocksPerLine / self.components[0].h
        let mcuRows = self.components[0].blocksPerColumn / self.components[0].v
        var blocks: [(Int, Int)] = []
        for mcuRow in 0..<mcuRows {
            for mcuColumn in 0..<mcuColumns {
                blocks.removeAll(keepingCapacity: true)
                for (index, component) in self.components.enumerated() {
                    for y in 0..<component.v {
                        for x in 0..<component.h {
                            let row = mcuRow * component.v + y
                            let column = mcuColumn * component.h + x
                            blocks.append((index, component.firstBlock + row * component.blocksPerLine + column))
                        }
                    }
                }
                try body(mcuRow * mcuColumns + mcuColumn, blocks)
            }
        }
    }

    // MARK: Decoding and encoding the scan

    private mutating func decodeScan() throws(MediaError) {
        var total = 0
        for index in self.components.indices {
            let component = self.components[index]
            self.components[index].firstBlock = total
            total += component.blocksPerLine * component.blocksPerColumn
            guard self.dcTables[component.dcTable] != nil, self.acTables[component.acTable] != nil,
                self.quantTables[component.quantTable] != nil
            else { throw MediaError("the JPEG file lacks a table its scan uses") }
        }
        // Every block takes at least two bits of the scan (a DC and an end-of-block code), so a
        // header declaring more blocks than the data can hold is refused before memory is taken
        // for them (found by fuzzing: 65535 × 65535 declared in a few hundred bytes); and the
        // coefficients stay under 1 GiB, as the PNG mark's pixels do.
        guard total <= 4 * self.scanData.count + 64, total <= (1 << 30) / (64 * 4) else {
            throw MediaError(
                "the JPEG image declares more blocks than its data holds, or is too large for a visible label"
            )
        }
        var coefficients = [Int32](repeating: 0, count: total * 64)
        // Tables by slot: DC tables 0–3, AC tables 4–7.
        var tables = [HuffmanTable](
            repeating: HuffmanTable(counts: [Int](repeating: 0, count: 16), symbols: []),
            count: 8
        )
        for (id, table) in self.dcTables where id < 4 { tables[id] = table }
        for (id, table) in self.acTables where id < 4 { tables[4 + id] = table }
        var reader = BitReader(data: try self.input.read(self.scanData), tables: tables)
        let dcSlots = self.components.map(\.dcTable)
        let acSlots = self.components.map { 4 + $0.acTable }
        var predictors = [Int32](repeating: 0, count: self.components.count)
        let interval = self.restartInterval
        try self.forEachMCU { mcu, blocks throws(MediaError) in
            if interval > 0, mcu > 0, mcu % interval == 0 {
                try reader.restart()
                for index in predictors.indices { predictors[index] = 0 }
            }
            for (index, block) in blocks {
                let base = block * 64
                let size = try reader.decode(dcSlots[index])
                predictors[index] += Int32(try reader.receiveExtend(size))
                coefficients[base] = predictors[index]
                let ac = acSlots[index]
                var k = 1
                while k < 64 {
                    let symbol = try reader.decode(ac)
                    let run = symbol >> 4
                    let bits = symbol & 15
                    if bits == 0 {
                        if run == 15 {
                            k += 16
                            continue
                        }
                        break
                    }
                    k += run
                    guard k < 64 else { throw MediaError("the JPEG image data is damaged") }
                    coefficients[base + k] = Int32(try reader.receiveExtend(bits))
                    k += 1
                }
            }
        }
        self.coefficients = coefficients
    }

    /// Huffman-codes the scan with `writer`'s codes (or counts its symbols, for a counting writer).
    private func encodeScan(writer: inout BitWriter) throws(MediaError) {
        var predictors = [Int32](repeating: 0, count: self.components.count)
        let interval = self.restartInterval
        let dcSlots = self.components.map(\.dcTable)
        let acSlots = self.components.map { 4 + $0.acTable }
        let coefficients = self.coefficients
        try self.forEachMCU { mcu, blocks throws(MediaError) in
            if interval > 0, mcu > 0, mcu % interval == 0 {
                writer.restart(marker: UInt8(0xD0 + (mcu / interval - 1) % 8))
                for index in predictors.indices { predictors[index] = 0 }
            }
            for (index, block) in blocks {
                let base = block * 64
                let diff = coefficients[base] - predictors[index]
                predictors[index] = coefficients[base]
                let (size, bits) = Self.category(diff)
                writer.write(symbol: size, slot: dcSlots[index])
                writer.write(bits: bits, count: size)
                let ac = acSlots[index]
                var run = 0
                for k in 1..<64 {
                    let value = coefficients[base + k]
                    if value == 0 {
                        run += 1
                        continue
                    }
                    while run > 15 {
                        writer.write(symbol: 0xF0, slot: ac)
                        run -= 16
                    }
                    let (size, bits) = Self.category(value)
                    writer.write(symbol: run << 4 | size, slot: ac)
                    writer.write(bits: bits, count: size)
                    run = 0
                }
                if run > 0 { writer.write(symbol: 0, slot: ac) }
            }
        }
        writer.flush()
    }

    /// The magnitude category of a value and its bits (JPEG F.1.2.1).
    static func category(_ value: Int32) -> (Int, Int) {
        guard value != 0 else { return (0, 0) }
        let magnitude = Int(value.magnitude)
        let size = Int.bitWidth - magnitude.leadingZeroBitCount
        return (size, value > 0 ? magnitude : (Int(value) - 1) & ((1 << size) - 1))
    }

    // MARK: Drawing

    /// The orthonormal 8-point DCT basis: `basis[x][u]`.
    private static let basis: [[Double]] = (0..<8).map { x in
        (0..<8).map { u in
            let scale: Double = u == 0 ? 1 / 2.0.squareRoot() : 1
            let angle = Double((2 * x + 1) * u) * Double.pi / 16
            return scale / 2 * cos(angle)
        }
    }

    /// The zig-zag index of each natural (row-major) position.
    private static let zigzagIndex: [Int] = {
        var index = [Int](repeating: 0, count: 64)
        for (k, position) in Self.zigzag.enumerated() { index[position] = k }
        return index
    }()

    /// The natural (row-major) position of each zig-zag index.
    private static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
        54, 47, 55, 62, 63,
    ]

    /// The samples (0…255) of one block.
    private func samples(_ component: Component, block: Int) -> [Double] {
        let quant = self.quantTables[component.quantTable]!
        var natural = [Double](repeating: 0, count: 64)
        let base = (component.firstBlock + block) * 64
        for k in 0..<64 { natural[Self.zigzag[k]] = Double(self.coefficients[base + k]) * Double(quant[k]) }
        var rows = [Double](repeating: 0, count: 64)
        for v in 0..<8 {
            for x in 0..<8 {
                var sum = 0.0
                for u in 0..<8 { sum += Self.basis[x][u] * natural[v * 8 + u] }
                rows[v * 8 + x] = sum
            }
        }
        var output = [Double](repeating: 0, count: 64)
        for y in 0..<8 {
            for x in 0..<8 {
                var sum = 0.0
                for v in 0..<8 { sum += Self.basis[y][v] * rows[v * 8 + x] }
                output[y * 8 + x] = min(255, max(0, (sum + 128).rounded()))
            }
        }
        return output
    }

    /// The quantised coefficients (zig-zag order) of one block of samples.
    private func coefficients(_ samples: [Double], quantTable: Int) -> [Int32] {
        let quant = self.quantTables[quantTable]!
        var rows = [Double](repeating: 0, count: 64)
        for y in 0..<8 {
            for u in 0..<8 {
                var sum = 0.0
                for x in 0..<8 { sum += Self.basis[x][u] * (samples[y * 8 + x] - 128) }
                rows[y * 8 + u] = sum
            }
        }
        var output = [Int32](repeating: 0, count: 64)
        for v in 0..<8 {
            for u in 0..<8 {
                var sum = 0.0
                for y in 0..<8 { sum += Self.basis[y][v] * rows[y * 8 + u] }
                let k = Self.zigzagIndex[v * 8 + u]
                output[k] = Int32((sum / Double(quant[k])).rounded())
            }
        }
        return output
    }

    /// Draws the label into the coefficients of the blocks under it.
    private mutating func draw(_ label: VisibleLabel) throws(MediaError) {
        let layout = try label.layout(width: self.width, height: self.height)
        // Each component's samples over the box, as decoded; then drawn on.
        var planes: [[Int: [Double]]] = Array(repeating: [:], count: self.components.count)
        func sample(_ index: Int, _ sx: Int, _ sy: Int) -> Double {
            let component = self.components[index]
            let block = (sy / 8) * component.blocksPerLine + sx / 8
            if planes[index][block] == nil { planes[index][block] = self.samples(component, block: block) }
            return planes[index][block]![(sy % 8) * 8 + sx % 8]
        }
        var drawn: [[Int: [Double]]] = Array(repeating: [:], count: self.components.count)
        // Chroma samples average the new colours of the pixels they cover.
        var sums: [[Int: (Double, Int)]] = Array(repeating: [:], count: self.components.count)
        let grey = self.components.count == 1
        for y in layout.y..<(layout.y + layout.height) {
            for x in layout.x..<(layout.x + layout.width) {
                let positions = self.components.map { ((x * $0.h) / self.maxH, (y * $0.v) / self.maxV) }
                let values = positions.enumerated().map { sample($0.offset, $0.element.0, $0.element.1) }
                let rgb: (Double, Double, Double)
                if grey {
                    rgb = (values[0] / 255, values[0] / 255, values[0] / 255)
                } else {
                    let (luma, cb, cr) = (values[0], values[1] - 128, values[2] - 128)
                    rgb = (
                        (luma + 1.402 * cr) / 255, (luma - 0.344_136 * cb - 0.714_136 * cr) / 255,
                        (luma + 1.772 * cb) / 255
                    )
                }
                guard let new = label.blend(layout, x: x, y: y, colour: rgb) else { continue }
                let (r, g, b) = (new.0 * 255, new.1 * 255, new.2 * 255)
                let ycc =
                    grey
                    ? [r]
                    : [
                        0.299 * r + 0.587 * g + 0.114 * b, -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128,
                        0.5 * r - 0.418_688 * g - 0.081_312 * b + 128,
                    ]
                for (index, position) in positions.enumerated() {
                    let key = position.1 * 1_000_000 + position.0
                    let entry = sums[index][key] ?? (0, 0)
                    sums[index][key] = (entry.0 + ycc[index], entry.1 + 1)
                }
            }
        }
        for index in self.components.indices {
            let component = self.components[index]
            let ratio = (self.maxH / component.h) * (self.maxV / component.v)
            for (key, entry) in sums[index] {
                let (sx, sy) = (key % 1_000_000, key / 1_000_000)
                let block = (sy / 8) * component.blocksPerLine + sx / 8
                if drawn[index][block] == nil {
                    _ = sample(index, sx, sy)
                    drawn[index][block] = planes[index][block]
                }
                // Pixels of this sample outside the box keep their colour in the average.
                let old = planes[index][block]![(sy % 8) * 8 + sx % 8]
                let value = (entry.0 + old * Double(ratio - entry.1)) / Double(ratio)
                drawn[index][block]![(sy % 8) * 8 + sx % 8] = min(255, max(0, value.rounded()))
            }
            for (block, samples) in drawn[index] where samples != planes[index][block] {
                let coefficients = self.coefficients(samples, quantTable: component.quantTable)
                let base = (component.firstBlock + block) * 64
                self.coefficients.replaceSubrange(base..<base + 64, with: coefficients)
            }
        }
    }

    // MARK: Writing

    func write(_ label: VisibleLabel, to output: MediaOutput) throws(MediaError) {
        var image = self
        try image.decodeScan()
        try image.draw(label)
        // Huffman tables made for the new scan (JPEG K.2), with the original table ids.
        var counting = BitWriter(codes: nil)
        try image.encodeScan(writer: &counting)
        var codes = [HuffmanCode](repeating: HuffmanCode(), count: 8)
        var tables: [UInt8] = []
        for slot in Set(image.components.map(\.dcTable) + image.components.map { 4 + $0.acTable }).sorted() {
            codes[slot] = HuffmanCode.optimal(counting.frequencies[slot])
            tables += codes[slot].segment(kind: slot / 4, id: slot % 4)
        }
        var writer = BitWriter(codes: codes)
        try image.encodeScan(writer: &writer)

        try output.copy(0..<2, of: self.input)
        for (index, segment) in self.segments.enumerated() {
            if index == self.scanHeaderIndex {
                var dht: [UInt8] = [0xFF, 0xC4]
                dht.appendUInt16BE(tables.count + 2)
                try output.write(dht + tables)
            }
            if segment.marker == 0xC4 { continue }
            try output.copy(segment.range, of: self.input)
        }
        try output.write(writer.bytes)
        try output.write([0xFF, 0xD9])
    }
}

/// A Huffman table as read from DHT, for decoding (JPEG F.2.2.3), with a 9-bit look-ahead table
/// for the short codes that make up most of a scan.
struct HuffmanTable {
    static let lookahead = 9
    var maxCode = [Int](repeating: -1, count: 17)
    var valueOffset = [Int](repeating: 0, count: 17)
    var symbols: [UInt8]
    /// For each 9-bit prefix: the code's length (0 when longer than 9 bits) and its symbol.
    var fast = [UInt16](repeating: 0, count: 1 << HuffmanTable.lookahead)

    /// Whether codes of these counts per length (1…16 bits) fit: at each length no more codes
    /// than the lengths before leave room for (found by fuzzing: too many overran the tables).
    static func isPrefixCode(_ counts: [Int]) -> Bool {
        var code = 0
        for length in 1...16 {
            code += counts[length - 1]
            if code > 1 << length { return false }
            code <<= 1
        }
        return true
    }

    init(counts: [Int], symbols: [UInt8]) {
        self.symbols = symbols
        var code = 0
        var index = 0
        for length in 1...16 {
            let count = counts[length - 1]
            self.valueOffset[length] = index - code
            if length <= Self.lookahead {
                for offset in 0..<count where index + offset < symbols.count {
                    let prefix = (code + offset) << (Self.lookahead - length)
                    for fill in 0..<(1 << (Self.lookahead - length)) {
                        self.fast[prefix | fill] = UInt16(length << 8) | UInt16(symbols[index + offset])
                    }
                }
            }
            code += count
            index += count
            self.maxCode[length] = count > 0 ? code - 1 : -1
            code <<= 1
        }
    }
}

/// Reads the entropy-coded data: removes the 0x00 after each 0xFF, stops at markers.
struct BitReader {
    let data: [UInt8]
    var position = 0
    /// Bits not yet consumed, most significant first, in the low `count` bits.
    var buffer: UInt64 = 0
    var count = 0
    /// Zero bytes fed after a marker (not in the data).
    var padding = 0
    /// The Huffman tables by slot (DC 0–3, AC 4–7).
    let tables: [HuffmanTable]

    init(data: [UInt8], tables: [HuffmanTable]) {
        self.data = data
        self.tables = tables
    }

    /// Tops the buffer up to at least 25 bits; past a marker or the end it feeds zeros.
    @inline(__always)
    private mutating func fill() {
        while self.count <= 56 {
            var byte: UInt64 = 0
            if self.position < self.data.count {
                let value = self.data[self.position]
                if value == 0xFF {
                    let next = self.position + 1 < self.data.count ? self.data[self.position + 1] : 0xD9
                    if next == 0 {
                        byte = 0xFF
                        self.position += 2
                    } else {
                        self.padding += 1  // a marker: the interval or scan ends here; zeros follow
                    }
                } else {
                    byte = UInt64(value)
                    self.position += 1
                }
            } else {
                self.padding += 1
            }
            self.buffer = self.buffer << 8 | byte
            self.count += 8
        }
    }

    mutating func bits(_ n: Int) throws(MediaError) -> Int {
        guard n > 0 else { return 0 }
        if self.count < n { self.fill() }
        self.count -= n
        return Int((self.buffer >> UInt64(self.count)) & ((1 << UInt64(n)) - 1))
    }

    mutating func decode(_ slot: Int) throws(MediaError) -> Int {
        if self.count < 16 { self.fill() }
        let peek = Int((self.buffer >> UInt64(self.count - HuffmanTable.lookahead)) & 0x1FF)
        let entry = self.tables[slot].fast[peek]
        if entry != 0 {
            self.count -= Int(entry >> 8)
            return Int(entry & 0xFF)
        }
        var code = 0
        for length in 1...16 {
            self.count -= 1
            code = code << 1 | Int((self.buffer >> UInt64(self.count)) & 1)
            let table = self.tables[slot]
            if code <= table.maxCode[length] {
                let index = table.valueOffset[length] + code
                guard index >= 0, index < table.symbols.count else { break }
                return Int(table.symbols[index])
            }
        }
        throw MediaError("the JPEG image data is damaged (no Huffman code matches)")
    }

    /// Reads `size` bits as a signed value (JPEG F.2.2.1, EXTEND).
    mutating func receiveExtend(_ size: Int) throws(MediaError) -> Int {
        guard size > 0 else { return 0 }
        guard size <= 16 else { throw MediaError("the JPEG image data is damaged") }
        let value = try self.bits(size)
        return value < 1 << (size - 1) ? value - (1 << size) + 1 : value
    }

    /// Skips to the restart marker that must come next: whole bytes still buffered are returned
    /// to the data first.
    mutating func restart() throws(MediaError) {
        // Bytes fetched from the data but not used: step back over them (a stuffed 0xFF is two).
        var unused = max(0, self.count / 8 - self.padding)
        while unused > 0 {
            self.position -= 1
            if self.position > 0, self.data[self.position] == 0, self.data[self.position - 1] == 0xFF {
                self.position -= 1
            }
            unused -= 1
        }
        self.count = 0
        self.buffer = 0
        self.padding = 0
        while self.position + 1 < self.data.count, self.data[self.position] == 0xFF,
            self.data[self.position + 1] == 0xFF
        {
            self.position += 1  // fill bytes before the marker
        }
        guard self.position + 1 < self.data.count, self.data[self.position] == 0xFF,
            (0xD0...0xD7).contains(self.data[self.position + 1])
        else { throw MediaError("the JPEG image data is damaged (a restart marker is missing)") }
        self.position += 2
    }
}

/// A Huffman code for encoding: each symbol's code and length.
struct HuffmanCode {
    var codes = [Int](repeating: 0, count: 256)
    var lengths = [Int](repeating: 0, count: 256)
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [UInt8] = []

    /// The optimal code of at most 16 bits for these symbol frequencies (JPEG K.2, figures K.1–K.3).
    static func optimal(_ frequencies: [Int]) -> HuffmanCode {
        var frequency = frequencies + [1]  // a reserved symbol keeps any code from being all ones
        var codeSize = [Int](repeating: 0, count: 257)
        var others = [Int](repeating: -1, count: 257)
        while true {
            var v1 = -1
            var v2 = -1
            for index in 0..<257 where frequency[index] > 0 {
                if v1 < 0 || frequency[index] <= frequency[v1] {
                    v2 = v1
                    v1 = index
                } else if v2 < 0 || frequency[index] <= frequency[v2] {
                    v2 = index
                }
            }
            guard v2 >= 0 else { break }
            frequency[v1] += frequency[v2]
            frequency[v2] = 0
            codeSize[v1] += 1
            while others[v1] >= 0 {
                v1 = others[v1]
                codeSize[v1] += 1
            }
            others[v1] = v2
            codeSize[v2] += 1
            while others[v2] >= 0 {
                v2 = others[v2]
                codeSize[v2] += 1
            }
        }
        var bits = [Int](repeating: 0, count: 33)
        for size in codeSize where size > 0 { bits[size] += 1 }
        var length = 32
        while length > 16 {
            while bits[length] > 0 {
                var shorter = length - 2
                while bits[shorter] == 0 { shorter -= 1 }
                bits[length] -= 2
                bits[length - 1] += 1
                bits[shorter + 1] += 2
                bits[shorter] -= 1
            }
            length -= 1
        }
        while length > 0, bits[length] == 0 { length -= 1 }
        bits[length] -= 1  // drop the reserved symbol
        var code = HuffmanCode()
        code.counts = Array(bits[1...16])
        for size in 1...32 {
            for symbol in 0..<256 where codeSize[symbol] == size { code.symbols.append(UInt8(symbol)) }
        }
        var next = 0
        var index = 0
        for size in 1...16 {
            for _ in 0..<code.counts[size - 1] {
                let symbol = Int(code.symbols[index])
                code.codes[symbol] = next
                code.lengths[symbol] = size
                next += 1
                index += 1
            }
            next <<= 1
        }
        return code
    }

    /// The DHT entry of this code.
    func segment(kind: Int, id: Int) -> [UInt8] {
        [UInt8(kind << 4 | id)] + self.counts.map { UInt8($0) } + self.symbols
    }
}

/// Writes entropy-coded data with 0xFF stuffing, or only counts the symbols written.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer = 0
    private var count = 0
    private let isCounting: Bool
    /// Each slot's (DC 0–3, AC 4–7) code and code length per symbol: slot × 256 + symbol.
    private let codes: [Int]
    private let lengths: [Int]
    /// Symbol frequencies per slot, when counting.
    private(set) var frequencies = [[Int]](repeating: [Int](repeating: 0, count: 256), count: 8)

    /// A writer with these codes, or a counting one for `nil`.
    init(codes: [HuffmanCode]?) {
        self.isCounting = codes == nil
        self.codes = codes?.flatMap(\.codes) ?? []
        self.lengths = codes?.flatMap(\.lengths) ?? []
    }

    mutating func write(symbol: Int, slot: Int) {
        if self.isCounting {
            self.frequencies[slot][symbol] += 1
            return
        }
        self.write(bits: self.codes[slot << 8 | symbol], count: self.lengths[slot << 8 | symbol])
    }

    mutating func write(bits: Int, count: Int) {
        guard !self.isCounting, count > 0 else { return }
        self.buffer = self.buffer << count | (bits & ((1 << count) - 1))
        self.count += count
        while self.count >= 8 {
            let byte = UInt8((self.buffer >> (self.count - 8)) & 0xFF)
            self.bytes.append(byte)
            if byte == 0xFF { self.bytes.append(0) }
            self.count -= 8
        }
        self.buffer &= (1 << self.count) - 1
    }

    /// Pads the last byte with one bits.
    mutating func flush() {
        guard !self.isCounting, self.count > 0 else { return }
        self.write(bits: (1 << (8 - self.count)) - 1, count: 8 - self.count)
    }

    mutating func restart(marker: UInt8) {
        self.flush()
        if !self.isCounting { self.bytes += [0xFF, marker] }
    }
}
