/// Which evasion foldings the text engine applies; each is switchable in the policy (TC-7.7).
///
/// Patterns and text go through the same folding, so a term written in any of the folded forms
/// still matches. The defaults turn everything on with a gap of up to three inserted characters.
package struct FoldingOptions: Sendable, Hashable {
    /// Full-width and half-width forms to their usual forms (全角→半角).
    package var width: Bool
    /// Case folding (Unicode simple case folding, not only ASCII).
    package var caseFolding: Bool
    /// Traditional to simplified Chinese.
    package var traditional: Bool
    /// Digit and letter styles (①, ⒈, ㈤, Ⓕ, 𝐅), other compatibility forms and accents (é → e).
    package var styles: Bool
    /// Invisible characters (zero-width, BOM, variation selectors, bidi controls) and combining
    /// marks removed.
    package var invisible: Bool
    /// Cyrillic and Greek look-alike letters folded to Latin.
    package var confusables: Bool
    /// Chinese look-alikes folded to the usual character: variant and spoofing forms of an
    /// ideograph (妺 → 妹), radicals (⻋ → 车) and kana drawn like ideographs (ロ → 口).
    package var homoglyphs: Bool
    /// Terms also match with characters written as their two components (弓长 for 张,
    /// 木仓 for 枪, 女干 for 奸): a variant of each term of two or more characters.
    package var splitCharacters: Bool
    /// Punctuation, symbols, spaces and emoji inserted between the characters of a term skipped.
    package var noise: Bool
    /// The most noise characters skipped between two characters of a term.
    package var maximumNoiseGap: Int
    /// Characters never skipped as noise: sentence punctuation of Chinese prose, so that
    /// "出口，交易" does not read as one word.
    package var boundaries: Set<Unicode.Scalar>
    /// Repeated characters collapsed ("傻傻傻逼" matches "傻逼").
    package var repeats: Bool
    /// Terms marked `pinyin` also match their pinyin and initials.
    package var pinyin: Bool

    /// Sentence punctuation of Chinese prose and line breaks.
    package static let defaultBoundaries: Set<Unicode.Scalar> = Set(
        "、。，；：？！…—“”‘’「」『』【】《》〈〉（）\u{FF0C}\u{FF1B}\u{FF1A}\u{FF1F}\u{FF01}\u{FF08}\u{FF09}\n\r\u{2029}"
            .unicodeScalars
    )

    package init(
        width: Bool = true,
        caseFolding: Bool = true,
        traditional: Bool = true,
        styles: Bool = true,
        invisible: Bool = true,
        confusables: Bool = true,
        homoglyphs: Bool = true,
        splitCharacters: Bool = true,
        noise: Bool = true,
        maximumNoiseGap: Int = 3,
        boundaries: Set<Unicode.Scalar> = FoldingOptions.defaultBoundaries,
        repeats: Bool = true,
        pinyin: Bool = true
    ) {
        self.width = width
        self.caseFolding = caseFolding
        self.traditional = traditional
        self.styles = styles
        self.invisible = invisible
        self.confusables = confusables
        self.homoglyphs = homoglyphs
        self.splitCharacters = splitCharacters
        self.noise = noise
        self.maximumNoiseGap = max(0, maximumNoiseGap)
        self.boundaries = boundaries
        self.repeats = repeats
        self.pinyin = pinyin
    }

    /// Every folding on (the default).
    package static let all = FoldingOptions()

    /// No folding at all: the matcher sees the text as written.
    package static let none = FoldingOptions(
        width: false,
        caseFolding: false,
        traditional: false,
        styles: false,
        invisible: false,
        confusables: false,
        homoglyphs: false,
        splitCharacters: false,
        noise: false,
        repeats: false,
        pinyin: false
    )
}
