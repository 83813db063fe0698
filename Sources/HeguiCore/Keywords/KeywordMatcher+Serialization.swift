import Crypto

/// A compiled lexicon file that cannot be used: not one, from another version, damaged, or
/// inconsistent.
package struct CompiledLexiconError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { self.message }
}

extension KeywordMatcher {
    /// The first bytes of a compiled lexicon.
    package static let serializedMagic: [UInt8] = Array("HGKW".utf8)
    /// The format version this build reads and writes.
    package static let serializedVersion: UInt32 = 2

    /// The matcher as bytes, for a fast start: magic, version, the SHA-256 of the payload, then
    /// the payload (foldings, entries, the table) in little-endian order.
    package func serialized() -> [UInt8] {
        var payload = ByteWriter()
        let folding = self.folding
        let switches = [
            folding.width, folding.caseFolding, folding.traditional, folding.styles, folding.invisible,
            folding.confusables, folding.noise, folding.repeats, folding.pinyin, self.latinWordBoundaries,
            folding.homoglyphs, folding.splitCharacters,
        ]
        payload.write(UInt32(switches.enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }))
        payload.write(UInt32(folding.maximumNoiseGap))
        let boundaries = folding.boundaries.map(\.value).sorted()
        payload.write(UInt32(boundaries.count))
        for boundary in boundaries { payload.write(boundary) }

        payload.write(UInt32(self.entries.count))
        for entry in self.entries {
            payload.write(entry.term)
            payload.write(entry.risk?.rawValue ?? "")
            payload.write(UInt8(ModerationAction.allCases.firstIndex(of: entry.action) ?? 0))
            payload.write(UInt8(entry.isAllowed ? 1 : 0))
            payload.write(entry.options.rawValue)
            payload.write(entry.source.file)
            payload.write(UInt32(clamping: entry.source.line))
        }
        payload.write(UInt32(self.unmatchableEntries.count))
        for entry in self.unmatchableEntries { payload.write(UInt32(entry)) }
        payload.write(UInt64(self.patternCount))
        payload.write(UInt64(self.stateCount))

        let table = self.table
        for value in [
            table.pagesBase, table.expansionsBase, table.cellsBase, table.cellCount, table.infoBase,
            table.reportsBase, table.rootBase, table.outputsBase, table.patternsBase, table.patternCount,
            table.exactBase, Int(table.spaceCode), table.maximumPatternLength,
        ] {
            payload.write(UInt64(value))
        }
        payload.write(UInt64(table.words.count))
        for word in table.words { payload.write(word) }

