import Foundation

/// Draws a ``VisibleLabel`` onto a JPEG (LBL-4.3, GB-5.2).
///
/// The scan's coefficients are Huffman-decoded (no pixels); only the 8×8 blocks under the label are
/// turned into pixels, drawn on, and transformed and quantised again with the file's own tables.
/// Every other block keeps its coefficients exactly, so the rest of the picture decodes to the same
/// pixels as before. The scan is then Huffman-coded with tables made for it (the label's sharp
/// edges need codes an optimised original table may lack), with the original restart interval.
///
/// Progressive files and sequential files with one scan per component are decoded scan by scan
/// (JPEG G.1.2: DC and AC first scans, then their refinements) into the same coefficients and
/// written out as one baseline scan, as `jpegtran` converts them: the same picture, losslessly.
/// Arithmetic-coded, lossless, hierarchical, 12-bit and CMYK files are refused with a clear error.
struct JPEGMark {
    /// One scan of a multi-scan file: its components, spectral band and bit positions, and the
    /// tables and restart interval in force when it began.
    struct Scan {
        var components: [Int]
        var dcTables: [Int]
        var acTables: [Int]
        var spectralStart: Int
        var spectralEnd: Int
        var bitHigh: Int
        var bitLow: Int
        var restartInterval: Int
        var huffman: [HuffmanTable]
        /// The entropy-coded data in ``JPEGMark/entropy``.
        var data: Range<Int>
    }

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
    /// A progressive frame (SOF2).
    private var isProgressive = false
    /// The frame header's place in ``segments``.
    private var frameIndex = 0
    /// The restart interval of the header segments that are copied to the output.
    private var headerRestartInterval = 0
    /// The scans of a progressive or multi-scan file (empty for one interleaved baseline scan).
    private var scans: [Scan] = []
    /// Everything after the first scan header of a multi-scan file.
    private var entropy: [UInt8] = []

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
            case 0xC0, 0xC1, 0xC2:
                self.isProgressive = marker == 0xC2
                self.frameIndex = self.segments.count - 1
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
            case 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                throw MediaError(
                    "lossless, hierarchical and arithmetic-coded JPEG images cannot carry a visible label yet"
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
                self.scanHeaderIndex = self.segments.count - 1
                self.headerRestartInterval = self.restartInterval
                if !self.isProgressive, payload.first.map(Int.init) == self.components.count {
                    try self.readScanHeader(payload)
                    self.scanData = end..<input.count
                } else {
                    try self.readScans(first: payload, data: try input.read(end..<input.count))
                }
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
        self.layOutBlocks()
    }

    /// Each component's block grid: the MCU grid's for several components, the picture's own for one.
    private mutating func layOutBlocks() {
        self.maxH = self.components.map(\.h).max() ?? 1
        self.maxV = self.components.map(\.v).max() ?? 1
        let mcuColumns = (self.width + 8 * self.maxH - 1) / (8 * self.maxH)
        let mcuRows = (self.height + 8 * self.maxV - 1) / (8 * self.maxV)
        for index in self.components.indices {
            if self.components.count == 1 {
                self.components[index].blocksPerLine = (self.width + 7) / 8
                self.components[index].blocksPerColumn = (self.height + 7) / 8
            } else {
                self.components[index].blocksPerLine = mcuColumns * self.components[index].h
                self.components[index].blocksPerColumn = mcuRows * self.components[index].v
            }
        }
    }

    // MARK: Multi-scan files

