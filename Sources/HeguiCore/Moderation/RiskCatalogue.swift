/// The risks moderation knows: the 31 of TC260-003 / GB/T 45654-2025 Appendix A
/// (REQUIREMENTS.md §7) and any operator-defined categories.
package struct RiskCatalogue: Sendable {
    /// Every risk, standard ones first in the standard's order.
    package private(set) var risks: [Risk]
    private var index: [String: Int]

    /// A catalogue of the standard risks plus the given operator-defined ones.
    package init(custom: [Risk] = []) {
        self.risks = Self.standardRisks + custom
        self.index = [:]
        for (position, risk) in self.risks.enumerated() {
            self.index[risk.code.rawValue] = position
        }
    }

    /// The 31 standard risks only.
    package static let standard = RiskCatalogue()

    /// The risk with this code, if the catalogue has it.
    package func risk(_ code: String) -> Risk? {
        self.index[code].map { self.risks[$0] }
    }

    /// The risk with this code, if the catalogue has it.
    package func risk(_ code: RiskCode) -> Risk? {
        self.risk(code.rawValue)
    }

    /// Adds an operator-defined category, or renames one already added.
    package mutating func define(_ risk: Risk) {
        if let position = self.index[risk.code.rawValue] {
            self.risks[position] = risk
        } else {
            self.index[risk.code.rawValue] = self.risks.count
            self.risks.append(risk)
        }
    }

    private static let standardRisks: [Risk] = {
        let table: [(RiskClass, String, String, String)] = [
            (
                .coreValues, "a", "煽动颠覆国家政权、推翻社会主义制度",
                "Inciting subversion of state power or overthrow of the socialist system"
            ),
            (
                .coreValues, "b", "危害国家安全和利益、损害国家形象",
                "Endangering national security and interests; damaging the national image"
            ),
            (
                .coreValues, "c", "煽动分裂国家、破坏国家统一和社会稳定",
                "Inciting separatism; undermining national unity and social stability"
            ),
            (.coreValues, "d", "宣扬恐怖主义、极端主义", "Promoting terrorism or extremism"),
            (.coreValues, "e", "宣扬民族仇恨", "Promoting ethnic hatred"),
            (.coreValues, "f", "宣扬暴力、淫秽色情", "Promoting violence, obscenity or pornography"),
            (.coreValues, "g", "传播虚假有害信息", "Spreading false and harmful information"),
            (.coreValues, "h", "其他法律、行政法规禁止的内容", "Other content prohibited by laws and administrative regulations"),
            (.discrimination, "a", "民族歧视内容", "Ethnic discrimination"),
            (.discrimination, "b", "信仰歧视内容", "Discrimination by belief"),
            (.discrimination, "c", "国别歧视内容", "Discrimination by nationality or country"),
            (.discrimination, "d", "地域歧视内容", "Regional discrimination"),
            (.discrimination, "e", "性别歧视内容", "Sex or gender discrimination"),
            (.discrimination, "f", "年龄歧视内容", "Age discrimination"),
            (.discrimination, "g", "职业歧视内容", "Occupational discrimination"),
            (.discrimination, "h", "健康歧视内容", "Health discrimination"),
            (.discrimination, "i", "其他方面歧视内容", "Other discrimination"),
            (.commercial, "a", "侵犯他人知识产权", "Infringing others' intellectual property"),
            (.commercial, "b", "违反商业道德", "Violating business ethics"),
            (.commercial, "c", "泄露他人商业秘密", "Disclosing others' trade secrets"),
            (
                .commercial, "d", "利用算法、数据、平台等优势，实施垄断和不正当竞争行为",
                "Using algorithm, data or platform advantages for monopoly or unfair competition"
            ),
            (.commercial, "e", "其他商业违法违规行为", "Other commercial violations"),
            (.rights, "a", "危害他人身心健康", "Harming others' physical or mental health"),
            (.rights, "b", "侵害他人肖像权", "Infringing portrait rights"),
            (.rights, "c", "侵害他人名誉权", "Infringing reputation rights"),
            (.rights, "d", "侵害他人荣誉权", "Infringing honour rights"),
            (.rights, "e", "侵害他人隐私权", "Infringing privacy"),
            (.rights, "f", "侵害他人个人信息权益", "Infringing personal-information rights"),
            (.rights, "g", "侵犯他人其他合法权益", "Infringing other lawful rights"),
            (
                .serviceSafety, "a", "内容不准确，严重不符合科学常识或主流认知",
                "Inaccurate content, seriously at odds with scientific common sense or mainstream understanding"
            ),
            (
                .serviceSafety, "b", "内容不可靠，虽然不包含严重错误的内容，但无法对使用者形成帮助",
                "Unreliable content: no serious error, but of no help to the user"
            ),
        ]
        return table.map { riskClass, letter, chinese, english in
            Risk(
                code: RiskCode(unchecked: riskClass.rawValue + letter),
                riskClass: riskClass,
                chineseName: chinese,
                englishName: english
            )
        }
    }()
}