        var bytes = Self.serializedMagic
        var header = ByteWriter()
        header.write(Self.serializedVersion)
        bytes += header.bytes
        bytes += Array(SHA256.hash(data: payload.bytes))
        bytes += payload.bytes
        return bytes
    }

    /// Reads a matcher back from ``serialized()``, checking its integrity and its structure so
    /// that a damaged or foreign file is refused rather than scanned.
    /// - Throws: ``CompiledLexiconError``.
    package convenience init(serialized bytes: [UInt8]) throws(CompiledLexiconError) {
        guard bytes.count >= 40, Array(bytes[0..<4]) == Self.serializedMagic else {
            throw CompiledLexiconError("不是编译后的词库 / not a compiled lexicon")
        }
        var header = ByteReader(bytes[4..<8])
        let version = try header.read(UInt32.self)
        guard version == Self.serializedVersion else {
            throw CompiledLexiconError(
                "编译词库版本 \(version) 不受支持（需要 \(Self.serializedVersion)），请重新编译 / compiled lexicon version \(version) is not supported (expected \(Self.serializedVersion)); compile it again"
            )
        }
        let payload = bytes[40...]
        guard Array(SHA256.hash(data: Array(payload))) == Array(bytes[8..<40]) else {
            throw CompiledLexiconError("编译词库已损坏（校验和不符）/ compiled lexicon is damaged (checksum mismatch)")
        }
        var reader = ByteReader(payload)
        let switches = try reader.read(UInt32.self)
        let flag = { (bit: Int) in switches & (1 << bit) != 0 }
        let gap = try reader.read(UInt32.self)
        let boundaryCount = try reader.count(limit: 1 << 16)
        var boundaries: Set<Unicode.Scalar> = []
        for _ in 0..<boundaryCount {
            guard let scalar = Unicode.Scalar(try reader.read(UInt32.self)) else {
                throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (boundary)")
            }
            boundaries.insert(scalar)
        }
        let folding = FoldingOptions(
            width: flag(0),
            caseFolding: flag(1),
            traditional: flag(2),
            styles: flag(3),
            invisible: flag(4),
            confusables: flag(5),
            homoglyphs: flag(10),
            splitCharacters: flag(11),
            noise: flag(6),
            maximumNoiseGap: Int(min(gap, 16)),
            boundaries: boundaries,
            repeats: flag(7),
            pinyin: flag(8)
        )
        let entryCount = try reader.count(limit: 1 << 26)
        var entries: [LexiconEntry] = []
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            let term = try reader.readString()
            let riskText = try reader.readString()
            let actionIndex = Int(try reader.read(UInt8.self))
            let isAllowed = try reader.read(UInt8.self) != 0
            let options = TermOptions(rawValue: try reader.read(UInt8.self))
            let file = try reader.readString()
            let line = Int(try reader.read(UInt32.self))
            let risk = riskText.isEmpty ? nil : RiskCode(riskText)
            guard actionIndex < ModerationAction.allCases.count, riskText.isEmpty || risk != nil,
                isAllowed || risk != nil
            else {
                throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (entry)")
            }
            entries.append(
                LexiconEntry(
                    term: term,
                    risk: risk,
                    action: ModerationAction.allCases[actionIndex],
                    isAllowed: isAllowed,
                    options: options,
                    source: SourceLocation(file: file, line: line)
                )
            )
        }
        let unmatchableCount = try reader.count(limit: entryCount)
        var unmatchable: [Int] = []
        for _ in 0..<unmatchableCount { unmatchable.append(Int(try reader.read(UInt32.self))) }
        let patternCount = Int(try reader.read(UInt64.self))
        let stateCount = Int(try reader.read(UInt64.self))
        var fields: [Int] = []
        for _ in 0..<13 { fields.append(Int(clamping: try reader.read(UInt64.self))) }
        let wordCount = try reader.count64(limit: 1 << 30)
        var words: [UInt32] = []
        words.reserveCapacity(wordCount)
        for _ in 0..<wordCount { words.append(try reader.read(UInt32.self)) }
        guard reader.isAtEnd else {
            throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (trailing bytes)")
        }
        let table = KeywordTable(
            words: words,
            pagesBase: fields[0],
            expansionsBase: fields[1],
            cellsBase: fields[2],
            cellCount: fields[3],
            infoBase: fields[4],
            reportsBase: fields[5],
            rootBase: fields[6],
            outputsBase: fields[7],
            patternsBase: fields[8],
            patternCount: fields[9],
            exactBase: fields[10],
            spaceCode: UInt32(clamping: fields[11]),
            maximumPatternLength: fields[12]
        )
        guard table.isConsistent(entryCount: entries.count), unmatchable.allSatisfy({ $0 < entries.count }) else {
            throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (table)")
        }
        self.init(
            entries: entries,
            folding: folding,
            latinWordBoundaries: flag(9),
            unmatchableEntries: unmatchable,
            patternCount: patternCount,
            stateCount: stateCount,
            table: table
        )
    }
}

