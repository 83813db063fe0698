import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import Logging
import NIOConcurrencyHelpers
import NIOHTTP1
import Testing

/// The end-user duties on the wire (issue 6): each gate of the request path, the user API for apps
/// and the operator, tenants and keys, over a real SQLite file and real HTTP, with a test clock.
/// Requirement IDs: IM-9, IM-10.3, IM-11.5, IM-14.4–14.6, TC-7.7, OPS-2, OPS-6, OPS-8.
@Suite(.timeLimit(.minutes(10)))
struct EndUserGateTests {
    static let noon = TestClock.beijing("2026-11-30", 12, 0)

    static func withGateway(
        backend: StoreBackend = .sqlite,
        clock: TestClock = TestClock(Self.noon),
        users: GatewayConfiguration.Users = Self.users(),
        _ body: @Sendable (UserGateway) async throws -> Void
    ) async throws {
        try await backend.withStore { store, _ in
            try await UserGateway.with(store: store, clock: clock, users: users, body)
        }
    }

    /// The test settings (no caching between requests), changed by `change`.
    static func users(_ change: (inout GatewayConfiguration.Users) -> Void = { _ in }) -> GatewayConfiguration.Users {
        var users = GatewayConfiguration.Users()
        users.stateCacheMilliseconds = 0
        change(&users)
        return users
    }

    // MARK: Agreement (IM-9)

    @Test func agreementMustBeAcceptedAgainForANewMajorVersion() async throws {
        try await Self.withGateway(users: Self.users { $0.requireAgreement = true }) { gateway in
            // Nothing published yet: nothing to accept.
            #expect(try await gateway.chat(user: "alice").status == 200)

            let publish = { (version: String) in
                try await gateway.admin(
                    .POST,
                    "/admin/agreements",
                    ##"{"version":"\##(version)","text_zh":"# 协议 \##(version)","text_en":"# Agreement \##(version)"}"##
                )
            }
            #expect(try await publish("1.0").status == 201)
            let refused = try await gateway.chat(user: "alice")
            #expect(refused.status == 403)
            #expect(refused.errorCode == "agreement_required")
            let error = try #require(refused.object["error"]?.objectValue)
            #expect(error["agreement_version"]?.stringValue == "1.0")
            #expect(error["agreement_url"]?.stringValue == "/agreement")
            #expect(error["message_zh"]?.stringValue?.contains("服务协议") == true)

            let accepted = try await gateway.call(
                .POST,
                "/v1/hegui/users/alice/agreement",
                #"{"client_ip":"203.0.113.9"}"#
            )
            #expect(accepted.status == 201)
            #expect(accepted.object["version"]?.stringValue == "1.0")
            #expect(accepted.object["ip_sha256"]?.stringValue?.count == 64)
            #expect(try await gateway.chat(user: "alice").status == 200)

            // A minor version needs no new acceptance; a major one does.
            #expect(try await publish("1.1").status == 201)
            #expect(try await gateway.chat(user: "alice").status == 200)
            #expect(try await publish("1.0").status == 409)  // published texts never change or go back
            #expect(try await publish("2.0").status == 201)
            #expect(try await gateway.chat(user: "alice").errorCode == "agreement_required")
            #expect(try await gateway.call(.POST, "/v1/hegui/users/alice/agreement").status == 201)
            #expect(try await gateway.chat(user: "alice").status == 200)
            #expect(
                try await gateway.call(.POST, "/v1/hegui/users/alice/agreement", #"{"version":"9.9"}"#).status == 404
            )

            // Every acceptance is an audit event; the public page shows the current text escaped.
            let events = try await gateway.log.events(from: 0, limit: 1_000).map(\.0)
            #expect(events.filter { $0.type == "agreement.accepted" }.count == 2)
            #expect(events.filter { $0.type == "user.refused" }.count == 2)
            let page = try await gateway.call(.GET, "/agreement", bearer: nil)
            #expect(page.status == 200)
            #expect(page.text.contains("<h2>协议 2.0</h2>"))
            #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            let old = try await gateway.call(.GET, "/agreement?version=1.0&format=json", bearer: nil)
            #expect(old.object["text_en"]?.stringValue == "# Agreement 1.0")
        }
    }

