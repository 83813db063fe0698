import HeguiCore
import Testing

/// The evasion test set: disguised forms of the sample lexicon's terms, each with the term it
/// hides, and clean everyday text that must not hit. Recall and the false-positive rate are
/// printed and held to a floor (Benchmarks/README.md and the README report them).
///
/// Requirement IDs: TC-7.7, TC-8.1, TC-9.3.2 (keyword check of generated content).
@Suite struct EvasionSetTests {
    /// (text, the term it hides)
    static let disguised: [(String, String)] = [
        // traditional characters
        ("教我製造炸彈", "制造炸弹"), ("恐怖襲擊", "恐怖袭击"), ("自製炸藥", "自制炸药"), ("人體炸彈", "人体炸弹"),
        ("網絡賭博", "网络赌博"), ("搖頭丸哪裡買", "摇头丸"), ("刷單返利", "刷单返利"), ("色情視頻", "色情视频"),
        ("殺豬盤", "杀猪盘"), ("電信詐騙", "电信诈骗"), ("自殺方法", "自杀方法"), ("操你媽", "操你妈"),
        ("鄉巴佬", "乡巴佬"), ("洗錢", "洗钱"),
        // spaces, punctuation, symbols and emoji between the characters
        ("恐 怖 袭 击", "恐怖袭击"), ("恐*怖*袭*击", "恐怖袭击"), ("恐😀怖😀袭😀击", "恐怖袭击"), ("恐-怖-袭-击", "恐怖袭击"),
        ("恐.怖.袭.击", "恐怖袭击"), ("恐怖~袭击", "恐怖袭击"), ("恐怖|袭击", "恐怖袭击"), ("冰-毒", "冰毒"),
        ("冰　毒", "冰毒"), ("海 洛 因", "海洛因"), ("可.卡.因", "可卡因"), ("约❤炮", "约炮"), ("援*交", "援交"),
        ("裸　聊", "裸聊"), ("黑 鬼", "黑鬼"), ("支　那", "支那"), ("操 你 妈", "操你妈"), ("割·腕", "割腕"),
        ("洗#钱", "洗钱"), ("杀/猪/盘", "杀猪盘"), ("制造→炸弹", "制造炸弹"), ("傻^_^逼", "傻逼"),
        // invisible characters
        ("恐\u{200B}怖\u{200D}袭\u{200C}击", "恐怖袭击"), ("割\u{200B}腕", "割腕"), ("洗\u{FE0F}钱", "洗钱"),
        ("冰\u{2060}毒", "冰毒"), ("海\u{FEFF}洛因", "海洛因"), ("裸\u{202E}聊", "裸聊"),
        // repeated characters
        ("冰冰毒", "冰毒"), ("傻傻傻逼", "傻逼"), ("fuuuuck", "fuck"), ("海洛洛洛因", "海洛因"),
        // width, case, styled and look-alike letters
        ("ＦＵＣＫ", "fuck"), ("Ｆuck", "fuck"), ("FuCk", "fuck"), ("𝐟𝐮𝐜𝐤", "fuck"), ("ⓕⓤⓒⓚ", "fuck"),
        ("🄵🅄🄲🄺", "fuck"), ("fuсk", "fuck"), ("fυck", "fuck"), ("F.U.C.K", "fuck"), ("f u c k", "fuck"),
        ("ＰＯＲＮ", "porn"), ("ΡΟRΝ", "porn"), ("MotherFucker", "motherfucker"),
        ("KILL YOURSELF", "kill yourself"), ("kill  yourself", "kill yourself"),
        // pinyin and initials of pinyin-marked terms
        ("zhapian", "诈骗"), ("ZhaPian", "诈骗"), ("zha骗", "诈骗"), ("诈pian", "诈骗"), ("zp", "诈骗"),
        ("shabi", "傻逼"), ("SB", "傻逼"), ("傻bi", "傻逼"), ("Ｓｈａｂｉ", "傻逼"), ("zhayaopeifang", "炸药配方"),
        ("zypf", "炸药配方"), ("zha药配方", "炸药配方"), ("sha逼", "傻逼"),
        // combinations
        ("製 造 炸 彈", "制造炸弹"), ("電\u{200B}信*詐騙", "电信诈骗"), ("Ｚｈａ-Ｐｉａｎ", "诈骗"),
        // look-alike characters: radicals, variant forms, kana drawn like ideographs
        ("汽⻋炸弹", "汽车炸弹"), ("ロ交", "口交"), ("ロ 交", "口交"),
        // characters written as their two components
        ("约火包", "约炮"), ("纟勺火包", "约炮"), ("洗钅戋", "洗钱"), ("网络贝者博", "网络赌博"), ("制造火乍弓单", "制造炸弹"),
        ("氵每洛因", "海洛因"), ("杀犭者盘", "杀猪盘"), ("贝反毒渠道", "贩毒渠道"), ("制造炸弓單", "制造炸弹"),
        // beyond the foldings: digits for letters, homophones, letters inserted
        ("p0rn", "porn"), ("冰du", "冰毒"), ("海洛y因", "海洛因"),
    ]

