import HeguiCore
import Testing

/// Requirement IDs: TC-8.1 (large keyword libraries start fast from a compiled file).
@Suite struct CompiledLexiconTests {
    static let texts = [
        "這是詐騙，ＦＵＣＫ 傻 * 逼 zhapian 路口交通 恐怖袭击",
        "kill yourself, f u c k, 冰冰毒, 自製炸藥",
        "今天天气很好",
    ]

    static func matcher(_ folding: FoldingOptions) throws -> KeywordMatcher {
        KeywordMatcher(
            lexicon: try LexiconParser.parse(SampleLexicon.text, file: SampleLexicon.fileName),
            folding: folding
        )
    }

    @Test(arguments: [FoldingOptions.all, .none])
    func roundTripFindsTheSameMatches(folding: FoldingOptions) throws {
        let original = try Self.matcher(folding)
        let bytes = original.serialized()
        let restored = try KeywordMatcher(serialized: bytes)
        #expect(restored.entries == original.entries)
        #expect(restored.folding == original.folding)
        #expect(restored.latinWordBoundaries == original.latinWordBoundaries)
        #expect(restored.patternCount == original.patternCount)
        #expect(restored.serialized() == bytes)
        for text in Self.texts {
            #expect(restored.matches(in: text) == original.matches(in: text))
        }
    }

    @Test func damagedFilesAreRefused() throws {
        let bytes = try Self.matcher(.all).serialized()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: CompiledLexiconError.self) { try KeywordMatcher(serialized: flipped) }
        #expect(throws: CompiledLexiconError.self) {
            try KeywordMatcher(serialized: Array(bytes.prefix(bytes.count - 3)))
        }
        #expect(throws: CompiledLexiconError.self) { try KeywordMatcher(serialized: Array("# risk: A1d".utf8)) }
        var version = bytes
        version[4] = 99
        #expect {
            try KeywordMatcher(serialized: version)
        } throws: { error in
            "\(error)".contains("version 99")
        }
    }
}
