/// Which duties apply to a service (IM-2, IM-22, IM-17, SA-2, LBL-4, OPS-2, OPS-6), reasoned from
/// a few answers the provider gives about it: the `scope` section of hegui.yaml, or `hegui scope`
/// asking them.
package struct ScopeAnswers: Sendable, Hashable {
    /// The kinds of content the service generates.
    package enum Medium: String, Sendable, Hashable, CaseIterable {
        case text, image, audio, video, virtual

        package var chinese: String {
            switch self {
            case .text: "文字"
            case .image: "图片"
            case .audio: "音频"
            case .video: "视频"
            case .virtual: "虚拟场景"
            }
        }
    }

    /// Does it serve the public in mainland China (IM-2.1)?
    package var servesPublicInMainland: Bool?
    /// Is it offered through an API (IM-22.1: then whoever offers the API is a provider)?
    package var offeredThroughAPI: Bool?
    /// What it generates.
    package var media: Set<Medium>?
    /// Does it have public-opinion attributes or social-mobilisation capacity: forums, chat
    /// rooms, groups, public accounts, short video, live streaming, information sharing,
    /// mini-programs, or another channel for the public to express opinions (SA-2)?
    package var publicOpinion: Bool?
    /// Can users publish or share what it generates to others (an information-publishing service)?
    package var usersPublish: Bool?
    /// Can users download, copy or export what it generates (LBL-4.7)?
    package var downloads: Bool?
    /// May minors use it?
    package var minorsMayUse: Bool?
    /// Whether the service is provided to the mainland from outside it (IM-20).
    package var providedFromAbroad: Bool?

    package init() {}

    /// The questions, with their keys in hegui.yaml's `scope` section.
    package static let questions: [(key: String, zh: String, en: String)] = [
        ("serves_public_in_mainland", "是否向中国境内公众提供服务？", "Does it serve the public in mainland China?"),
        ("offered_through_api", "是否通过 API 提供？", "Is it offered through an API?"),
        (
            "media", "生成哪些内容（text, image, audio, video, virtual）？",
            "What does it generate (text, image, audio, video, virtual)?"
        ),
        (
            "public_opinion", "是否具有舆论属性或社会动员能力（论坛、群组、公众账号、直播、信息分享等）？",
            "Does it have public-opinion attributes or social-mobilisation capacity (forums, groups, public accounts, live streaming, sharing…)?"
        ),
        ("users_publish", "用户能否向他人发布、分享生成内容？", "Can users publish or share generated content to others?"),
        ("downloads", "用户能否下载、复制、导出生成内容？", "Can users download, copy or export generated content?"),
        ("minors_may_use", "未成年人是否可能使用？", "May minors use it?"),
        (
            "provided_from_abroad", "是否从中国境外向境内公众提供服务？",
            "Is it provided to the mainland public from outside mainland China?"
        ),
    ]

    /// The keys of the questions not yet answered.
    package var unanswered: [String] {
        var missing: [String] = []
        if self.servesPublicInMainland == nil { missing.append("serves_public_in_mainland") }
        if self.offeredThroughAPI == nil { missing.append("offered_through_api") }
        if self.media == nil { missing.append("media") }
        if self.publicOpinion == nil { missing.append("public_opinion") }
        if self.usersPublish == nil { missing.append("users_publish") }
        if self.downloads == nil { missing.append("downloads") }
        if self.minorsMayUse == nil { missing.append("minors_may_use") }
        if self.providedFromAbroad == nil { missing.append("provided_from_abroad") }
        return missing
    }
}

/// One duty and whether it applies, with the reason and the requirement IDs.
package struct ScopeDuty: Sendable, Hashable {
    package enum Verdict: String, Sendable, Hashable {
        /// The answers make it a duty.
        case applies
        /// Not a duty on these answers.
        case notRequired = "not_required"
        /// Not required by the text, but expected in practice or cheap to keep (say why).
        case recommended
    }

    package var duty: (zh: String, en: String)
    package var verdict: Verdict
    package var reason: (zh: String, en: String)
    package var requirements: [String]
    /// Where Hegui covers it.
    package var hegui: String

    package static func == (lhs: ScopeDuty, rhs: ScopeDuty) -> Bool {
        lhs.duty == rhs.duty && lhs.verdict == rhs.verdict && lhs.reason == rhs.reason
            && lhs.requirements == rhs.requirements && lhs.hegui == rhs.hegui
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(self.duty.en)
        hasher.combine(self.verdict)
        hasher.combine(self.requirements)
    }
}

