/// Character data generated from the Unicode Character Database by
/// `Scripts/generate-unicode-tables.py`, decoded on first use.
///
/// The generated file holds each table as a compact string literal (fast to compile, small in
/// the binary); this type turns them into dictionaries and range lists once per process.
package enum UnicodeTables {
    /// A mapping from a scalar to the scalars it folds to.
    package typealias ScalarMap = [UInt32: [UInt32]]

    /// Decoded tables, built once.
    package static let decoded = Decoded()

    /// The decoded form of every table.
    package struct Decoded: Sendable {
        package let width: ScalarMap
        package let styles: ScalarMap
        package let caseFolding: ScalarMap
        package let traditional: ScalarMap
        package let confusables: ScalarMap
        package let homoglyphs: ScalarMap
        /// A character to its two components.
        package let splits: ScalarMap
        package let ignorable: [ClosedRange<UInt32>]
        package let noise: [ClosedRange<UInt32>]

        init() {
            self.width = UnicodeTables.decodeMap(UnicodeTables.width)
            self.styles = UnicodeTables.decodeMap(UnicodeTables.styles)
            self.caseFolding = UnicodeTables.decodeMap(UnicodeTables.caseFolding)
            self.traditional = UnicodeTables.decodeMap(UnicodeTables.traditional)
            self.confusables = UnicodeTables.decodeMap(UnicodeTables.confusables)
            self.homoglyphs = UnicodeTables.decodeMap(UnicodeTables.homoglyphs)
            self.splits = UnicodeTables.decodeMap(UnicodeTables.splits)
            self.ignorable = UnicodeTables.decodeRanges(UnicodeTables.ignorable)
            self.noise = UnicodeTables.decodeRanges(UnicodeTables.noise)
        }
    }

    /// Pinyin readings, decoded on first use (only lexicons with pinyin terms need them).
    package static let pinyinReadings = PinyinReadings()

    /// Toneless Mandarin readings (`ü` written `v`) from Unihan's kMandarin.
    package struct PinyinReadings: Sendable {
        private let syllables: [String]
        private let readings: [UInt32: [UInt32]]

        init() {
            // The literal is wrapped at a fixed width, inside syllables too.
            self.syllables = UnicodeTables.pinyinSyllables.filter { $0 != "\n" }.split(separator: " ")
                .map(String.init)
            self.readings = UnicodeTables.decodeMap(UnicodeTables.pinyin)
        }

        /// The readings of a character, most frequent first; empty when it has none.
        package func readings(of scalar: Unicode.Scalar) -> [String] {
            guard let indices = self.readings[scalar.value] else { return [] }
            return indices.compactMap { index in
                Int(index) < self.syllables.count ? self.syllables[Int(index)] : nil
            }
        }
    }

    /// Decodes `KEY:VALUE VALUE;…` (hexadecimal), ignoring the line breaks of the literal.
    static func decodeMap(_ text: String) -> ScalarMap {
        var map = ScalarMap()
        var key: UInt32 = 0
        var current: UInt32 = 0
        var values: [UInt32] = []
        var inValues = false
        var hasDigits = false
        func finishValue() {
            if hasDigits { values.append(current) }
            current = 0
            hasDigits = false
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: ":"):
                key = current
                current = 0
                hasDigits = false
                inValues = true
            case UInt8(ascii: " "):
                if inValues { finishValue() }
            case UInt8(ascii: ";"):
                finishValue()
                map[key] = values
                values = []
                inValues = false
            case UInt8(ascii: "\n"):
                continue
            default:
                current = current << 4 | UInt32(hexDigit(byte))
                hasDigits = true
            }
        }
        if inValues {
            finishValue()
            map[key] = values
        }
        return map
    }

    /// Decodes `LOW-HIGH;SINGLE;…` (hexadecimal).
    static func decodeRanges(_ text: String) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        var low: UInt32? = nil
        var current: UInt32 = 0
        var hasDigits = false
        func finish() {
            guard hasDigits else { return }
            let start = low ?? current
            ranges.append(start...max(start, current))
            low = nil
            current = 0
            hasDigits = false
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"):
                low = current
                current = 0
            case UInt8(ascii: ";"):
                finish()
            case UInt8(ascii: "\n"):
                continue
            default:
                current = current << 4 | UInt32(hexDigit(byte))
                hasDigits = true
            }
        }
        finish()
        return ranges
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: 0
        }
    }
}
