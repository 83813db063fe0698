import HeguiCore
import Testing

/// The pure rules behind the end-user gate (issue 6): Beijing time and dates, the working-day
/// calendar (OPS-8.3), minors' mode (IM-10.3, OPS-6), the sanctions ladder (IM-14.4, TC-7.7),
/// rate windows, agreement versions (IM-9) and the agreement page's escaping.
@Suite struct EndUserRulesTests {
    /// Milliseconds of a Beijing wall-clock time.
    static func beijing(_ date: String, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
        let day = CivilDate(date)!.daysSince1970
        return LocalTime.beijing.start(ofDay: day) + Int64(((hour * 60 + minute) * 60 + second) * 1_000)
    }

    @Test(arguments: [
        ("1970-01-01", 0, 4), ("2026-11-29", 20_786, 7), ("2000-02-29", 11_016, 2), ("1969-12-31", -1, 3),
        ("2027-01-01", 20_819, 5),
    ])
    func civilDates(text: String, days: Int, weekday: Int) {
        let date = CivilDate(text)!
        #expect(date.daysSince1970 == days)
        #expect(CivilDate(daysSince1970: days) == date)
        #expect(date.description == text)
        #expect(date.weekday == weekday)
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "26-01-01", "2026-1-1", "abcd-ef-gh", ""])
    func invalidDates(text: String) {
        #expect(CivilDate(text) == nil)
    }

    @Test func beijingDayBoundaries() {
        let zone = LocalTime.beijing
        // 2026-11-29 00:00 Beijing is 2026-11-28 16:00 UTC.
        let midnight = Self.beijing("2026-11-29", 0, 0)
        #expect(zone.date(of: midnight).description == "2026-11-29")
        #expect(zone.date(of: midnight - 1).description == "2026-11-28")
        #expect(zone.millisecondOfDay(midnight + 3_600_000) == 3_600_000)
    }

    /// 15 working days from a Friday, across a weekend, a listed holiday and a make-up workday.
    @Test(arguments: [
        ("2026-11-27", 1, [String](), [String](), "2026-11-30"),  // Friday → Monday
        ("2026-11-27", 15, [], [], "2026-12-18"),
        ("2026-11-27", 15, ["2026-12-01"], [], "2026-12-21"),  // a holiday pushes it a day
        ("2026-11-27", 15, ["2026-12-01"], ["2026-11-29"], "2026-12-18"),  // a working Sunday pulls it back
        ("2026-11-28", 0, [], [], "2026-11-28"),
    ])
    func workingDays(start: String, count: Int, holidays: [String], weekends: [String], due: String) throws {
        let calendar = WorkingDayCalendar(
            holidays: Set(holidays.compactMap(CivilDate.init)),
            workingWeekends: Set(weekends.compactMap(CivilDate.init))
        )
        #expect(try calendar.adding(workingDays: count, to: CivilDate(start)!).description == due)
    }

    @Test func deadlineIsTheEndOfTheDueDay() throws {
        let calendar = WorkingDayCalendar()
        let received = Self.beijing("2026-11-27", 23, 30)
        #expect(try calendar.deadline(workingDays: 1, after: received) == Self.beijing("2026-12-01", 0, 0) - 1)
    }

    // MARK: Minors' mode

    @Test(
        arguments: [
            (MinorsPolicy.Age(birthYear: 2020), "under8"),
            // 7 or 8 this year: the younger age counts (the protective reading).
            (MinorsPolicy.Age(birthYear: 2018), "under8"),
            (MinorsPolicy.Age(birthYear: 2017), "8to16"),
            (MinorsPolicy.Age(birthYear: 2010), "8to16"),  // 15 or 16: the younger age counts
            (MinorsPolicy.Age(birthYear: 2009), "16to18"),
            (MinorsPolicy.Age(birthYear: 2008), "16to18"),
            (MinorsPolicy.Age(birthYear: 2007), nil),
            (MinorsPolicy.Age(isMinor: true), "8to16"),
            (MinorsPolicy.Age(isMinor: false), nil),
            (MinorsPolicy.Age(), nil),
            (MinorsPolicy.Age(band: "under8", birthYear: 1990), "under8"),
            (MinorsPolicy.Age(band: "adult"), nil),
            (MinorsPolicy.Age(band: "adult", isMinor: true), "8to16"),
            (MinorsPolicy.Age(birthYear: 1990, isMinor: true), "8to16"),
        ] as [(MinorsPolicy.Age, String?)]
    )
    func bands(age: MinorsPolicy.Age, band: String?) {
        let now = Self.beijing("2026-11-29", 12, 0)
        #expect(MinorsPolicy().band(of: age, at: now)?.name == band)
    }

    @Test func disabledMinorsModeHasNoBands() {
        var policy = MinorsPolicy()
        policy.isEnabled = false
        #expect(policy.band(of: .init(birthYear: 2020), at: 0) == nil)
    }

    /// The curfew's edges (OPS-6 asks for 21:59 / 22:00 / 05:59 / 06:00) and the daily cap's
    /// (cap − 1 s / cap), in Beijing time.
    @Test(arguments: [
        (21, 59, 59, 0, "allowed"),
        (22, 0, 0, 0, "curfew"),
        (23, 30, 0, 0, "curfew"),
        (0, 0, 0, 0, "curfew"),
        (5, 59, 59, 0, "curfew"),
        (6, 0, 0, 0, "allowed"),
        (12, 0, 0, 3_599, "allowed"),
        (12, 0, 0, 3_600, "limit"),
        (12, 0, 0, 9_000, "limit"),
    ])
    func curfewAndLimit(hour: Int, minute: Int, second: Int, used: Int, expected: String) throws {
        let policy = MinorsPolicy()
        let band = try #require(policy.bands.first { $0.name == "8to16" })
        let time = Self.beijing("2026-11-29", hour, minute, second)
        switch policy.check(band: band, usedSeconds: used, at: time) {
        case .allowed(_, let remaining):
            #expect(expected == "allowed")
            #expect(remaining == 3_600 - used)
        case .curfew(_, let resumesAt):
            #expect(expected == "curfew")
            let day = hour >= 22 ? "2026-11-30" : "2026-11-29"
            #expect(resumesAt == Self.beijing(day, 6, 0))
        case .timeLimit(_, let resumesAt):
            #expect(expected == "limit")
            // Midnight falls in the curfew: service resumes when the curfew ends.
            #expect(resumesAt == Self.beijing("2026-11-30", 6, 0))
        }
    }

    @Test func limitWithoutCurfewResumesAtMidnight() throws {
        var policy = MinorsPolicy()
        policy.curfew = nil
        let band = try #require(policy.bands.first)
        let decision = policy.check(band: band, usedSeconds: 2_400, at: Self.beijing("2026-11-29", 23, 0))
        #expect(decision == .timeLimit(band: "under8", resumesAt: Self.beijing("2026-11-30", 0, 0)))
    }

    @Test(
        arguments: [
            (nil, 1_000_000, 60_000), (Int64(990_000), 1_000_000, 10_000), (Int64(700_000), 1_000_000, 300_000),
            (Int64(699_999), 1_000_000, 60_000), (Int64(1_100_000), 1_000_000, 60_000),
        ] as [(Int64?, Int64, Int64)]
    )
    func sessions(last: Int64?, now: Int64, added: Int64) {
        #expect(MinorsPolicy().activeMilliseconds(since: last, at: now) == added)
    }

    @Test(arguments: [
        (0, 60, false), (1_740, 1_800, true), (1_800, 1_860, false), (3_500, 3_700, true), (100, 200, false),
    ])
    func reminders(before: Int, after: Int, due: Bool) {
        #expect(MinorsPolicy().isReminderDue(before: before, after: after) == due)
    }

    // MARK: Sanctions ladder

    /// The ladder's transitions with the default thresholds (TC-7.7: 3 in a row or 5 a day suspend).
    @Test(
        arguments: [
            (1, 1, [Int64](), nil, SanctionLevel.warning),
            (2, 2, [], .warning, nil),
            (3, 1, [], .warning, .restriction),
            (3, 3, [], .warning, .suspension),
            (4, 2, [], .restriction, nil),
            (5, 1, [], .restriction, .suspension),
            (6, 1, [], .suspension, nil),
            (5, 5, [-10_000_000, -5_000_000], nil, .termination),  // the third suspension in 90 days
            (5, 5, [-100 * 86_400_000, -5_000_000], nil, .suspension),  // one of them is too old
            (1, 1, [], .termination, nil),
        ] as [(Int, Int, [Int64], SanctionLevel?, SanctionLevel?)]
    )
    func ladder(today: Int, consecutive: Int, suspensions: [Int64], active: SanctionLevel?, next: SanctionLevel?) {
        let time: Int64 = 1_800_000_000_000
        let standing = SanctionsLadder.Standing(
            violationsToday: today,
            consecutiveViolations: consecutive,
            suspensionTimes: suspensions.map { time + $0 },
            activeLevel: active
        )
        let step = SanctionsLadder().step(after: standing, at: time)
        #expect(step?.level == next)
        if let step {
            #expect(step.expiresAt == (step.level == .termination ? nil : time + 86_400_000))
            #expect(!step.reason.isEmpty)
        }
    }

    @Test func disabledLadderImposesNothing() {
        var ladder = SanctionsLadder()
        ladder.isEnabled = false
        #expect(ladder.step(after: .init(violationsToday: 9, consecutiveViolations: 9), at: 0) == nil)
    }

    // MARK: Rate windows

    @Test(arguments: [
        // limit, previous, current, ms into the window, allowed, retry-after seconds
        (10, 0, 10, 30_000, true, 0),
        (10, 0, 11, 30_000, false, 36),  // 30 s to the next window, then 11·(1 − t) ≤ 10 after 5.45 s
        (10, 10, 5, 30_000, true, 0),  // 10·0.5 + 5 = 10
        (10, 10, 6, 30_000, false, 6),  // 10·(1 − t) + 6 ≤ 10 at t = 0.6: 6 s more
        (10, 20, 1, 0, false, 33),
    ])
    func rateWindow(limit: Int, previous: Int, current: Int, offset: Int64, allowed: Bool, retry: Int) {
        let window = RateWindow(limit: limit)
        let time = 60_000 * 1_000 + offset
        #expect(window.allows(previous: previous, current: current, at: time) == allowed)
        if !allowed {
            #expect(window.retryAfterSeconds(previous: previous, current: current, at: time) == retry)
        }
    }

    // MARK: Agreements and pages

    @Test(arguments: [("1", 1, 0), ("2.1", 2, 1), ("10.20", 10, 20)])
    func agreementVersions(text: String, major: Int, minor: Int) {
        #expect(AgreementVersion(text) == AgreementVersion(major: major, minor: minor))
    }

    @Test(arguments: ["", "1.", ".1", "1.2.3", "a", "-1", "1.x", "１.0"])
    func invalidAgreementVersions(text: String) {
        #expect(AgreementVersion(text) == nil)
    }

    @Test(arguments: [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("# 标题 \"x\"", "<h2>标题 &quot;x&quot;</h2>\n"),
        ("- a<b>\n- **c**", "<ul><li>a&lt;b&gt;</li><li><strong>c</strong></li></ul>\n"),
        ("1. 一\n2. 二", "<ol><li>一</li><li>二</li></ol>\n"),
        ("line one\nline 'two'", "<p>line one<br>line &#39;two&#39;</p>\n"),
        ("**<img src=x onerror=alert(1)>**", "<p><strong>&lt;img src=x onerror=alert(1)&gt;</strong></p>\n"),
        (
            "| a | b<i> |\n|---|---|\n| 1 \\| 2 | **3** |",
            "<table><thead><tr><th>a</th><th>b&lt;i&gt;</th></tr></thead><tbody><tr><td>1 | 2</td>"
                + "<td><strong>3</strong></td></tr></tbody></table>\n"
        ),
        ("| x |\n| y |", "<table><tbody><tr><td>x</td></tr><tr><td>y</td></tr></tbody></table>\n"),
        ("para\n| t |\nafter", "<p>para</p>\n<table><tbody><tr><td>t</td></tr></tbody></table>\n<p>after</p>\n"),
    ])
    func markdownIsEscaped(markdown: String, html: String) {
        #expect(MarkdownPage.render(markdown) == html)
    }

    @Test func reportsStartAtTheTopHeading() {
        #expect(MarkdownPage.render("# 报告\n## 一", topHeading: 1) == "<h1>报告</h1>\n<h2>一</h2>\n")
    }

    @Test(arguments: [("你好", 2), ("hello world", 3), ("", 0), ("你好 ok", 3)])
    func tokenEstimates(text: String, tokens: Int) {
        #expect(TokenEstimate.count(text) == tokens)
    }
}
