/// A token count for budgets when the model reports none (streams without `include_usage`): one
/// token per CJK character, one per four bytes of other text. Close enough for a daily budget;
/// the model's own `usage` is used whenever it is present.
package enum TokenEstimate {
    package static func count(_ text: String) -> Int {
        var ideographs = 0
        var other = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x3000...0x9FFF, 0xF900...0xFAFF, 0xFF00...0xFFEF, 0x20000...0x3FFFF: ideographs += 1
            default: other += scalar.utf8.count
            }
        }
        return ideographs + (other + 3) / 4
    }
}
