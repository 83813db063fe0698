import HeguiReports
import Testing

/// `hegui scope`'s reasoning (IM-2.1, IM-17, SA-2, LBL-4, LBL-5.1, OPS-2, OPS-6).
@Suite struct ScopeCheckTests {
    static func answers(
        public servesPublic: Bool = true,
        media: Set<ScopeAnswers.Medium> = [.text],
        publicOpinion: Bool = false,
        usersPublish: Bool = false,
        downloads: Bool = false,
        minors: Bool = false,
        abroad: Bool = false
    ) -> ScopeAnswers {
        var answers = ScopeAnswers()
        answers.servesPublicInMainland = servesPublic
        answers.offeredThroughAPI = true
        answers.media = media
        answers.publicOpinion = publicOpinion
        answers.usersPublish = usersPublish
        answers.downloads = downloads
        answers.minorsMayUse = minors
        answers.providedFromAbroad = abroad
        return answers
    }

    static func verdict(_ answers: ScopeAnswers, _ requirement: String) throws -> ScopeDuty.Verdict {
        let duties = try #require(answers.duties)
        return try #require(duties.first { $0.requirements.contains(requirement) }).verdict
    }

    @Test(arguments: [
        // a text chatbot for the public: the Measures and the text label apply, no assessment
        (Self.answers(), "IM-2.1", ScopeDuty.Verdict.applies),
        (Self.answers(), "LBL-4.1", .applies),
        (Self.answers(), "LBL-4.3", .notRequired),
        (Self.answers(), "IM-17.1", .notRequired),
        (Self.answers(), "IM-17.2", .recommended),
        (Self.answers(), "LBL-5.1", .recommended),
        (Self.answers(), "IM-10.3", .recommended),
        (Self.answers(), "OPS-2.1", .recommended),
        // public-opinion attributes: assessment, filing and self-evaluation become duties
        (Self.answers(publicOpinion: true), "IM-17.1", .applies),
        (Self.answers(publicOpinion: true), "IM-17.2", .applies),
        (Self.answers(publicOpinion: true), "TC-9", .applies),
        (Self.answers(publicOpinion: true), "OPS-2.1", .applies),
        // images and exports: explicit image labels and metadata labels
        (Self.answers(media: [.text, .image]), "LBL-4.3", .applies),
        (Self.answers(downloads: true), "LBL-5.1", .applies),
        (Self.answers(media: [.video]), "LBL-4.4", .applies),
        (Self.answers(usersPublish: true), "OPS-2.1", .applies),
        (Self.answers(minors: true), "IM-10.3", .applies),
        // not serving the mainland public: the Measures do not apply
        (Self.answers(public: false, media: [.image], publicOpinion: true), "IM-2.1", .notRequired),
        (Self.answers(public: false, media: [.image], publicOpinion: true), "LBL-4.3", .notRequired),
        (Self.answers(public: false, media: [.image], publicOpinion: true), "IM-17.1", .notRequired),
        // from abroad: the same rules, or the service may be blocked (IM-20)
        (Self.answers(abroad: true), "IM-20.1", .applies),
        (Self.answers(), "IM-20.1", .notRequired),
        (Self.answers(public: false, abroad: true), "IM-20.1", .notRequired),
    ])
    func duties(answers: ScopeAnswers, requirement: String, verdict: ScopeDuty.Verdict) throws {
        #expect(try Self.verdict(answers, requirement) == verdict)
    }

    @Test func noChecklistWhileAQuestionIsUnanswered() {
        var answers = Self.answers()
        answers.publicOpinion = nil
        #expect(answers.duties == nil)
        #expect(answers.unanswered == ["public_opinion"])
        #expect(ScopeAnswers().unanswered == ScopeAnswers.questions.map(\.key))
    }
}