extension ScopeAnswers {
    /// The checklist the answers lead to; `nil` while a question is unanswered.
    package var duties: [ScopeDuty]? {
        guard self.unanswered.isEmpty, let servesPublic = self.servesPublicInMainland, let media = self.media,
            let publicOpinion = self.publicOpinion, let usersPublish = self.usersPublish,
            let downloads = self.downloads, let minors = self.minorsMayUse, let api = self.offeredThroughAPI,
            let abroad = self.providedFromAbroad
        else { return nil }
        func duty(
            _ zh: String,
            _ en: String,
            _ verdict: ScopeDuty.Verdict,
            because reason: (String, String),
            _ requirements: [String],
            hegui: String
        ) -> ScopeDuty {
            ScopeDuty(duty: (zh, en), verdict: verdict, reason: reason, requirements: requirements, hegui: hegui)
        }
        let inScope: ScopeDuty.Verdict = servesPublic ? .applies : .notRequired
        let scopeReason =
            servesPublic
            ? (
                "向境内公众提供生成式人工智能服务" + (api ? "（通过 API 提供者亦为提供者）" : ""),
                "a generative-AI service for the public in mainland China"
                    + (api ? " (offering it by API makes you a provider)" : "")
            )
            : (
                "不向境内公众提供服务，《暂行办法》不适用（第二条第三款）",
                "it does not serve the public in mainland China, so the Measures do not apply (Art. 2 ¶3)"
            )
        var duties = [
            duty(
                "适用《生成式人工智能服务管理暂行办法》",
                "The Interim Measures apply",
                inScope,
                because: scopeReason,
                ["IM-2.1", "IM-22.1"],
                hegui: "—"
            ),
            duty(
                "违法不良信息的防范与处置（输入输出审核、停止生成、整改、报告）",
                "Prevent and handle illegal content (input and output checks, stop, rectify, report)",
                inScope,
                because: scopeReason,
                ["IM-4", "IM-14.1–14.3", "TC-7", "TC-8"],
                hegui: "moderation engine; hegui lexicon stats; stream stopping; incidents"
            ),
            duty(
                "服务协议与用户管理",
                "Service agreement and user management",
                inScope,
                because: scopeReason,
                ["IM-9", "IM-14.4"],
                hegui: "/agreement; users.require_agreement; sanctions ladder"
            ),
            duty(
                "个人信息保护与权利请求",
                "Personal information and rights requests",
                inScope,
                because: scopeReason,
                ["IM-11", "OPS-8"],
                hegui: "hegui user; /admin/rights-requests; working-day deadlines"
            ),
            duty(
                "投诉举报机制及反馈时限",
                "Complaint channel with a published time limit",
                inScope,
                because: scopeReason,
                ["IM-15"],
                hegui: "/complaints; complaints.feedback_working_days"
            ),
            duty(
                "日志留存不少于六个月",
                "Logs kept at least six months",
                inScope,
                because: scopeReason,
                ["OPS-1"],
                hegui: "tamper-evident audit log; hegui audit"
            ),
            duty(
                "公开服务的适用人群、场合和用途",
                "Publish the intended users, settings and uses",
                inScope,
                because: scopeReason,
                ["IM-10.1"],
                hegui: "/about; service section"
            ),
        ]
        let labelling: [(ScopeAnswers.Medium, String, String, String, String)] = [
            (.text, "文字显式标识", "Explicit label on text", "LBL-4.1", "labels.chat_placement"),
            (.image, "图片显式标识", "Explicit label on images", "LBL-4.3", "labels.image_mark; hegui label --explicit"),
            (
                .audio, "音频显式标识（语音或节奏提示）", "Explicit label on audio (spoken or rhythm prompt)", "LBL-4.2",
                "labels.audio_cue"
            ),
            (
                .video, "视频显式标识（片头及播放周边）", "Explicit label on video (opening frame and around playback)", "LBL-4.4",
                "hegui label --explicit --ffmpeg"
            ),
            (.virtual, "虚拟场景显式标识", "Explicit label on virtual scenes", "LBL-4.5", "— (the app's opening screen)"),
        ]
        for (medium, zh, en, id, how) in labelling {
            let applies = servesPublic && media.contains(medium)
            duties.append(
                duty(
                    zh,
                    en,
                    applies ? .applies : .notRequired,
                    because: applies
                        ? ("生成\(medium.chinese)内容", "it generates \(medium.rawValue)")
                        : ("不生成\(medium.chinese)内容或不在范围内", "no \(medium.rawValue) generated, or out of scope"),
                    ["IM-12", id],
                    hegui: how
                )
            )
        }
        let files = media.contains(where: { $0 != .text }) || downloads
        duties.append(
            duty(
                "文件元数据隐式标识",
                "Implicit label in file metadata",
                servesPublic && files ? .applies : (servesPublic ? .recommended : .notRequired),
                because: files
                    ? ("生成文件或可下载导出", "it produces files or lets users export them")
                    : (
                        "仅文字且不可导出；JSON 与流中的 aigc 记录仍建议保留",
                        "text only, no export; the aigc record in answers is still advisable"
                    ),
                ["IM-12", "LBL-5.1", "LBL-4.7"],
                hegui: "aigc record; hegui label; hegui label check"
            )
        )
        duties.append(
            duty(
                "安全评估",
                "Security assessment",
                servesPublic && publicOpinion ? .applies : .notRequired,
                because: publicOpinion
                    ? ("具有舆论属性或社会动员能力", "public-opinion attributes or social-mobilisation capacity")
                    : (
                        "不具有舆论属性或社会动员能力；功能、用户规模显著变化时须重新判断",
                        "no public-opinion attributes; ask again when functions or user numbers change markedly (SA-3)"
                    ),
                ["IM-17.1", "OPS-5", "SA-2", "SA-3", "SA-5"],
                hegui: "audit log and statistics as evidence (report: issue 9)"
            )
        )
        duties.append(
            duty(
                "算法备案（上线后10个工作日内）",
                "Algorithm filing (within 10 working days of launch)",
                servesPublic && publicOpinion ? .applies : (servesPublic ? .recommended : .notRequired),
                because: publicOpinion
                    ? ("具有舆论属性或社会动员能力", "public-opinion attributes or social-mobilisation capacity")
                    : (
                        "面向公众的生成式服务实践中亦办理大模型备案或登记（待确认）",
                        "public generative services in practice also go through large-model filing or registration (UNCONFIRMED)"
                    ),
                ["IM-17.2", "OPS-4.1", "OPS-4.2", "OPS-4.3"],
                hegui: "filing section; hegui filing; /admin/filing"
            )
        )
        duties.append(
            duty(
                "备案前自评估（题库、拒答率、误拒率）",
                "Self-evaluation before filing (question banks, refusal rates)",
                servesPublic && publicOpinion ? .applies : (servesPublic ? .recommended : .notRequired),
                because: ("随备案提交安全评估材料", "the assessment materials go with the filing"),
                ["TC-8", "TC-9"],
                hegui: "hegui eval (issue 10)"
            )
        )
        duties.append(
            duty(
                "用户真实身份信息认证",
                "Users' real-identity verification",
                servesPublic && (usersPublish || publicOpinion)
                    ? .applies : (servesPublic ? .recommended : .notRequired),
                because: usersPublish || publicOpinion
                    ? ("用户可发布信息或服务具有舆论属性", "users publish to others, or the service has public-opinion attributes")
                    : ("纯对话服务未见明文要求（待确认）", "no text requires it of a pure chatbot (UNCONFIRMED)"),
                ["OPS-2.1", "OPS-2.2", "SA-5"],
                hegui: "identity_verified on end users"
            )
        )
        duties.append(
            duty(
                "防止未成年人过度依赖（未成年人模式）",
                "Keep minors from over-reliance (minors' mode)",
                servesPublic ? (minors ? .applies : .recommended) : .notRequired,
                because: minors
                    ? ("未成年人可能使用", "minors may use it")
                    : (
                        "第十条第三款要求采取有效措施，年龄未知的用户仍可能是未成年人",
                        "IM-10.3 asks for effective measures, and users of unknown age may be minors"
                    ),
                ["IM-10.3", "OPS-6"],
                hegui: "minors section; the end-user gate"
            )
        )
        duties.append(
            duty(
                "境外提供服务：同样遵守本办法，否则可被采取技术措施处置",
                "Provided from abroad: the same rules apply, or the service may be blocked",
                servesPublic && abroad ? .applies : .notRequired,
                because: !servesPublic
                    ? ("不向境内公众提供服务", "it does not serve the public in mainland China")
                    : abroad
                        ? (
                            "从境外向境内公众提供服务，不符合规定的，网信部门可通知采取技术措施（第二十条）",
                            "it serves the mainland public from abroad; a service that breaks the rules may be blocked (Art. 20)"
                        )
                        : ("在境内提供服务", "it is provided from within mainland China"),
                ["IM-20.1"],
                hegui: "every control above, at the gateway in front of the model"
            )
        )
        return duties
    }
}
