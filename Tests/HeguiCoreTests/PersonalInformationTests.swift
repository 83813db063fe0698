import HeguiCore
import Testing

/// Requirement IDs: IM-11, A.4 e/f (TC260-003 Appendix A).
@Suite struct PersonalInformationTests {
    static func found(_ text: String) -> [String] {
        PersonalInformationDetector.matches(in: text).map { "\($0.kind.rawValue)=\(text.text(in: $0.span))" }
    }

    @Test(arguments: [
        // resident ID numbers with valid and invalid check digits
        ("身份证11010519491231002X。", ["resident_id=11010519491231002X"]),
        ("440308199001011239", ["resident_id=440308199001011239"]),
        ("ID 310115200002294567 ok", ["resident_id=310115200002294567"]),
        ("440308199001011238", []),  // wrong check digit
        ("990308199001011239", []),  // no such province
        ("440308199013011231", []),  // month 13
        ("310115200102294563", []),  // 29 February 2001
        ("订单号4403081990010112391", []),  // part of a longer number
        // mobile numbers
        ("电话13800138000", ["mobile=13800138000"]),
        ("+86 138-0013-8000", ["mobile=+86 138-0013-8000"]),
        ("138 0013 8000", ["mobile=138 0013 8000"]),
        ("12800138000", []),  // 12… is not a mobile prefix
        ("138001380001", []),  // twelve digits
        // bank cards (Luhn)
        ("卡号6222021234567890128", ["bank_card=6222021234567890128"]),
        ("6222 0212 3456 7890 128", ["bank_card=6222 0212 3456 7890 128"]),
        ("4111111111111111", ["bank_card=4111111111111111"]),
        ("6222021234567890127", []),  // fails Luhn
        ("5300000000000006", ["bank_card=5300000000000006"]),
        ("620102199001011230", []),  // passes Luhn but is laid out like an ID number (Gansu, 1990-01-01)
        ("440308199013011231", []),  // 18 digits starting with 4: no Visa length
        // e-mail
        ("联系 zhang.san+ai@example.com.cn 谢谢", ["email=zhang.san+ai@example.com.cn"]),
        ("a@b", []),
        // landlines
        ("010-12345678", ["landline=010-12345678"]),
        ("(0755)1234567", ["landline=(0755)1234567"]),
        ("0755-01234567", []),  // a number does not start with 0
        // passports and permits
        ("护照E12345678", ["passport=E12345678"]),
        ("EA1234567", ["passport=EA1234567"]),
        ("C12345678", ["permit=C12345678"]),
        ("H1234567890", ["permit=H1234567890"]),
        // ordinary numbers
        ("订单20231129123456，金额1299.00元，日期2024-05-01，编号A123456", []),
        ("时间戳1701234567890", []),
        // full-width digits
        ("１３８００１３８０００", ["mobile=１３８００１３８０００"]),
        ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", ["email=ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"]),
    ])
    func detects(text: String, expected: [String]) {
        #expect(Self.found(text) == expected)
    }

    /// The quick pass that spares the full one: every kind needs a digit or an `@`.
    @Test(arguments: [
        ("今天天气很好，我们去公园散步吧。", false), ("Hello, world!", false), ("", false), ("第3章", true),
        ("a@b", true), ("１", true), ("＠", true), ("ＡＢＣ", false), ("０", true), ("９", true), ("：", false),
    ])
    func quickPass(text: String, candidate: Bool) {
        #expect(PersonalInformationDetector.mayContainPersonalInformation(text) == candidate)
    }

    @Test func luhn() {
        #expect(PersonalInformationDetector.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!PersonalInformationDetector.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
    }

    @Test func spansAreInTheOriginalText() throws {
        let text = "我的手机是13800138000"
        let match = try #require(PersonalInformationDetector.matches(in: text).first)
        #expect(match.span.characters == 5..<16)
        #expect(match.span.bytes == 15..<26)
    }

    /// Random digit-heavy texts never trap and every span lies inside its text.
    @Test(arguments: [11, 12, 13, 14])
    func randomTextsAreSafe(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let pieces = [
            "1", "3", "8", "0", "6", "2", "9", "X", "E", "C", "H", "+", "86", "-", " ", "(", ")", "@", ".", "a", "中",
            "１",
        ]
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let utf8Count = text.utf8.count
            for match in PersonalInformationDetector.matches(in: text) {
                #expect(match.span.bytes.upperBound <= utf8Count)
                #expect(!text.text(in: match.span).isEmpty)
            }
        }
    }
}