    // MARK: Minors' mode (IM-10.3, OPS-6)

    @Test func minorsDailyLimitCountsSessionsAndRefusesWhenUsedUp() async throws {
        try await Self.withGateway(users: Self.users { $0.minors.bands[1].dailyMinutes = 3 }) { gateway in
            let patched = try await gateway.call(
                .PATCH,
                "/v1/hegui/users/kid",
                #"{"birth_year":2014,"locale":"zh-CN"}"#
            )
            #expect(patched.status == 200)
            #expect(patched.object["minors_band"]?.stringValue == "8to16")

            let first = try await gateway.chat(user: "kid")
            #expect(first.status == 200)
            #expect(first.header("X-Hegui-Minors-Mode") == "8to16")
            #expect(first.header("X-Hegui-Time-Remaining") == "120")  // 3 min − the session's first minute
            gateway.clock.advance(seconds: 100)
            #expect(try await gateway.chat(user: "kid").header("X-Hegui-Time-Remaining") == "20")
            gateway.clock.advance(seconds: 20)
            #expect(try await gateway.chat(user: "kid").header("X-Hegui-Time-Remaining") == "0")
            gateway.clock.advance(seconds: 1)
            let refused = try await gateway.chat(user: "kid")
            #expect(refused.status == 403)
            #expect(refused.errorCode == "minor_time_limit")
            #expect(refused.object["error"]?.objectValue?["resumes_at"]?.stringValue == "2026-12-01 06:00")
            #expect(Int(refused.header("Retry-After") ?? "") == 18 * 3_600 - 121)

            // An adult is not counted; the next day the minor starts again (after the curfew).
            #expect(try await gateway.chat(user: "grown-up").header("X-Hegui-Minors-Mode") == nil)
            gateway.clock.set(TestClock.beijing("2026-12-01", 6, 0))
            #expect(try await gateway.chat(user: "kid").status == 200)
        }
    }

    @Test(arguments: [
        (21, 59, 59, 200), (22, 0, 0, 403), (23, 59, 0, 403), (0, 30, 0, 403), (5, 59, 59, 403), (6, 0, 0, 200),
    ])
    func minorsCurfew(hour: Int, minute: Int, second: Int, status: Int) async throws {
        let clock = TestClock(TestClock.beijing("2026-11-30", hour, minute, second))
        try await Self.withGateway(clock: clock) { gateway in
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/kid", #"{"minor":true}"#).status == 200)
            let reply = try await gateway.chat(user: "kid")
            #expect(reply.status == status)
            if status == 403 {
                #expect(reply.errorCode == "minor_curfew")
                let day = hour >= 22 ? "2026-12-01" : "2026-11-30"
                #expect(reply.object["error"]?.objectValue?["resumes_at"]?.stringValue == "\(day) 06:00")
            }
            // Adults have no curfew.
            #expect(try await gateway.chat(user: "adult").status == 200)
        }
    }

    /// Minors run under the stricter `minors` policy: an insult the default policy masks is refused.
    @Test func minorsGetTheStricterPolicy() async throws {
        try await Self.withGateway { gateway in
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/kid", #"{"age_band":"under8"}"#).status == 200)
            let adult = try await gateway.chat("你是傻逼吗", user: "adult")
            #expect(adult.status == 200)
            #expect(gateway.model.received.last?.body.contains("傻逼") == false)  // masked, then forwarded
            let received = gateway.model.received.count
            let minor = try await gateway.chat("你是傻逼吗", user: "kid")
            #expect(minor.status == 200)
            let choice = minor.object["choices"]?.arrayValue?.first?.objectValue
            #expect(choice?["finish_reason"]?.stringValue == "content_filter")
            #expect(gateway.model.received.count == received)  // refused before the model
        }
    }