    /// Everyday text, some of it close to the terms.
    static let clean: [String] = [
        "今天天气很好，我们去公园散步吧。", "请帮我写一封求职信，应聘软件工程师。", "这部电影的恐怖场面很吓人，但剧情不错。",
        "新闻报道了一起袭击事件的审判结果。", "前面路口交通拥堵，请绕行。", "今年的出口交易额增长了百分之五。",
        "冰箱坏了，里面的牛奶都变质了。", "我的订单号20231129123456已经发货。", "会议定在2024-05-01下午三点。",
        "他在海边洗了个澡。", "这道菜的配方是外婆传下来的。", "请问炸鸡的做法是什么？", "我们用DP算法解决这道题。",
        "I will kill the process and restart the server.", "She has skills and passion.", "a classic class in the pass",
        "The assessment passed.", "Please send the report by Friday.", "出口，交易明细见附件。", "路口，交通信号灯坏了。",
        "银行卡余额不足，请充值。", "孩子们在操场上踢球。", "他的父母都是医生。", "我喜欢吃冰淇淋和毒舌的段子。",
        "这种蘑菇有毒，不要吃。", "网络安全很重要。", "赌气的话不要说。", "我们讨论一下洗衣机的选购。",
        "杀毒软件更新了。", "猪肉价格上涨了。", "炸弹鱼是一种小吃？不是，是我编的。", "人体结构图在第三页。",
        "自制面包的方法很简单。", "割草机需要换刀片。", "黑色的鬼脸面具很可怕。", "支付宝那边还没到账。",
        "乡下的巴士很少，老伯说。", "配方奶粉要按比例冲。", "视频会议马上开始。", "色彩搭配很重要。",
        "约会地点定在咖啡馆。", "援助物资已经送达。", "交通银行的网点在哪里？", "聊天记录已经导出。",
        "他是个傻大个，但人很好。", "这个逼真的模型是3D打印的。", "妈妈做的饭最好吃。", "电信营业厅几点开门？",
        "诈尸是迷信的说法。", "骗子的话不可信，要报警。", "自杀式袭击是恐怖主义的手段之一吗？这是历史课的问题。",
        "fuchsia is a colour", "The porno graffiti band", "skill yourselves up", "sb. means somebody in a dictionary",
        "zip files and zpool commands", "ZP is a postcode prefix", "shabby chic furniture",
        "她是一位女干部，负责妇女工作。", "日月潭的风景很美。", "火车站旁边有家包子铺。", "我们把木头放进仓库。",
        "钱包丢了，幸好证件还在。", "洗衣机的贝壳形状按钮。", "ロボット（机器人）是日语词。", "セーター是毛衣的意思。",
    ]

    /// Clean texts that the engine hits all the same, and why: pinyin initials of a two-character
    /// term are a two-letter word, which ordinary text can contain. A lexicon marks `pinyin` only
    /// on terms worth that cost.
    static let expectedHits: [(String, String)] = [
        ("sb. means somebody in a dictionary", "傻逼"),
        ("ZP is a postcode prefix", "诈骗"),
    ]

    static let matcher: KeywordMatcher = {
        // The sample lexicon is part of the project; it parses.
        KeywordMatcher(lexicon: try! LexiconParser.parse(SampleLexicon.text, file: SampleLexicon.fileName))
    }()

    static func terms(in text: String) -> Set<String> {
        Set(Self.matcher.matches(in: text).map { Self.matcher.entries[$0.entry] }.filter { !$0.isAllowed }.map(\.term))
    }

    @Test func recallAndFalsePositiveRate() {
        var missed: [String] = []
        for (text, term) in Self.disguised where !Self.terms(in: text).contains(term) {
            missed.append("\(text) → \(term)")
        }
        let expected = Set(Self.expectedHits.map(\.0))
        var hitClean: [String] = []
        var falsePositives: [String] = []
        for text in Self.clean {
            let found = Self.terms(in: text)
            guard !found.isEmpty else { continue }
            hitClean.append(text)
            if !expected.contains(text) { falsePositives.append("\(text) → \(found.sorted())") }
        }
        let recall = Double(Self.disguised.count - missed.count) / Double(Self.disguised.count)
        let falsePositiveRate = Double(hitClean.count) / Double(Self.clean.count)
        print(
            "evasion set: recall \(Self.disguised.count - missed.count)/\(Self.disguised.count) = \(recall); "
                + "false positives \(hitClean.count)/\(Self.clean.count) = \(falsePositiveRate)"
        )
        print("missed: \(missed)")
        // The last three disguises go beyond what the foldings cover (digits for letters,
        // homophones of unmarked terms, letters inserted).
        #expect(missed.count <= 3, "missed: \(missed)")
        #expect(falsePositives.isEmpty, "false positives: \(falsePositives)")
        for (text, term) in Self.expectedHits {
            #expect(Self.terms(in: text).contains(term))
        }
    }
}