extension KeywordTable {
    /// Whether every index the scanner follows stays inside the table, so that a table read
    /// from a file cannot make a scan read out of bounds.
    func isConsistent(entryCount: Int) -> Bool {
        let words = self.words
        let count = words.count
        let sections = [
            Self.pageIndexCount, self.pagesBase, self.expansionsBase, self.cellsBase, self.infoBase, self.reportsBase,
            self.rootBase, self.outputsBase, self.patternsBase, self.exactBase, count,
        ]
        // Sections in order, starting after the page index.
        guard self.pagesBase == Self.pageIndexCount,
            zip(sections.dropFirst(), sections.dropFirst(2)).allSatisfy({ $0 <= $1 })
        else { return false }
        let pageCount = (self.expansionsBase - self.pagesBase) / 256
        guard (self.expansionsBase - self.pagesBase) % 256 == 0, pageCount > 0,
            self.infoBase - self.cellsBase == self.cellCount * 2,
            self.reportsBase - self.infoBase == self.cellCount * 2,
            self.rootBase - self.reportsBase == self.cellCount * 3,
            self.cellCount > 0, self.cellCount < Int(Self.flag),
            (self.exactBase - self.patternsBase) == self.patternCount * 4,
            self.maximumPatternLength >= 1, self.maximumPatternLength <= 1 << 16
        else { return false }
        let alphabetSize = self.outputsBase - self.rootBase - 1
        let outputCount = self.patternsBase - self.outputsBase
        let exactCount = count - self.exactBase
        guard alphabetSize >= 0, Int(self.spaceCode) <= alphabetSize else { return false }
        for page in words[0..<Self.pageIndexCount] where Int(page) >= pageCount { return false }
        let expansionCount = self.cellsBase - self.expansionsBase
        func codeIsValid(_ code: UInt32) -> Bool { Int(code) <= alphabetSize }
        for entry in words[self.pagesBase..<self.expansionsBase] {
            let value = entry & Self.codeMask
            switch entry >> Self.kindShift {
            case Self.kindSingle:
                guard codeIsValid(value) else { return false }
            case Self.kindExpansion:
                let start = Int(value)
                guard start < expansionCount else { return false }
                let length = Int(words[self.expansionsBase + start])
                guard start + 1 + length <= expansionCount else { return false }
                for code in words[(self.expansionsBase + start + 1)..<(self.expansionsBase + start + 1 + length)]
                where !codeIsValid(code & Self.codeMask) {
                    return false
                }
            default:
                continue
            }
        }
        // Failure and report links must lead towards the root (strictly shallower), so that
        // following them always ends.
        func depth(_ cell: Int) -> UInt32 { words[self.infoBase + cell * 2 + 1] }
        for cell in 0..<self.cellCount {
            let base = Int(words[self.cellsBase + cell * 2] & Self.valueMask)
            let fail = Int(words[self.infoBase + cell * 2])
            guard base + alphabetSize < self.cellCount, fail < self.cellCount else { return false }
            let report = Int(words[self.reportsBase + cell * 3])
            let first = Int(words[self.reportsBase + cell * 3 + 1])
            let outputs = Int(words[self.reportsBase + cell * 3 + 2])
            guard report < self.cellCount, first + outputs <= outputCount else { return false }
            if depth(cell) == 0 {
                guard fail == 0, report == 0 else { return false }
            } else {
                guard depth(fail) < depth(cell), depth(report) <= depth(cell), report == 0 || depth(report) > 0
                else { return false }
            }
        }
        for target in words[self.rootBase..<self.outputsBase] where Int(target & Self.valueMask) >= self.cellCount {
            return false
        }
        for pattern in words[self.outputsBase..<self.patternsBase] where Int(pattern) >= self.patternCount {
            return false
        }
        for pattern in 0..<self.patternCount {
            let info = self.patternsBase + pattern * 4
            let flags = words[info + 2]
            guard Int(words[info]) < entryCount, Int(words[info + 1]) <= self.maximumPatternLength,
                Int(words[info + 3]) + Int(flags >> 16) <= exactCount
            else { return false }
        }
        return true
    }
}

/// Appends little-endian values.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func write<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    mutating func write(_ string: String) {
        self.write(UInt32(string.utf8.count))
        self.bytes.append(contentsOf: string.utf8)
    }
}

/// Reads little-endian values, refusing to read past the end.
private struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var isAtEnd: Bool { self.position == self.bytes.endIndex }

    mutating func read<Value: FixedWidthInteger>(_ type: Value.Type) throws(CompiledLexiconError) -> Value {
        let size = MemoryLayout<Value>.size
        guard self.bytes.endIndex - self.position >= size else {
            throw CompiledLexiconError("编译词库不完整 / compiled lexicon is truncated")
        }
        var value: Value = 0
        for offset in 0..<size {
            value |= Value(self.bytes[self.position + offset]) << (8 * offset)
        }
        self.position += size
        return value
    }

    mutating func count(limit: Int) throws(CompiledLexiconError) -> Int {
        let value = Int(try self.read(UInt32.self))
        guard value <= limit else { throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (count)") }
        return value
    }

    mutating func count64(limit: Int) throws(CompiledLexiconError) -> Int {
        let value = try self.read(UInt64.self)
        guard value <= UInt64(limit) else {
            throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (count)")
        }
        return Int(value)
    }

    mutating func readString() throws(CompiledLexiconError) -> String {
        let length = Int(try self.read(UInt32.self))
        guard self.bytes.endIndex - self.position >= length else {
            throw CompiledLexiconError("编译词库不完整 / compiled lexicon is truncated")
        }
        let slice = self.bytes[self.position..<(self.position + length)]
        self.position += length
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw CompiledLexiconError("编译词库不一致 / compiled lexicon is inconsistent (text)")
        }
        return string
    }
}