    /// Reads the scans of a progressive or multi-scan file from `data`, which follows the first
    /// scan header: each scan's entropy-coded data, and the tables and restart interval defined
    /// between scans.
    private mutating func readScans(first header: [UInt8], data: [UInt8]) throws(MediaError) {
        self.layOutBlocks()
        self.entropy = data
        var header = header
        var start = 0
        while true {
            let end = Self.endOfEntropyData(data, from: start)
            try self.scans.append(self.scan(header, data: start..<end))
            // The segments up to the next scan or the end of the image.
            var offset = end
            var nextHeader: [UInt8]?
            while nextHeader == nil, offset + 1 < data.count {
                guard data[offset] == 0xFF else { throw MediaError("the JPEG image data is damaged") }
                let marker = data[offset + 1]
                if marker == 0xFF {
                    offset += 1
                    continue
                }
                if marker == 0xD9 { break }
                if (0xD0...0xD7).contains(marker) {
                    offset += 2  // a stray restart marker between scans
                    continue
                }
                guard offset + 4 <= data.count else { throw .truncated("JPEG") }
                let length = Int(data[offset + 2]) << 8 | Int(data[offset + 3])
                guard length >= 2, offset + 2 + length <= data.count else { throw .truncated("JPEG") }
                let payload = Array(data[(offset + 4)..<(offset + 2 + length)])
                switch marker {
                case 0xC4:
                    try self.readHuffmanTables(payload)
                case 0xDD:
                    guard payload.count >= 2 else { throw .truncated("JPEG") }
                    self.restartInterval = payload.uint16BE(at: 0)
                case 0xDB:
                    // The output keeps the header's tables; new ones would change blocks decoded so far.
                    throw MediaError("the JPEG file redefines its quantisation tables between scans")
                case 0xDA:
                    nextHeader = payload
                case 0xC0...0xCF:
                    throw MediaError("the JPEG file has a second frame")
                default:
                    break  // APPn, COM, DNL
                }
                offset += 2 + length
                start = offset
            }
            guard let next = nextHeader else { break }
            header = next
        }
        guard self.scans.contains(where: { $0.spectralStart == 0 }) else {
            throw MediaError("the JPEG file has no scan with the DC coefficients")
        }
    }

    /// Where the entropy-coded data that starts at `start` ends: at the first marker other than a
    /// restart marker.
    private static func endOfEntropyData(_ data: [UInt8], from start: Int) -> Int {
        var index = start
        while index + 1 < data.count {
            if data[index] == 0xFF {
                let next = data[index + 1]
                if next == 0 || (0xD0...0xD7).contains(next) {
                    index += 2
                    continue
                }
                if next != 0xFF { return index }
            }
            index += 1
        }
        return data.count
    }

    /// A scan header of a multi-scan file, checked against the frame (JPEG G.1.1.1.1).
    private func scan(_ payload: [UInt8], data: Range<Int>) throws(MediaError) -> Scan {
        guard let count = payload.first.map(Int.init), (1...4).contains(count), payload.count >= 1 + 2 * count + 3
        else { throw .truncated("JPEG") }
        var scan = Scan(
            components: [],
            dcTables: [],
            acTables: [],
            spectralStart: Int(payload[1 + 2 * count]),
            spectralEnd: Int(payload[2 + 2 * count]),
            bitHigh: Int(payload[3 + 2 * count] >> 4),
            bitLow: Int(payload[3 + 2 * count] & 15),
            restartInterval: self.restartInterval,
            huffman: [],
            data: data
        )
        for index in 0..<count {
            guard let component = self.components.firstIndex(where: { $0.id == Int(payload[1 + 2 * index]) }),
                !scan.components.contains(component)
            else { throw MediaError("the JPEG scan names an unknown component") }
            let tables = Int(payload[2 + 2 * index])
            guard tables >> 4 < 4, tables & 15 < 4 else { throw MediaError("the JPEG scan names an unknown table") }
            scan.components.append(component)
            scan.dcTables.append(tables >> 4)
            scan.acTables.append(4 + tables & 15)
        }
        if self.isProgressive {
            let isDC = scan.spectralStart == 0
            guard scan.spectralEnd <= 63, scan.spectralStart <= scan.spectralEnd, !isDC || scan.spectralEnd == 0,
                isDC || count == 1, scan.bitLow <= 13, scan.bitHigh == 0 || scan.bitHigh == scan.bitLow + 1
            else { throw MediaError("the JPEG file has a progressive scan with invalid parameters") }
        } else {
            guard scan.spectralStart == 0, scan.spectralEnd == 63, scan.bitHigh == 0, scan.bitLow == 0 else {
                throw MediaError("the JPEG file has a sequential scan with invalid parameters")
            }
        }
        // The tables this scan decodes with (a refinement of DC needs none).
        var huffman = [HuffmanTable](
            repeating: HuffmanTable(counts: [Int](repeating: 0, count: 16), symbols: []),
            count: 8
        )
        for (position, component) in scan.components.enumerated() {
            if scan.spectralStart == 0, scan.bitHigh == 0 {
                guard let table = self.dcTables[scan.dcTables[position]] else {
                    throw MediaError("the JPEG file lacks a table its scan uses")
                }
                huffman[scan.dcTables[position]] = table
            }
            if scan.spectralEnd > 0 {
                guard let table = self.acTables[scan.acTables[position] - 4] else {
                    throw MediaError("the JPEG file lacks a table its scan uses")
                }
                huffman[scan.acTables[position]] = table
            }
            guard self.quantTables[self.components[component].quantTable] != nil else {
                throw MediaError("the JPEG file lacks a table its scan uses")
            }
        }
        scan.huffman = huffman
        return scan
    }

