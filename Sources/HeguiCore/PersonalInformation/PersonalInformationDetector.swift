/// The kinds of personal information the detectors find (A.4 e/f, IM-11).
package enum PersonalInformationKind: String, Sendable, CaseIterable, Hashable, Comparable {
    /// Mainland resident identity card number (GB 11643, with its check digit).
    case residentID = "resident_id"
    /// Mainland mobile number (1[3-9] and nine digits, optionally +86).
    case mobile
    /// Bank card number (16 to 19 digits passing the Luhn check).
    case bankCard = "bank_card"
    /// E-mail address.
    case email
    /// Landline with its area code (010-12345678, (0755)1234567).
    case landline
    /// Passport of the People's Republic of China (E or G and eight characters).
    case passport
    /// Travel permits: to Hong Kong and Macao (C…), for Hong Kong and Macao residents (H…, M…).
    case permit

    /// The term id a hit carries, such as `pii.resident_id`.
    package var termID: String { "pii." + self.rawValue }

    /// The kind's name in Chinese.
    package var chineseName: String {
        switch self {
        case .residentID: "居民身份证号码"
        case .mobile: "手机号码"
        case .bankCard: "银行卡号"
        case .email: "电子邮箱"
        case .landline: "固定电话"
        case .passport: "护照号码"
        case .permit: "通行证号码"
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One piece of personal information found in text.
package struct PersonalInformationMatch: Sendable, Hashable {
    package var kind: PersonalInformationKind
    package var span: TextSpan

    package init(kind: PersonalInformationKind, span: TextSpan) {
        self.kind = kind
        self.span = span
    }
}

/// Finds personal information in text with checksums and boundaries that keep ordinary numbers
/// (order ids, dates, amounts) out: a number is only considered whole, never as part of a longer
/// run of digits or letters.
package enum PersonalInformationDetector {
    /// Whether the text has a digit or an `@`, ASCII or full-width: every kind needs one, and
    /// most streamed pieces of an answer have neither (a quick pass spares the full one).
    package static func mayContainPersonalInformation(_ text: String) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || byte == 0x40 { return true }
            // ０…９ are EF BC 90…99, ＠ is EF BC A0.
            if previous == (0xEF, 0xBC), (byte >= 0x90 && byte <= 0x99) || byte == 0xA0 { return true }
            previous = (previous.1, byte)
        }
        return false
    }

    /// Every match of the given kinds, in order of position.
    package static func matches(
        in text: String,
        kinds: Set<PersonalInformationKind> = Set(PersonalInformationKind.allCases)
    ) -> [PersonalInformationMatch] {
        guard !kinds.isEmpty, Self.mayContainPersonalInformation(text) else { return [] }
        let scalars = Array(text.unicodeScalars)
        // Byte and character offsets of each scalar, and one past the end.
        var byteOffsets = [Int](repeating: 0, count: scalars.count + 1)
        var offset = 0
        for (index, scalar) in scalars.enumerated() {
            byteOffsets[index] = offset
            offset += UTF8.width(scalar)
        }
        byteOffsets[scalars.count] = offset
        // ASCII view with full-width digits and letters folded.
        let folded: [UInt8] = scalars.map { scalar in
            let value = scalar.value
            if value < 0x80 { return UInt8(value) }
            if value >= 0xFF01, value <= 0xFF5E { return UInt8(value - 0xFF01 + 0x21) }
            return 0
        }
        func span(_ range: Range<Int>) -> TextSpan {
            TextSpan(bytes: byteOffsets[range.lowerBound]..<byteOffsets[range.upperBound], characters: range)
        }

        var found: [PersonalInformationMatch] = []
        var covered = [Bool](repeating: false, count: scalars.count)
        func add(_ kind: PersonalInformationKind, _ range: Range<Int>) {
            guard kinds.contains(kind), !range.contains(where: { covered[$0] }) else { return }
            for index in range { covered[index] = true }
            found.append(PersonalInformationMatch(kind: kind, span: span(range)))
        }

        if kinds.contains(.email) {
            for range in Self.emails(folded) { add(.email, range) }
        }
        var index = 0
        while index < folded.count {
            let byte = folded[index]
            let startsToken = index == 0 || !Self.isAlphanumeric(folded[index - 1])
            guard startsToken, Self.isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "(")
            else {
                index += 1
                continue
            }
            if let range = Self.residentID(folded, at: index) {
                add(.residentID, range)
            } else if let range = Self.mobile(folded, at: index) {
                add(.mobile, range)
            } else if let range = Self.bankCard(folded, at: index) {
                add(.bankCard, range)
            } else if let range = Self.landline(folded, at: index) {
                add(.landline, range)
            } else if let range = Self.passportOrPermit(folded, at: index) {
                add(range.kind, range.range)
            }
            index += 1
        }
        return found.sorted { $0.span < $1.span }
    }

    // MARK: Rules

    /// 18 characters: six-digit region (province 11–82), a valid birth date, a sequence, and the
    /// ISO 7064 MOD 11-2 check digit of GB 11643.
    static func residentID(_ text: [UInt8], at start: Int) -> Range<Int>? {
        let end = start + 18
        guard end <= text.count, Self.isBoundary(text, end) else { return nil }
        var digits: [Int] = []
        for index in start..<(end - 1) {
            guard let digit = Self.digit(text[index]) else { return nil }
            digits.append(digit)
        }
        let last = text[end - 1]
        let check: Int
        if let digit = Self.digit(last) {
            check = digit
        } else if last == UInt8(ascii: "X") || last == UInt8(ascii: "x") {
            check = 10
        } else {
            return nil
        }
        let province = digits[0] * 10 + digits[1]
        guard (11...82).contains(province) else { return nil }
        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard (1900...2099).contains(year), Self.isValidDate(year: year, month: month, day: day) else { return nil }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = (12 - sum % 11) % 11
        return expected == check ? start..<end : nil
    }

    /// `1[3-9]` and nine digits, optionally after `+86`/`86` and split as 3-4-4 by spaces or
    /// hyphens.
    static func mobile(_ text: [UInt8], at start: Int) -> Range<Int>? {
        var index = start
        if text[index] == UInt8(ascii: "+") {
            guard Self.matches(text, index, "+86") else { return nil }
            index += 3
            if index < text.count, text[index] == UInt8(ascii: " ") || text[index] == UInt8(ascii: "-") { index += 1 }
        } else if Self.matches(text, index, "86"), index + 2 < text.count,
            text[index + 2] == UInt8(ascii: " ") || text[index + 2] == UInt8(ascii: "-")
        {
            index += 3
        }
        guard let (end, digits) = Self.groupedDigits(text, at: index, groups: [3, 4, 4]), digits.count == 11 else {
            return nil
        }
        guard digits[0] == 1, (3...9).contains(digits[1]), Self.isBoundary(text, end) else { return nil }
        return start..<end
    }

    /// 16 to 19 digits (in groups of four or unbroken) passing the Luhn check, with a length its
    /// scheme issues: UnionPay (62) 16–19, Visa (4) 16 or 19, Mastercard (5), JCB (35) and
    /// Discover (60, 65) 16. An 18-digit number laid out like a resident ID number (region and
    /// birth date) is not taken for a card.
    static func bankCard(_ text: [UInt8], at start: Int) -> Range<Int>? {
        guard let first = Self.digit(text[start]), (3...6).contains(first) else { return nil }
        var best: Range<Int>?
        for groups in [[4, 4, 4, 4], [4, 4, 4, 4, 3], [4, 4, 4, 4, 2], [4, 4, 4, 4, 1], [19], [18], [17], [16]] {
            guard let (end, digits) = Self.groupedDigits(text, at: start, groups: groups),
                Self.isCardLength(digits), Self.isBoundary(text, end), Self.luhn(digits)
            else { continue }
            if digits.count == 18, Self.looksLikeResidentID(digits) { continue }
            if let best, best.upperBound >= end { continue }
            best = start..<end
        }
        return best
    }

    private static func isCardLength(_ digits: [Int]) -> Bool {
        let prefix = digits[0] * 10 + digits[1]
        switch digits[0] {
        case 6 where prefix == 62: return (16...19).contains(digits.count)
        case 6 where prefix == 60 || prefix == 65: return digits.count == 16
        case 4: return digits.count == 16 || digits.count == 19
        case 5 where (51...55).contains(prefix): return digits.count == 16
        case 3 where prefix == 35: return digits.count == 16
        default: return false
        }
    }

    private static func looksLikeResidentID(_ digits: [Int]) -> Bool {
        let province = digits[0] * 10 + digits[1]
        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        return (11...82).contains(province) && (1900...2099).contains(year)
            && Self.isValidDate(year: year, month: digits[10] * 10 + digits[11], day: digits[12] * 10 + digits[13])
    }

    /// Area code (010, 02x, 0xxx) and a 7- or 8-digit number, with a hyphen, a space or
    /// parentheses between them; unbroken digits are too often something else.
    static func landline(_ text: [UInt8], at start: Int) -> Range<Int>? {
        var index = start
        let parenthesised = text[index] == UInt8(ascii: "(")
        if parenthesised { index += 1 }
        var area: [Int] = []
        while index < text.count, let digit = Self.digit(text[index]), area.count < 4 {
            area.append(digit)
            index += 1
        }
        guard area.count >= 3, area[0] == 0, area[1] != 0 else { return nil }
        if area.count == 3, !(area[1] == 1 || area[1] == 2) { return nil }
        if parenthesised {
            guard index < text.count, text[index] == UInt8(ascii: ")") else { return nil }
            index += 1
        } else {
            guard index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: " ") else {
                return nil
            }
            index += 1
        }
        var number = 0
        while index < text.count, Self.digit(text[index]) != nil {
            number += 1
            index += 1
        }
        guard (7...8).contains(number), Self.digit(text[index - number]) != 0, Self.isBoundary(text, index) else {
            return nil
        }
        return start..<index
    }

    /// Passports (E or G, then eight digits, or E, a letter and seven digits) and permits
    /// (C and eight characters; H or M and eight or ten digits).
    static func passportOrPermit(_ text: [UInt8], at start: Int) -> (kind: PersonalInformationKind, range: Range<Int>)?
    {
        let letter = text[start]
        func digitsRun(from index: Int) -> Int {
            var count = 0
            while index + count < text.count, Self.digit(text[index + count]) != nil { count += 1 }
            return count
        }
        switch letter {
        case UInt8(ascii: "E"), UInt8(ascii: "G"):
            if digitsRun(from: start + 1) == 8, Self.isBoundary(text, start + 9) {
                return (.passport, start..<(start + 9))
            }
            if letter == UInt8(ascii: "E"), start + 1 < text.count, Self.isUpper(text[start + 1]),
                digitsRun(from: start + 2) == 7, Self.isBoundary(text, start + 9)
            {
                return (.passport, start..<(start + 9))
            }
        case UInt8(ascii: "C"):
            if digitsRun(from: start + 1) == 8, Self.isBoundary(text, start + 9) {
                return (.permit, start..<(start + 9))
            }
            if start + 1 < text.count, Self.isUpper(text[start + 1]), digitsRun(from: start + 2) == 7,
                Self.isBoundary(text, start + 9)
            {
                return (.permit, start..<(start + 9))
            }
        case UInt8(ascii: "H"), UInt8(ascii: "M"):
            let run = digitsRun(from: start + 1)
            if run == 8 || run == 10, Self.isBoundary(text, start + 1 + run) {
                return (.permit, start..<(start + 1 + run))
            }
        default:
            break
        }
        return nil
    }

    /// `local@domain.tld` with the usual characters; the domain has a dot and a letter TLD.
    static func emails(_ text: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for at in text.indices where text[at] == UInt8(ascii: "@") {
            var start = at
            while start > 0, Self.isLocalPart(text[start - 1]) { start -= 1 }
            while start < at, text[start] == UInt8(ascii: ".") { start += 1 }
            guard start < at else { continue }
            var end = at + 1
            var lastDot = -1
            while end < text.count,
                Self.isAlphanumeric(text[end]) || text[end] == UInt8(ascii: "-")
                    || text[end] == UInt8(ascii: ".")
            {
                if text[end] == UInt8(ascii: ".") { lastDot = end }
                end += 1
            }
            while end > at + 1, text[end - 1] == UInt8(ascii: ".") || text[end - 1] == UInt8(ascii: "-") {
                end -= 1
                if lastDot >= end { lastDot = text[at + 1..<end].lastIndex(of: UInt8(ascii: ".")) ?? -1 }
            }
            guard lastDot > at + 1, end - lastDot - 1 >= 2,
                text[(lastDot + 1)..<end].allSatisfy({ Self.isLetter($0) })
            else { continue }
            ranges.append(start..<end)
        }
        return ranges
    }

    // MARK: Helpers

    /// The Luhn check of a card number's digits.
    package static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            if position % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// Digits in the given groups, unbroken or separated by one kind of separator (a space or a
    /// hyphen) between groups. Returns the end and the digits.
    private static func groupedDigits(_ text: [UInt8], at start: Int, groups: [Int]) -> (Int, [Int])? {
        // Unbroken first.
        let total = groups.reduce(0, +)
        var digits: [Int] = []
        var index = start
        while index < text.count, digits.count < total, let digit = Self.digit(text[index]) {
            digits.append(digit)
            index += 1
        }
        if digits.count == total, index >= text.count || Self.digit(text[index]) == nil {
            return (index, digits)
        }
        guard groups.count > 1 else { return nil }
        // Grouped with one consistent separator.
        digits = []
        index = start
        var separator: UInt8?
        for (position, group) in groups.enumerated() {
            if position > 0 {
                guard index < text.count else { return nil }
                let candidate = text[index]
                guard candidate == UInt8(ascii: " ") || candidate == UInt8(ascii: "-") else { return nil }
                if let separator, separator != candidate { return nil }
                separator = candidate
                index += 1
            }
            for _ in 0..<group {
                guard index < text.count, let digit = Self.digit(text[index]) else { return nil }
                digits.append(digit)
                index += 1
            }
        }
        guard index >= text.count || Self.digit(text[index]) == nil else { return nil }
        return (index, digits)
    }

    private static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return day <= (month == 2 && isLeap ? 29 : days[month - 1])
    }

    private static func matches(_ text: [UInt8], _ index: Int, _ literal: String) -> Bool {
        let bytes = Array(literal.utf8)
        guard index + bytes.count <= text.count else { return false }
        return Array(text[index..<(index + bytes.count)]) == bytes
    }

    /// Whether position `index` ends a token: the text ends, or the next character is neither a
    /// letter nor a digit.
    private static func isBoundary(_ text: [UInt8], _ index: Int) -> Bool {
        index >= text.count || !Self.isAlphanumeric(text[index])
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }

    private static func isLetter(_ byte: UInt8) -> Bool {
        Self.isUpper(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { Self.isLetter(byte) || Self.digit(byte) != nil }

    private static func isLocalPart(_ byte: UInt8) -> Bool {
        Self.isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%")
    }
}
