import HeguiCore
import Testing

/// Requirement IDs: TC-8.1 (keyword library files), TC-7.7.
@Suite struct LexiconParserTests {
    @Test func readsTheTextFormat() throws {
        let text = """
            # a comment
            # risk: A1d action: block options: pinyin,exact

            恐怖袭击
              制造炸弹\t
            # allow risk: A1f
            路口交通
            # allow
            出口
            # risk: custom.competitor action: flag
            竞品
            """
        let lexicon = try LexiconParser.parse(text, file: "x.txt")
        #expect(lexicon.entries.map(\.term) == ["恐怖袭击", "制造炸弹", "路口交通", "出口", "竞品"])
        #expect(lexicon.entries[0].options == [.pinyin, .exact])
        #expect(lexicon.entries[0].source == SourceLocation(file: "x.txt", line: 4))
        #expect(lexicon.entries[2].isAllowed && lexicon.entries[2].risk == RiskCode("A1f"))
        #expect(lexicon.entries[3].isAllowed && lexicon.entries[3].risk == nil)
        #expect(lexicon.entries[4].risk == RiskCode("custom.competitor") && lexicon.entries[4].action == .flag)
        #expect(lexicon.termCounts == [RiskCode("A1d")!: 2, RiskCode("custom.competitor")!: 1])
    }

    @Test func readsTheTSVFormat() throws {
        let text = "term\trisk\taction\n冰毒\tA1h\tblock\n路口交通\t*\tallow\nsb\tA4c\tredact\tword\n"
        let lexicon = try LexiconParser.parse(text, file: "x.tsv")
        #expect(lexicon.entries.count == 3)
        #expect(lexicon.entries[1].isAllowed && lexicon.entries[1].risk == nil)
        #expect(lexicon.entries[2].options == [.word])
    }

    @Test(arguments: [
        ("恐怖袭击", "x.txt", "x.txt:1: 词条前缺少"),
        ("# risk: A9z action: block\n词", "x.txt", "x.txt:1: 未知风险代码 “A9z”"),
        ("# risk: A1d action: ban\n词", "x.txt", "x.txt:1: 未知处置 “ban”"),
        ("# risk: A1d action: block options: fuzzy\n词", "x.txt", "x.txt:1: 未知选项 “fuzzy”"),
        ("# risk: A1d colour: red\n词", "x.txt", "x.txt:1: 未知标题键 “colour:”"),
        ("# action: block\n词", "x.txt", "x.txt:1: 标题缺少 risk:"),
        ("词\tA1d\n", "x.tsv", "x.tsv:1: 应有 3 或 4 列"),
        ("词\tA1d\tblock\n词2\t*\tblock\n", "x.tsv", "x.tsv:2: 风险 “*” 只能用于放行词"),
        ("# risk: A1d action: block\n\n" + String(repeating: "长", count: 65), "x.txt", "x.txt:3: 词条过长"),
        ("# risk: A1h action: block options: regex\nab(c", "x.txt", "x.txt:2: 正则表达式无效"),
        ("# risk: A1h action: block options: regex\n(ab)c", "x.txt", "x.txt:2: 正则不能有捕获组"),
    ])
    func errorsNameTheFileAndLine(text: String, file: String, expected: String) {
        #expect {
            try LexiconParser.parse(text, file: file)
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    @Test func duplicatesAndConflictsAreReported() throws {
        let text = """
            # risk: A1d action: block
            恐怖袭击
            恐怖袭击
            # risk: A1f action: block
            恐怖袭击
            """
        let lexicon = try LexiconParser.parse(text, file: "x.txt")
        #expect(lexicon.entries.count == 2)
        #expect(lexicon.diagnostics.map(\.kind) == [.duplicate, .conflict])
        #expect(lexicon.diagnostics[0].location.line == 3 && lexicon.diagnostics[0].earlier.line == 2)
        #expect(lexicon.diagnostics[0].locationDescription == "x.txt:3: duplicate (see x.txt:2)")
    }
}