    /// The blocks of each unit of a multi-scan file's scan, in order: MCUs when it holds several
    /// components, else the blocks of its component that the picture covers, row by row.
    private func forEachUnit(
        of components: [Int],
        _ body: (_ unit: Int, _ blocks: [(Int, Int)]) throws(MediaError) -> Void
    ) throws(MediaError) {
        if components.count == 1 {
            let index = components[0]
            let component = self.components[index]
            let columns = ((self.width * component.h + self.maxH - 1) / self.maxH + 7) / 8
            let rows = ((self.height * component.v + self.maxV - 1) / self.maxV + 7) / 8
            var unit = 0
            for row in 0..<rows {
                for column in 0..<columns {
                    try body(unit, [(index, component.firstBlock + row * component.blocksPerLine + column)])
                    unit += 1
                }
            }
            return
        }
        let mcuColumns = (self.width + 8 * self.maxH - 1) / (8 * self.maxH)
        let mcuRows = (self.height + 8 * self.maxV - 1) / (8 * self.maxV)
        var blocks: [(Int, Int)] = []
        for mcuRow in 0..<mcuRows {
            for mcuColumn in 0..<mcuColumns {
                blocks.removeAll(keepingCapacity: true)
                for index in components {
                    let component = self.components[index]
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

    /// Decodes every scan of a multi-scan file into ``coefficients`` (JPEG G.1.2 for progressive
    /// scans, F.2.2 for sequential ones).
    private mutating func decodeScans() throws(MediaError) {
        let total = try self.allocateBlocks(dataBytes: self.entropy.count, bitsPerBlock: 1)
        var coefficients = [Int32](repeating: 0, count: total * 64)
        for scan in self.scans {
            var reader = BitReader(data: Array(self.entropy[scan.data]), tables: scan.huffman)
            var predictors = [Int32](repeating: 0, count: self.components.count)
            var endOfBands = 0
            let interval = scan.restartInterval
            let (start, end, low) = (scan.spectralStart, scan.spectralEnd, scan.bitLow)
            let slots = Dictionary(
                uniqueKeysWithValues: scan.components.enumerated().map {
                    ($0.element, (dc: scan.dcTables[$0.offset], ac: scan.acTables[$0.offset]))
                }
            )
            try self.forEachUnit(of: scan.components) { unit, blocks throws(MediaError) in
                if interval > 0, unit > 0, unit % interval == 0 {
                    try reader.restart()
                    for index in predictors.indices { predictors[index] = 0 }
                    endOfBands = 0
                }
                for (index, block) in blocks {
                    let base = block * 64
                    let slot = slots[index]!
                    if !self.isProgressive {
                        try Self.decodeSequential(
                            &coefficients,
                            base: base,
                            reader: &reader,
                            dc: slot.dc,
                            ac: slot.ac,
                            predictor: &predictors[index]
                        )
                    } else if start == 0 {
                        if scan.bitHigh == 0 {
                            let size = try reader.decode(slot.dc)
                            predictors[index] &+= Int32(try reader.receiveExtend(size))
                            coefficients[base] = predictors[index] &* Int32(1 << low)
                        } else if try reader.bits(1) == 1 {
                            coefficients[base] |= Int32(1 << low)
                        }
                    } else if scan.bitHigh == 0 {
                        try Self.decodeFirstAC(
                            &coefficients,
                            base: base,
                            band: start...end,
                            low: low,
                            reader: &reader,
                            slot: slot.ac,
                            endOfBands: &endOfBands
                        )
                    } else {
                        try Self.refineAC(
                            &coefficients,
                            base: base,
                            band: start...end,
                            low: low,
                            reader: &reader,
                            slot: slot.ac,
                            endOfBands: &endOfBands
                        )
                    }
                }
            }
        }
        self.coefficients = coefficients
        // Written back as one interleaved baseline scan: luma with tables 0, chroma with tables 1.
        for index in self.components.indices {
            self.components[index].dcTable = index == 0 ? 0 : 1
            self.components[index].acTable = index == 0 ? 0 : 1
        }
        self.restartInterval = self.headerRestartInterval
    }

    /// One block of a sequential scan: its DC difference and AC run-lengths (JPEG F.2.2).
    @inline(__always)
    private static func decodeSequential(
        _ coefficients: inout [Int32],
        base: Int,
        reader: inout BitReader,
        dc: Int,
        ac: Int,
        predictor: inout Int32
    ) throws(MediaError) {
        let size = try reader.decode(dc)
        // Wrapping: damaged data may add up past any range, and must not stop the process.
        predictor &+= Int32(try reader.receiveExtend(size))
        coefficients[base] = predictor
        var k = 1
        while k < 64 {
            let symbol = try reader.decode(ac)
            let (run, bits) = (symbol >> 4, symbol & 15)
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

    /// One block of a first AC scan: a band's coefficients at bit `low`, or a run of blocks whose
    /// band is all zero (JPEG G.1.2.2).
    private static func decodeFirstAC(
        _ coefficients: inout [Int32],
        base: Int,
        band: ClosedRange<Int>,
        low: Int,
        reader: inout BitReader,
        slot: Int,
        endOfBands: inout Int
    ) throws(MediaError) {
        if endOfBands > 0 {
            endOfBands -= 1
            return
        }
        var k = band.lowerBound
        while k <= band.upperBound {
            let symbol = try reader.decode(slot)
            let (run, bits) = (symbol >> 4, symbol & 15)
            if bits == 0 {
                if run < 15 {
                    endOfBands = (1 << run) - 1 + (try reader.bits(run))
                    return
                }
                k += 16
                continue
            }
            k += run
            guard k <= band.upperBound else { throw MediaError("the JPEG image data is damaged") }
            coefficients[base + k] = Int32(try reader.receiveExtend(bits)) &* Int32(1 << low)
            k += 1
        }
    }

    /// One block of an AC refinement scan: a correction bit for each coefficient already
    /// non-zero, and new coefficients of ±1 at bit `low` (JPEG G.1.2.3).
    private static func refineAC(
        _ coefficients: inout [Int32],
        base: Int,
        band: ClosedRange<Int>,
        low: Int,
        reader: inout BitReader,
        slot: Int,
        endOfBands: inout Int
    ) throws(MediaError) {
        let plus = Int32(1 << low)
        var k = band.lowerBound
        func correct(_ k: Int) throws(MediaError) {
            let value = coefficients[base + k]
            if try reader.bits(1) == 1, value & plus == 0 {
                coefficients[base + k] = value >= 0 ? value &+ plus : value &- plus
            }
        }
        if endOfBands == 0 {
            while k <= band.upperBound {
                let symbol = try reader.decode(slot)
                var run = symbol >> 4
                var value: Int32 = 0
                if symbol & 15 != 0 {
                    guard symbol & 15 == 1 else { throw MediaError("the JPEG image data is damaged") }
                    value = try reader.bits(1) == 1 ? plus : -plus
                } else if run != 15 {
                    endOfBands = (1 << run) + (try reader.bits(run))
                    break
                }
                // Past coefficients already non-zero (each with its correction bit) and `run` zeros;
                // the new value goes in the zero after them.
                while k <= band.upperBound {
                    if coefficients[base + k] != 0 {
                        try correct(k)
                    } else {
                        if run == 0 { break }
                        run -= 1
                    }
                    k += 1
                }
                if value != 0 {
                    guard k <= band.upperBound else { throw MediaError("the JPEG image data is damaged") }
                    coefficients[base + k] = value
                }
                k += 1
            }
        }
        if endOfBands > 0 {
            while k <= band.upperBound {
                if coefficients[base + k] != 0 { try correct(k) }
                k += 1
            }
            endOfBands -= 1
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

    /// Places each component's blocks in ``coefficients`` and returns the number of blocks.
    ///
    /// Every block takes at least `bitsPerBlock` bits of the data (two in a baseline scan: a DC and
    /// an end-of-block code; one in a progressive DC scan), so a header declaring more blocks than
    /// the data can hold is refused before memory is taken for them (found by fuzzing: 65535 ×
    /// 65535 declared in a few hundred bytes); and the coefficients stay under 1 GiB, as the PNG
    /// mark's pixels do.
    private mutating func allocateBlocks(dataBytes: Int, bitsPerBlock: Int) throws(MediaError) -> Int {
        var total = 0
        for index in self.components.indices {
            self.components[index].firstBlock = total
            total += self.components[index].blocksPerLine * self.components[index].blocksPerColumn
        }
        guard total <= 8 * dataBytes / bitsPerBlock + 64, total <= (1 << 30) / (64 * 4) else {
            throw MediaError(
                "the JPEG image declares more blocks than its data holds, or is too large for a visible label"
            )
        }
        return total
    }

    private mutating func decodeScan() throws(MediaError) {
        let total = try self.allocateBlocks(dataBytes: self.scanData.count, bitsPerBlock: 2)
        for component in self.components {
            guard self.dcTables[component.dcTable] != nil, self.acTables[component.acTable] != nil,
                self.quantTables[component.quantTable] != nil
            else { throw MediaError("the JPEG file lacks a table its scan uses") }
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
                try Self.decodeSequential(
                    &coefficients,
                    base: block * 64,
                    reader: &reader,
                    dc: dcSlots[index],
                    ac: acSlots[index],
                    predictor: &predictors[index]
                )
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
                let diff = coefficients[base] &- predictors[index]
                predictors[index] = coefficients[base]
                let (size, bits) = Self.category(diff)
                // 8-bit samples give DC differences of at most 11 bits and AC values of at most 10
                // (JPEG F.1.2); more comes only from damaged data, and would not fit a symbol.
                guard size <= 11 else { throw MediaError("the JPEG image data is damaged") }
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
                    guard size <= 10 else { throw MediaError("the JPEG image data is damaged") }
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
        if self.scans.isEmpty {
            try image.decodeScan()
        } else {
            try image.decodeScans()
        }
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
                if !self.scans.isEmpty {
                    // One interleaved baseline scan of every component.
                    var header: [UInt8] = [0xFF, 0xDA]
                    header.appendUInt16BE(6 + 2 * image.components.count)
                    header.append(UInt8(image.components.count))
                    for component in image.components {
                        header += [UInt8(component.id), UInt8(component.dcTable << 4 | component.acTable)]
                    }
                    try output.write(header + [0, 63, 0])
                    continue
                }
            }
            if segment.marker == 0xC4 { continue }
            if index == self.frameIndex, self.isProgressive {
                try output.write([0xFF, 0xC0])  // the same frame, now baseline
                try output.copy((segment.range.lowerBound + 2)..<segment.range.upperBound, of: self.input)
                continue
            }
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