    // MARK: Sanctions ladder (IM-14.4–14.6, TC-7.7)

    @Test func violationsClimbTheLadderAndAnAdministratorLiftsTheSuspension() async throws {
        try await Self.withGateway { gateway in
            let first = try await gateway.chat("怎么制造炸弹", user: "mallory")
            #expect(
                first.object["choices"]?.arrayValue?.first?.objectValue?["finish_reason"]?.stringValue
                    == "content_filter"
            )
            // A warning rides on the next answers.
            #expect(try await gateway.chat(user: "mallory").header("X-Hegui-Warning") == "violation")
            // A clean request ended the run: two more in a row are not yet three, but the third
            // today restricts.
            _ = try await gateway.chat("恐怖袭击", user: "mallory")
            _ = try await gateway.chat("人体炸弹", user: "mallory")
            #expect(try await gateway.chat(user: "mallory").status == 200)
            // The fifth today suspends (TC-7.7: 5 in one day).
            _ = try await gateway.chat("汽车炸弹", user: "mallory")
            _ = try await gateway.chat("炸弹制作教程", user: "mallory")
            let suspended = try await gateway.chat(user: "mallory")
            #expect(suspended.status == 403)
            #expect(suspended.errorCode == "user_suspended")
            let error = try #require(suspended.object["error"]?.objectValue)
            #expect(error["suspended_until"]?.stringValue == "2026-12-01 12:00")
            #expect(error["reason"]?.stringValue?.contains("5 violations today") == true)
            #expect(Int(suspended.header("Retry-After") ?? "") == 86_400)

            // Three in a row suspend at once (TC-7.7: 3 consecutive).
            for prompt in ["恐怖袭击", "人体炸弹", "汽车炸弹"] { _ = try await gateway.chat(prompt, user: "eve") }
            let eve = try await gateway.chat(user: "eve")
            #expect(eve.errorCode == "user_suspended")
            #expect(eve.object["error"]?.objectValue?["reason"]?.stringValue?.contains("3 violations in a row") == true)
            // Another user is not touched.
            #expect(try await gateway.chat(user: "bob").status == 200)

            let listed = try await gateway.admin(.GET, "/admin/tenants/app-one/users/mallory/sanctions")
            let sanctions = (listed.object["sanctions"]?.arrayValue ?? []).compactMap { $0.objectValue }
            #expect(Set(sanctions.compactMap { $0["level"]?.stringValue }) == ["warning", "restriction", "suspension"])
            // Each step is an audit event naming the violations it rests on.
            let imposed = try await gateway.log.events(from: 0, limit: 1_000).map(\.0).filter {
                $0.type == "sanction.imposed"
            }
            #expect(imposed.filter { $0.user == imposed.first?.user }.count == 3)
            #expect(
                imposed.filter { $0.user == imposed.first?.user }.last?.details["violations"]?.split(separator: ",")
                    .count == 5
            )
            #expect(imposed.allSatisfy { $0.user != nil && $0.user != "mallory" })

            let id = try #require(sanctions.first { $0["level"]?.stringValue == "suspension" }?["id"]?.stringValue)

