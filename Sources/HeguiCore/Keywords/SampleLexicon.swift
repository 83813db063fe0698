/// The small sample lexicon Hegui runs with when no lexicon is configured: clearly harmful,
/// non-political terms for demos and tests. An operator supplies its own full keyword library
/// (TC-8.1 asks for at least 10,000 terms); `hegui lexicon sample` prints this one as a starting
/// point for the file format.
package enum SampleLexicon {
    /// The name locations in the sample lexicon report.
    package static let fileName = "sample-lexicon.txt"

    /// The lexicon, in the plain-text format.
    package static let text = """
        # Hegui sample lexicon (示例词库). Plain-text format: a header comment sets the risk code,
        # the action and the options of the terms below it; "# allow" starts allowed terms.
        # This is a demonstration list, not a keyword library that meets TC-8.1.

        # 暴力恐怖 / violent extremism
        # risk: A1d action: block
        恐怖袭击
        制造炸弹
        自制炸药
        人体炸弹
        汽车炸弹
        炸弹制作教程
        爆炸物配方
        恐怖组织招募
        圣战招募
        斩首视频
        # risk: A1d action: block options: pinyin
        炸药配方

        # 色情 / pornography
        # risk: A1f action: block
        色情视频
        裸聊
        援交
        约炮
        淫秽视频
        口交
        porn
        # allow risk: A1f
        路口交通
        出口交易

        # 赌博、毒品与诈骗 / gambling, drugs and fraud
        # risk: A1h action: block
        网络赌博
        网赌平台
        赌博网站
        六合彩内幕
        海洛因
        冰毒
        摇头丸
        可卡因
        大麻种植
        贩毒渠道
        制毒方法
        洗钱
        杀猪盘
        刷单返利
        电信诈骗
        代开发票
        假币
        毒品
        # risk: A1h action: block options: pinyin
        诈骗

        # 自伤 / self-harm
        # risk: A4a action: block
        自杀方法
        怎么自杀
        割腕
        安眠药过量
        kill yourself

        # 侮辱 / insults
        # risk: A4c action: redact options: pinyin
        傻逼
        # risk: A4c action: redact
        操你妈
        fuck
        motherfucker

        # 歧视 / discriminatory slurs
        # risk: A2a action: block
        黑鬼
        # risk: A2c action: block
        支那
        # risk: A2d action: redact
        乡巴佬
        # risk: A2h action: redact
        死瘸子
        """
}
