/// Where a hit lies in the ORIGINAL text, as UTF-8 byte offsets and as character offsets
/// (Unicode scalars, as Python's `str` counts them).
package struct TextSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Byte offsets into the text's UTF-8.
    package var bytes: Range<Int>
    /// Unicode scalar offsets.
    package var characters: Range<Int>

    package init(bytes: Range<Int>, characters: Range<Int>) {
        self.bytes = bytes
        self.characters = characters
    }

    /// Whether this span lies wholly inside `other`.
    package func isCovered(by other: TextSpan) -> Bool {
        other.bytes.lowerBound <= self.bytes.lowerBound && self.bytes.upperBound <= other.bytes.upperBound
    }

    package var description: String {
        "\(self.characters.lowerBound)..<\(self.characters.upperBound)"
    }

    package static func < (lhs: TextSpan, rhs: TextSpan) -> Bool {
        if lhs.bytes.lowerBound != rhs.bytes.lowerBound {
            return lhs.bytes.lowerBound < rhs.bytes.lowerBound
        }
        return lhs.bytes.upperBound > rhs.bytes.upperBound
    }
}

extension String {
    /// The text a span covers; empty when the span does not fit this string.
    package func text(in span: TextSpan) -> Substring {
        let utf8 = self.utf8
        guard span.bytes.lowerBound >= 0, span.bytes.upperBound <= utf8.count,
            let start = utf8.index(utf8.startIndex, offsetBy: span.bytes.lowerBound, limitedBy: utf8.endIndex),
            let end = utf8.index(utf8.startIndex, offsetBy: span.bytes.upperBound, limitedBy: utf8.endIndex)
        else {
            return ""
        }
        return self[start..<end]
    }
}
