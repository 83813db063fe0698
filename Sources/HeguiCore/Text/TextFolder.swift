/// Folds single characters the way ``FoldingOptions`` asks; patterns and text share it.
package struct TextFolder: Sendable {
    /// What one character of text becomes.
    package enum Folded: Equatable, Sendable {
        /// Removed without trace (zero-width characters, combining marks).
        case ignorable
        /// Skippable between the characters of a term, within the gap.
        case noise
        /// One or more characters to match on.
        case scalars([UInt32])
    }

    package let options: FoldingOptions
    private let composed: [UInt32: [UInt32]]
    private let ignorable: [ClosedRange<UInt32>]
    private let noise: [ClosedRange<UInt32>]
    private let boundaries: Set<UInt32>

    package init(options: FoldingOptions) {
        self.options = options
        let tables = UnicodeTables.decoded
        var enabled: [UnicodeTables.ScalarMap] = []
        if options.width { enabled.append(tables.width) }
        if options.styles { enabled.append(tables.styles) }
        if options.confusables { enabled.append(tables.confusables) }
        if options.caseFolding { enabled.append(tables.caseFolding) }
        if options.traditional { enabled.append(tables.traditional) }
        if options.homoglyphs { enabled.append(tables.homoglyphs) }

        func apply(_ scalar: UInt32, depth: Int) -> [UInt32] {
            guard depth < 6 else { return [scalar] }
            for table in enabled {
                if let mapped = table[scalar] {
                    return mapped.flatMap { apply($0, depth: depth + 1) }
                }
            }
            return [scalar]
        }
        var composed: [UInt32: [UInt32]] = [:]
        for table in enabled {
            for key in table.keys where composed[key] == nil {
                let folded = apply(key, depth: 0)
                if folded != [key] {
                    composed[key] = folded
                }
            }
        }
        self.composed = composed
        self.ignorable = options.invisible ? tables.ignorable : []
        self.noise = options.noise ? tables.noise : []
        self.boundaries = Set(options.boundaries.map(\.value))
    }

    /// The scalars whose folding is not the identity (for building lookup tables).
    package var foldedScalars: Dictionary<UInt32, [UInt32]>.Keys { self.composed.keys }

    /// The ranges of scalars that are ignorable or noise under these options.
    package var classifiedRanges: [ClosedRange<UInt32>] { self.ignorable + self.noise }

    /// Folds one character.
    package func fold(_ scalar: UInt32) -> Folded {
        if Self.contains(self.ignorable, scalar) {
            return .ignorable
        }
        let isBoundary = self.boundaries.contains(scalar)
        if let mapped = self.composed[scalar] {
            var kept: [UInt32] = []
            kept.reserveCapacity(mapped.count)
            var sawNoise = false
            for part in mapped {
                if Self.contains(self.ignorable, part) {
                    continue
                }
                if !isBoundary, Self.contains(self.noise, part), !self.boundaries.contains(part) {
                    sawNoise = true
                    continue
                }
                kept.append(part)
            }
            if kept.isEmpty {
                return sawNoise ? .noise : .ignorable
            }
            return .scalars(kept)
        }
        if !isBoundary, Self.contains(self.noise, scalar) {
            return .noise
        }
        return .scalars([scalar])
    }

    /// Folds a whole string into the sequence of scalars the matcher sees, skipping ignorable
    /// and noise characters (for patterns, which carry no gaps).
    ///
    /// A space between two words of a Latin term ("kill yourself") is kept as U+0020: the scanner
    /// lets a term continue across a space after a word only where the term has one, so that
    /// "pen is" does not read as one word.
    package func foldPattern(_ text: String) -> [UInt32] {
        var result: [UInt32] = []
        var spaceAfterWord = false
        for scalar in text.unicodeScalars {
            switch self.fold(scalar.value) {
            case .scalars(let folded):
                if spaceAfterWord, let first = folded.first, Self.isWordCharacter(first) {
                    result.append(0x20)
                }
                spaceAfterWord = false
                result.append(contentsOf: folded)
            case .noise:
                if scalar.properties.isWhitespace, let last = result.last, Self.isWordCharacter(last) {
                    spaceAfterWord = true
                } else {
                    spaceAfterWord = false
                }
            case .ignorable:
                continue
            }
        }
        return result
    }

    /// Whether a folded character counts as part of a word for boundary checks: letters and
    /// digits of alphabetic scripts. Chinese, Japanese and similar scripts have no word
    /// boundaries and do not count.
    package static func isWordCharacter(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x61 && value <= 0x7A)
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .decimalNumber, .letterNumber:
            return true
        default:
            return false
        }
    }

    private static func contains(_ ranges: [ClosedRange<UInt32>], _ scalar: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < scalar {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < ranges.count && ranges[low].contains(scalar)
    }
}