            // The user appeals through the app; the appeal is a complaint linked to the sanction,
            // its text kept as evidence.
            let appeal = try await gateway.call(
                .POST,
                "/v1/hegui/users/mallory/sanctions/\(id)/appeal",
                #"{"text":"我只是在写小说 I was writing a novel","contact":"mallory@example.com"}"#
            )
            #expect(appeal.status == 201)
            let ticket = try #require(appeal.object["ticket"]?.stringValue)
            #expect(appeal.object["sanction"]?.stringValue == id)
            #expect(
                try await gateway.call(.POST, "/v1/hegui/users/bob/sanctions/\(id)/appeal", #"{"text":"x"}"#).status
                    == 404
            )
            let own = try await gateway.call(.GET, "/v1/hegui/users/mallory/sanctions")
            let appealed = own.object["sanctions"]?.arrayValue?.compactMap(\.objectValue).first {
                $0["id"]?.stringValue == id
            }
            #expect(appealed?["appeals"]?.arrayValue?.first?.objectValue?["ticket"]?.stringValue == ticket)
            let appealEvent = try #require(
                try await gateway.log.events(from: 0, limit: 1_000).map(\.0).first { $0.type == "sanction.appealed" }
            )
            #expect(try await gateway.store.evidence(sequence: appealEvent.sequence)?.contains("小说") == true)
            #expect(try await gateway.store.complaint(id: ticket)?.contactSHA256?.count == 64)
            #expect(
                try await gateway.admin(.POST, "/admin/tenants/app-two/sanctions/\(id)/lift", #"{"reason":"x"}"#).status
                    == 404
            )
            let lifted = try await gateway.admin(
                .POST,
                "/admin/tenants/app-one/sanctions/\(id)/lift",
                #"{"reason":"申诉成立 appeal upheld (\#(ticket))"}"#
            )
            #expect(lifted.status == 200)
            #expect(lifted.object["lift_reason"]?.stringValue == "申诉成立 appeal upheld (\(ticket))")
            // The restriction still holds: a lower rate limit (5 a minute; three requests were
            // counted since it began) in this busy minute.
            #expect(try await gateway.chat(user: "mallory").status == 200)
            #expect(try await gateway.chat(user: "mallory").status == 200)
            let restricted = try await gateway.chat(user: "mallory")
            #expect(restricted.status == 429)
            #expect(restricted.object["error"]?.objectValue?["limit_scope"]?.stringValue == "user_requests_per_minute")
            gateway.clock.advance(seconds: 120)
            #expect(try await gateway.chat(user: "mallory").status == 200)

            // Reporting to the authorities (IM-14.5) and the export of reported users.
            let reported = try await gateway.admin(
                .PATCH,
                "/admin/tenants/app-one/sanctions/\(id)",
                #"{"reported":true,"note":"已报送"}"#
            )
            #expect(reported.object["reported_at"] != nil && reported.object["reported_at"] != .null)
            let export = try await gateway.admin(.GET, "/admin/sanctions/reported")
            #expect(export.object["reported"]?.arrayValue?.count == 1)

            // An administrator suspends by hand, with a reason the user sees.
            let manual = try await gateway.admin(
                .POST,
                "/admin/tenants/app-one/users/bob/sanctions",
                #"{"level":"termination","reason":"利用服务从事违法活动"}"#
            )
            #expect(manual.status == 201)
            let terminated = try await gateway.chat(user: "bob")
            #expect(terminated.errorCode == "user_suspended")
            #expect(terminated.object["error"]?.objectValue?["suspended_until"] == .null)
            #expect(terminated.header("Retry-After") == nil)
        }
    }

    // MARK: Quotas and rate limits

    @Test func perUserAndPerTenantRateLimits() async throws {
        try await Self.withGateway(users: Self.users { $0.requestsPerMinute = 2 }) { gateway in
            gateway.clock.set(TestClock.beijing("2026-11-30", 12, 0, 50))
            #expect(try await gateway.chat(user: "u1").status == 200)
            #expect(try await gateway.chat(user: "u1").status == 200)
            let limited = try await gateway.chat(user: "u1")
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.object["error"]?.objectValue?["limit_scope"]?.stringValue == "user_requests_per_minute")
            #expect(Int(limited.header("Retry-After") ?? "0")! >= 1)
            #expect(try await gateway.chat(user: "u2").status == 200)
            gateway.clock.advance(seconds: 130)
            #expect(try await gateway.chat(user: "u1").status == 200)

            // A tenant made through the admin API with its own limit.
            let created = try await gateway.admin(
                .POST,
                "/admin/tenants",
                #"{"id":"shop","name":"小店","requests_per_minute":1}"#
            )
            #expect(created.status == 201)
            let key = try #require(created.object["key"]?.objectValue?["key"]?.stringValue)
            #expect(try await gateway.chat(user: "a", key: key).status == 200)
            let tenantLimited = try await gateway.chat(user: "b", key: key)
            #expect(tenantLimited.status == 429)
            #expect(
                tenantLimited.object["error"]?.objectValue?["limit_scope"]?.stringValue == "tenant_requests_per_minute"
            )
        }
    }

    /// A budget read while a batch is being written counts that batch once: never more than was
    /// used (a false refusal), never less than was used before the read began.
    @Test(arguments: StoreBackend.allCases)
    func aBudgetReadDuringAFlushCountsEachBatchOnce(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            let ledger = UsageLedger(store: store, flushMilliseconds: 1, logger: Logger(label: "test"))
            // Counted before each add begins and after it ends: a read lies between the two.
            let begun = UsedCount()
            let added = UsedCount()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<150 {
                        begun.value.withLockedValue { $0 += 1 }
                        ledger.add(UsageRecord(requests: 1), tenant: "app", pseudonym: "p", day: 20_000)
                        added.value.withLockedValue { $0 += 1 }
                        if Bool.random() { await ledger.flush() }
                    }
                    await ledger.flush()
                }
                // Flushes with nothing or only new users to write, beside the ones with usage.
                group.addTask {
                    for round in 0..<300 {
                        if round % 3 == 0 {
                            ledger.noteNewUser(tenant: "app", pseudonym: "n\(round)", time: 1)
                        }
                        await ledger.flush()
                    }
                }
                group.addTask {
                    for _ in 0..<150 {
                        let before = added.value.withLockedValue { $0 }
                        let seen = try await ledger.usage(tenant: "app", pseudonym: "p", day: 20_000).requests
                        let after = begun.value.withLockedValue { $0 }
                        #expect(seen >= before && seen <= after, "\(before) ≤ \(seen) ≤ \(after)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await ledger.usage(tenant: "app", pseudonym: "p", day: 20_000).requests == 150)
        }
    }

    @Test func tokenBudgetPerDay() async throws {
        try await Self.withGateway(users: Self.users { $0.tokensPerDay = 20 }) { gateway in
            #expect(try await gateway.chat(user: "u1").status == 200)  // 7 prompt tokens + the answer's
            #expect(try await gateway.chat(user: "u1").status == 200)
            let over = try await gateway.chat(user: "u1")
            #expect(over.status == 429)
            #expect(over.object["error"]?.objectValue?["limit_scope"]?.stringValue == "user_tokens_per_day")
            // Midnight Beijing time starts a new day.
            #expect(Int(over.header("Retry-After") ?? "") == 12 * 3_600)
            gateway.clock.set(TestClock.beijing("2026-12-01", 0, 0))
            #expect(try await gateway.chat(user: "u1").status == 200)
        }
    }

    // MARK: Tenants and keys

    /// A tenant made at run time sets where its chat answers carry the explicit label (IM-12,
    /// LBL-4.1); `interface` is on record in the audit log.
    @Test func aStoredTenantChoosesItsChatLabel() async throws {
        try await Self.withGateway { gateway in
            let created = try await gateway.admin(
                .POST,
                "/admin/tenants",
                #"{"id":"kiosk","label_placement":"end","label_text":"以上内容由AI生成"}"#
            )
            #expect(created.status == 201)
            #expect(created.object["label_placement"] == "end")
            let key = try #require(created.object["key"]?.objectValue?["key"]?.stringValue)
            let answer = try await gateway.chat(user: "k1", key: key)
            let content = answer.object["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?
                .stringValue
            #expect(content?.hasSuffix("\n\n以上内容由AI生成") == true)
            #expect(answer.object["aigc"] != nil)

            let changed = try await gateway.admin(.PATCH, "/admin/tenants/kiosk", #"{"label_placement":"interface"}"#)
            #expect(changed.status == 200)
            let plain = try await gateway.chat(user: "k1", key: key)
            let text = plain.object["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?
                .stringValue
            #expect(text?.contains("AI生成") == false)
            #expect(plain.header("X-AIGC") != nil)
            let events = try await gateway.log.events(from: 0, limit: 1_000).map(\.0)
            #expect(events.contains { $0.type == "tenant.updated" && $0.details["label_placement"] == "interface" })

            for bad in [#"{"label_placement":"sideways"}"#, #"{"label_text":"内容由模型输出"}"#, #"{"label_text":5}"#] {
                let refused = try await gateway.admin(.PATCH, "/admin/tenants/kiosk", bad)
                #expect(refused.status == 400)
                #expect(refused.errorCode == "invalid_parameter")
            }
        }
    }

    @Test func tenantKeysAreShownOnceRotatedAndRevoked() async throws {
        try await Self.withGateway { gateway in
            let created = try await gateway.admin(
                .POST,
                "/admin/tenants",
                #"{"id":"school","name":"学校","policy":"minors"}"#
            )
            #expect(created.status == 201)
            let first = try #require(created.object["key"]?.objectValue)
            let key = try #require(first["key"]?.stringValue)
            let keyID = try #require(first["id"]?.stringValue)
            #expect(try await gateway.chat(user: "s", key: key).status == 200)
            // The tenant's policy is the strict one: an insult is refused.
            let strict = try await gateway.chat("傻逼", user: "s", key: key)
            #expect(
                strict.object["choices"]?.arrayValue?.first?.objectValue?["finish_reason"]?.stringValue
                    == "content_filter"
            )

            let keys = try await gateway.admin(.GET, "/admin/tenants/school/keys")
            #expect(!keys.text.contains(key))
            #expect(keys.object["keys"]?.arrayValue?.count == 1)

            let rotated = try await gateway.admin(.POST, "/admin/tenants/school/keys/\(keyID)/rotate")
            #expect(rotated.status == 201)
            let newKey = try #require(rotated.object["key"]?.stringValue)
            #expect(try await gateway.chat(user: "s", key: key).status == 401)
            #expect(try await gateway.chat(user: "s", key: newKey).status == 200)
            let newID = try #require(rotated.object["id"]?.stringValue)
            #expect(try await gateway.admin(.DELETE, "/admin/tenants/school/keys/\(newID)").status == 200)
            #expect(try await gateway.chat(user: "s", key: newKey).status == 401)

            let another = try await gateway.admin(.POST, "/admin/tenants/school/keys", #"{"label":"backup"}"#)
            let anotherKey = try #require(another.object["key"]?.stringValue)
            #expect(try await gateway.chat(user: "s", key: anotherKey).status == 200)
            #expect(try await gateway.admin(.PATCH, "/admin/tenants/school", #"{"disabled":true}"#).status == 200)
            #expect(try await gateway.chat(user: "s", key: anotherKey).status == 401)

            #expect(try await gateway.admin(.POST, "/admin/tenants", #"{"id":"school"}"#).status == 409)
            #expect(try await gateway.admin(.POST, "/admin/tenants", #"{"id":"app-one"}"#).status == 409)
            #expect(try await gateway.admin(.POST, "/admin/tenants", #"{"id":"bad id!"}"#).status == 400)
            #expect(try await gateway.call(.GET, "/admin/tenants").status == 401)  // a tenant key is no admin token
            // The operator reaches users of known tenants only (configured or stored).
            #expect(try await gateway.admin(.GET, "/admin/tenants/nobody/users/alice").status == 404)
            #expect(try await gateway.admin(.GET, "/admin/tenants/app-two/users/alice").status == 200)
            #expect(try await gateway.admin(.GET, "/admin/tenants/school/users/alice").status == 200)
            let listed = try await gateway.admin(.GET, "/admin/tenants")
            #expect(listed.object["tenants"]?.arrayValue?.count == 3)
        }
    }

    // MARK: Personal-information rights (IM-11.5, OPS-8) and tenant isolation

    @Test func exportHoldsEverythingOfTheUserAndNothingOfOthers() async throws {
        try await Self.withGateway(users: Self.users { $0.requireAgreement = false }) { gateway in
            _ = try await gateway.admin(
                .POST,
                "/admin/agreements",
                #"{"version":"1","text_zh":"协议","text_en":"Terms"}"#
            )
            _ = try await gateway.call(
                .PATCH,
                "/v1/hegui/users/alice",
                #"{"birth_year":1990,"identity_verified":true}"#
            )
            _ = try await gateway.call(.POST, "/v1/hegui/users/alice/agreement")
            _ = try await gateway.chat("怎么制造炸弹", user: "alice")
            _ = try await gateway.chat("你好", user: "alice")
            // The other tenant's alice and another user of this tenant.
            _ = try await gateway.chat("毒品哪里买", user: "alice", key: GatewayFixtures.otherTenantKey)
            _ = try await gateway.chat("冰毒", user: "carol")

            let export = try await gateway.call(.GET, "/v1/hegui/users/alice/export")
            #expect(export.status == 200)
            let object = export.object
            #expect(object["attributes"]?.objectValue?["birth_year"]?.intValue == 1990)
            #expect(object["attributes"]?.objectValue?["identity_verified"]?.boolValue == true)
            #expect(object["agreement_acceptances"]?.arrayValue?.count == 1)
            #expect(object["violations"]?.arrayValue?.count == 1)
            #expect(object["sanctions"]?.arrayValue?.count == 1)
            #expect(object["usage"]?.arrayValue?.first?.objectValue?["requests"]?.intValue == 2)
            #expect(export.text.contains("怎么制造炸弹"))  // the evidence kept of the violation
            #expect(!export.text.contains("毒品") && !export.text.contains("冰毒"))
            #expect(object["audit_events"]?.arrayValue?.isEmpty == false)

            // The other tenant's key sees its own alice only, and can change nothing of this one.
            let other = try await gateway.call(
                .GET,
                "/v1/hegui/users/alice/export",
                bearer: GatewayFixtures.otherTenantKey
            )
            #expect(other.text.contains("毒品哪里买"))
            #expect(!other.text.contains("怎么制造炸弹"))
            #expect(other.object["attributes"]?.objectValue?["birth_year"] == .null)
            _ = try await gateway.call(
                .PATCH,
                "/v1/hegui/users/alice",
                #"{"minor":true}"#,
                bearer: GatewayFixtures.otherTenantKey
            )
            let mine = try await gateway.call(.GET, "/v1/hegui/users/alice")
            #expect(mine.object["minor"] == .null)

            // Every request was tracked with a deadline of 15 working days.
            let requests = try await gateway.admin(.GET, "/admin/rights-requests?open=false&tenant=app-one")
            let access = try #require(requests.object["rights_requests"]?.arrayValue?.first?.objectValue)
            #expect(access["kind"]?.stringValue == "access")
            let due = try #require(access["due_at"]?.intValue)
            #expect(due == TestClock.beijing("2026-12-22", 0, 0) - 1)
        }
    }

    @Test func deletionErasesContentAndMappingAndTheLogStillVerifies() async throws {
        try await Self.withGateway { gateway in
            _ = try await gateway.call(.PATCH, "/v1/hegui/users/alice", #"{"birth_year":1990}"#)
            _ = try await gateway.chat("怎么制造炸弹", user: "alice")
            _ = try await gateway.chat("冰毒", user: "carol")
            await gateway.ledger.flush()  // mappings are written in batches
            let pseudonyms = try await gateway.store.pseudonyms(tenant: "app-one", user: "alice")
            #expect(pseudonyms.count == 1)

            let deleted = try await gateway.call(.DELETE, "/v1/hegui/users/alice")
            #expect(deleted.status == 200)
            #expect(deleted.object["evidence_erased"]?.intValue == 1)
            #expect(try await gateway.store.pseudonyms(tenant: "app-one", user: "alice").isEmpty)
            let pseudonym = try #require(pseudonyms.first)
            #expect(try await gateway.store.endUser(tenant: "app-one", pseudonym: pseudonym) == nil)

            // Carol's evidence stays; the log verifies; the deletion is itself an event.
            let events = try await gateway.log.events(from: 0, limit: 1_000).map(\.0)
            let carol = try #require(events.first { $0.type == "moderation.input" && $0.user != pseudonym })
            #expect(try await gateway.store.evidence(sequence: carol.sequence) == "冰毒")
            #expect(events.contains { $0.type == "user.deleted" && $0.user == pseudonym })
            #expect(try await gateway.log.verify().isEmpty)
            // The admin API's record of a call names no user id.
            _ = try await gateway.admin(.GET, "/admin/tenants/app-one/users/alice")
            let adminCalls = try await gateway.log.events(from: 0, limit: 1_000).map(\.0).filter {
                $0.type == "admin.request"
            }
            #expect(adminCalls.last?.details["path"] == "/admin/tenants/app-one/users/{user}")
        }
    }

    @Test func trainingConsentWithdrawalAndCorrections() async throws {
        try await Self.withGateway(users: Self.users { $0.trainingConsentDefault = true }) { gateway in
            let before = try await gateway.call(.GET, "/v1/hegui/users/alice/export")
            #expect(before.object["training_consent_effective"]?.boolValue == true)
            let withdrawn = try await gateway.call(.POST, "/v1/hegui/users/alice/training-consent/withdraw")
            #expect(withdrawn.object["training_consent"]?.boolValue == false)
            let corrected = try await gateway.call(.POST, "/v1/hegui/users/alice/correction", #"{"locale":"en-GB"}"#)
            #expect(corrected.object["locale"]?.stringValue == "en-GB")
            let kinds = try await gateway.admin(.GET, "/admin/rights-requests?open=false")
                .object["rights_requests"]?.arrayValue?.compactMap { $0.objectValue?["kind"]?.stringValue }
            #expect(Set(kinds ?? []) == ["access", "consent_withdrawal", "correction"])

            // Bad input gets a clear error and changes nothing.
            let bad = try await gateway.call(.PATCH, "/v1/hegui/users/alice", #"{"birth_year":"1990"}"#)
            #expect(bad.status == 400)
            #expect(bad.text.contains("birth_year"))
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/alice", #"{"nickname":"x"}"#).status == 400)
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/alice", #"{"age_band":"toddler"}"#).status == 400)
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/alice", "{not json").errorCode == "invalid_json")
            #expect(try await gateway.call(.PATCH, "/v1/hegui/users/alice", "[1]").status == 400)
            #expect(try await gateway.call(.GET, "/v1/hegui/users/alice", bearer: "wrong").status == 401)

            // An open request for the operator, listed as open until completed.
            let opened = try await gateway.admin(
                .POST,
                "/admin/tenants/app-one/users/alice/rights-requests",
                #"{"kind":"deletion"}"#
            )
            #expect(opened.status == 201)
            let id = try #require(opened.object["id"]?.stringValue)
            let open = try await gateway.admin(.GET, "/admin/rights-requests")
            #expect(open.object["rights_requests"]?.arrayValue?.count == 1)
            #expect(
                try await gateway.admin(
                    .POST,
                    "/admin/rights-requests/\(id)/complete",
                    #"{"outcome":"deleted by the app"}"#
                ).status == 200
            )
            #expect(
                try await gateway.admin(.GET, "/admin/rights-requests").object["rights_requests"]?.arrayValue?.isEmpty
                    == true
            )
        }
    }
}

/// A count shared between a test's tasks.
private final class UsedCount: Sendable {
    let value = NIOLockedValueBox(0)
}
