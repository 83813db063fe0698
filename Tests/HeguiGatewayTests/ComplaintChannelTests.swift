import AsyncHTTPClient
import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import Testing

/// The complaint and report channel on the wire (issue 7; IM-15, IM-14): the public pages with
/// CSRF, validation, escaping and access codes; the API for apps; the officer's workflow with the
/// time limit on a test clock; every step audited.
@Suite(.timeLimit(.minutes(10)))
struct ComplaintChannelTests {
    static func withGateway(
        clock: TestClock = TestClock(TestClock.beijing("2026-11-30", 10, 0)),
        _ body: @Sendable (UserGateway) async throws -> Void
    ) async throws {
        try await StoreBackend.sqlite.withStore { store, _ in
            var users = GatewayConfiguration.Users()
            users.stateCacheMilliseconds = 0
            try await UserGateway.with(store: store, clock: clock, users: users, body)
        }
    }

    static func fields(_ csrf: String?, _ extra: [(String, String)]) -> [(String, String)] {
        [("csrf", csrf ?? "")] + extra
    }

    @Test func theFormPublishesTheProcessAndTimeLimitInBothLanguages() async throws {
        try await Self.withGateway { gateway in
            let (zh, cookie, csrf) = try await gateway.page("/complaints")
            #expect(zh.status == 200)
            #expect(zh.text.contains("处理流程"))
            #expect(zh.text.contains("15 个工作日内反馈"))
            #expect(zh.text.contains(#"<label for="description">"#))
            #expect(cookie?.hasPrefix("hegui_csrf=") == true)
            #expect(csrf?.isEmpty == false)
            #expect(zh.header("Set-Cookie")?.contains("SameSite=Strict") == true)
            #expect(zh.header("Set-Cookie")?.contains("HttpOnly") == true)
            #expect(zh.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            for category in ComplaintCategory.allCases {
                #expect(zh.text.contains(#"value="\#(category.rawValue)""#))
            }
            let (en, _, _) = try await gateway.page("/complaints?lang=en")
            #expect(en.text.contains("within 15 working days"))
            #expect(en.text.contains(#"lang="en""#))
            #expect(!en.text.contains("<script"))
        }
    }

    @Test func aSubmissionNeedsTheCookieAndItsToken() async throws {
        try await Self.withGateway { gateway in
            let (_, cookie, csrf) = try await gateway.page("/complaints")
            let fields = Self.fields(csrf, [("category", "other"), ("description", "这是一条投诉内容")])
            #expect(try await gateway.postForm("/complaints", fields, cookie: nil).status == 403)
            #expect(
                try await gateway.postForm(
                    "/complaints",
                    Self.fields("1.2.3", Array(fields.dropFirst())),
                    cookie: cookie
                ).status == 403
            )
            let (_, otherCookie, _) = try await gateway.page("/complaints")
            #expect(try await gateway.postForm("/complaints", fields, cookie: otherCookie).status == 403)
            #expect(try await gateway.postForm("/complaints", fields, cookie: cookie).status == 201)
            // Nothing refused was filed.
            #expect(try await gateway.store.complaints(status: nil, limit: 10).count == 1)
        }
    }

    @Test func badInputComesBackWithMessagesAndNothingLostAndEverythingEscaped() async throws {
        try await Self.withGateway { gateway in
            let (_, cookie, csrf) = try await gateway.page("/complaints")
            let typed = #"<script>alert("x")</script> 短"#
            let bad = try await gateway.postForm(
                "/complaints",
                Self.fields(
                    csrf,
                    [("category", "minors"), ("description", "短"), ("content", typed), ("contact", "a@b.cn")]
                ),
                cookie: cookie
            )
            #expect(bad.status == 400)
            #expect(bad.text.contains("至少 5 个字"))
            #expect(bad.text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 短"))
            #expect(!bad.text.contains("<script>alert"))
            #expect(bad.text.contains(#"value="a@b.cn""#))
            #expect(bad.text.contains(#"<option value="minors" selected>"#))
            let noCategory = try await gateway.postForm(
                "/complaints",
                Self.fields(csrf, [("category", "nonsense"), ("description", "描述足够长的内容")]),
                cookie: cookie
            )
            #expect(noCategory.status == 400)
            #expect(noCategory.text.contains("描述足够长的内容"))
            let notUTF8 = try await gateway.postForm("/complaints", [("x", "\u{FFFD}")], cookie: cookie)
            #expect(notUTF8.status == 403)  // no valid token: refused before anything else
        }
    }

    @Test func theTicketIsReadOnlyWithItsCodeAndTheWholeWorkflowShows() async throws {
        try await Self.withGateway { gateway in
            let (_, cookie, csrf) = try await gateway.page("/complaints")
            let filed = try await gateway.postForm(
                "/complaints",
                Self.fields(
                    csrf,
                    [
                        ("category", "illegal_content"), ("description", #"它教人<img src=x onerror=alert(1)>诈骗"#),
                        ("content", "req_0123456789abcdef"), ("contact", "13800138000"),
                    ]
                ),
                cookie: cookie
            )
            #expect(filed.status == 201)
            #expect(filed.header("Cache-Control") == "no-store")
            let ticket = try #require(Self.span("ticket", in: filed.text))
            let code = try #require(Self.span("access-code", in: filed.text))
            #expect(code.count == 20)
            #expect(filed.text.contains("2026-12-21 23:59"))  // 15 working days from Monday 2026-11-30

            // Unknown ticket and wrong code look the same; the right code shows the timeline.
            let (_, statusCookie, statusCSRF) = try await gateway.page("/complaints/status", cookie: cookie)
            let wrong = try await gateway.postForm(
                "/complaints/status",
                Self.fields(statusCSRF, [("ticket", ticket), ("code", "AAAAAAAAAAAAAAAAAAAA")]),
                cookie: statusCookie
            )
            let unknown = try await gateway.postForm(
                "/complaints/status",
                Self.fields(statusCSRF, [("ticket", "C20261130-00000000"), ("code", code)]),
                cookie: statusCookie
            )
            #expect(wrong.status == 404 && unknown.status == 404)
            #expect(wrong.text.contains("工单号或查询码不正确") && unknown.text.contains("工单号或查询码不正确"))
            let api = try await gateway.call(.GET, "/v1/complaints/\(ticket)")
            #expect(api.status == 404)  // no code, no ticket

            // The officer takes it on, asks for more, the complainant answers, the officer decides.
            let act = { (body: String) in try await gateway.admin(.POST, "/admin/complaints/\(ticket)/actions", body) }
            #expect(try await act(#"{"action":"accept","assignee":"officer-1"}"#).status == 200)
            #expect(try await act(#"{"action":"note","text":"内部备注：核查日志"}"#).status == 200)
            #expect(try await act(#"{"action":"request_info","text":"请提供对话截图的文字"}"#).status == 200)
            let answered = try await gateway.postForm(
                "/complaints/respond",
                Self.fields(statusCSRF, [("ticket", ticket), ("code", code), ("text", "对话内容如下……")]),
                cookie: statusCookie
            )
            #expect(answered.status == 200)
            #expect(try await act(#"{"action":"close"}"#).status == 409)  // not decided yet
            #expect(try await act(#"{"action":"resolve"}"#).status == 400)  // feedback is required
            #expect(try await act(#"{"action":"resolve","text":"已删除违法内容并处置账号 <b>ok</b>"}"#).status == 200)
            #expect(try await act(#"{"action":"resolve","text":"again"}"#).status == 409)
            #expect(try await act(#"{"action":"close"}"#).status == 200)
            #expect(try await act(#"{"action":"bogus"}"#).status == 400)

            let shown = try await gateway.postForm(
                "/complaints/status?lang=en",
                Self.fields(statusCSRF, [("ticket", ticket.lowercased()), ("code", code)]),
                cookie: statusCookie
            )
            #expect(shown.status == 200)
            #expect(shown.text.contains(#"id="status">Closed"#))
            #expect(shown.text.contains("已删除违法内容并处置账号 &lt;b&gt;ok&lt;/b&gt;"))
            #expect(shown.text.contains("请提供对话截图的文字"))
            #expect(!shown.text.contains("内部备注"))  // notes stay internal
            #expect(!shown.text.contains("nil"))

            // The officer sees everything, the complainant's words included, escaped nowhere needed.
            let detail = try await gateway.admin(.GET, "/admin/complaints/\(ticket)")
            #expect(detail.object["text"]?.stringValue?.contains("诈骗") == true)
            #expect(detail.object["content_ref"]?.stringValue == "req_0123456789abcdef")
            #expect(detail.object["timeline"]?.arrayValue?.count == 7)
            let types = try await gateway.log.events(from: 0, limit: 1_000).map(\.0.type)
            for type in [
                "complaint.received", "complaint.accept", "complaint.note", "complaint.request_info",
                "complaint.respond", "complaint.resolve", "complaint.close",
            ] {
                #expect(types.contains(type), "\(type)")
            }
            // The contact is kept only as a keyed hash.
            let stored = try #require(try await gateway.store.complaint(id: ticket))
            #expect(stored.contactSHA256?.count == 64)
            #expect(stored.accessSHA256 != code)
        }
    }

    @Test func overdueTicketsAreFlaggedOnTheTestClock() async throws {
        let clock = TestClock(TestClock.beijing("2026-11-30", 10, 0))
        try await Self.withGateway(clock: clock) { gateway in
            let filed = try await gateway.call(
                .POST,
                "/v1/complaints",
                #"{"category":"personal_information","description":"请删除我的对话记录","contact":"me@example.cn","language":"en"}"#
            )
            #expect(filed.status == 201)
            let ticket = try #require(filed.object["ticket"]?.stringValue)
            let code = try #require(filed.object["access_code"]?.stringValue)
            #expect(try await gateway.admin(.GET, "/admin/complaints?overdue=true").object["overdue"]?.intValue == 0)
            clock.set(TestClock.beijing("2026-12-21", 23, 59))
            #expect(try await gateway.admin(.GET, "/admin/complaints?overdue=true").object["overdue"]?.intValue == 0)
            clock.set(TestClock.beijing("2026-12-22", 0, 0))
            // /metrics shows it (every replica recounts from the store).
            let registry = PrometheusCollectorRegistry()
            let sla = ComplaintSLAService(
                complaints: gateway.complaints,
                factory: GatewayMetrics.makeFactory(registry: registry),
                interval: .seconds(60),
                logger: Logger(label: "test")
            )
            await sla.update()
            var rendered: [UInt8] = []
            registry.emit(into: &rendered)
            let metrics = String(decoding: rendered, as: UTF8.self)
            #expect(metrics.contains("hegui_complaints_overdue 1"))
            #expect(metrics.contains("hegui_complaints_open 1"))
            let overdue = try await gateway.admin(.GET, "/admin/complaints?overdue=true")
            #expect(overdue.object["complaints"]?.arrayValue?.first?.objectValue?["ticket"]?.stringValue == ticket)
            #expect(try await gateway.admin(.GET, "/admin/complaints?status=weird").status == 400)

            // Apps read their ticket with the code in a header (never in the URL).
            var request = HTTPClientRequestForCode(gateway: gateway, ticket: ticket, code: code)
            let read = try await request.send()
            #expect(read.status == 200)
            #expect(read.object["status"]?.stringValue == "received")
            request.code = code.lowercased()
            #expect(try await request.send().status == 200)  // codes are case-insensitive
            request.code = String(code.dropLast())
            #expect(try await request.send().status == 404)
            #expect(
                try await gateway.call(.POST, "/v1/complaints", #"{"category":"other","description":5}"#).status == 400
            )
            #expect(
                try await gateway.call(.POST, "/v1/complaints", #"{"category":"x","description":"一段描述"}"#).status == 400
            )
        }
    }

    @Test func attachmentsAreTypeAndSizeCheckedAndServedOnlyAsDownloads() async throws {
        try await Self.withGateway { gateway in
            let (_, cookie, csrf) = try await gateway.page("/complaints")
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)
            let fields = [("csrf", csrf ?? ""), ("category", "illegal_content"), ("description", "附件里是截图和对话记录")]
            let exe = try await gateway.postMultipart(
                "/complaints",
                fields,
                files: [("attachments", "tool.exe", "application/octet-stream", [0x4D, 0x5A, 0x90, 0x00])],
                cookie: cookie
            )
            #expect(exe.status == 400)
            #expect(exe.text.contains("“tool.exe”不是 PNG"))
            #expect(exe.text.contains("附件里是截图和对话记录"))  // what was typed is kept
            let tooMany = try await gateway.postMultipart(
                "/complaints",
                fields,
                files: (0..<4).map { ("attachments", "s\($0).png", "image/png", png) },
                cookie: cookie
            )
            #expect(tooMany.status == 400)
            let tooBig = try await gateway.postMultipart(
                "/complaints",
                fields,
                files: [("attachments", "big.png", "image/png", png + Array(repeating: 0, count: 2 << 20))],
                cookie: cookie
            )
            #expect(tooBig.status == 400)
            #expect(tooBig.text.contains("超过 2 MB"))

            let filed = try await gateway.postMultipart(
                "/complaints",
                fields,
                files: [
                    ("attachments", "截图<1>.png", "image/png", png),
                    ("attachments", "chat.txt", "text/html", Array("对话：教你刷单".utf8)),
                ],
                cookie: cookie
            )
            #expect(filed.status == 201)
            let ticket = try #require(ComplaintChannelTests.span("ticket", in: filed.text))
            let detail = try await gateway.admin(.GET, "/admin/complaints/\(ticket)")
            let attachments = (detail.object["attachments"]?.arrayValue ?? []).compactMap { $0.objectValue }
            #expect(attachments.map { $0["filename"]?.stringValue } == ["截图<1>.png", "chat.txt"])
            // The type is what the bytes are, not what the browser claimed.
            #expect(attachments.map { $0["content_type"]?.stringValue } == ["image/png", "text/plain; charset=utf-8"])
            let download = try await gateway.call(
                .GET,
                "/admin/complaints/\(ticket)/attachments/1",
                bearer: UserGateway.adminToken
            )
            #expect(download.text == "对话：教你刷单")
            #expect(download.header("Content-Disposition")?.hasPrefix("attachment;") == true)
            #expect(download.header("X-Content-Type-Options") == "nosniff")
            #expect(try await gateway.call(.GET, "/admin/complaints/\(ticket)/attachments/1").status == 401)
            #expect(try await gateway.admin(.GET, "/admin/complaints/\(ticket)/attachments/9").status == 404)

            // Apps send files as base64.
            let viaAPI = try await gateway.call(
                .POST,
                "/v1/complaints",
                #"{"category":"other","description":"接口提交带附件","attachments":[{"filename":"a.pdf","data_base64":"JVBERi0xLjcK"}]}"#
            )
            #expect(viaAPI.status == 201)
            let bad = try await gateway.call(
                .POST,
                "/v1/complaints",
                #"{"category":"other","description":"接口提交带附件","attachments":[{"filename":"a.exe","data_base64":"TVqQAA=="}]}"#
            )
            #expect(bad.status == 400)
        }
    }

    @Test func submissionsAreLimitedPerClient() async throws {
        try await Self.withGateway { gateway in
            let (_, cookie, csrf) = try await gateway.page("/complaints")
            var statuses: [Int] = []
            for index in 0..<11 {
                statuses.append(
                    try await gateway.postForm(
                        "/complaints",
                        Self.fields(csrf, [("category", "other"), ("description", "第 \(index) 条投诉内容")]),
                        cookie: cookie
                    ).status
                )
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == 201 })
            #expect(statuses.last == 429)
        }
    }

    @Test func resolvingAnAppealCanLiftItsSanction() async throws {
        try await Self.withGateway { gateway in
            let imposed = try await gateway.admin(
                .POST,
                "/admin/tenants/app-one/users/mallory/sanctions",
                #"{"level":"suspension","reason":"人工审核","hours":24}"#
            )
            let sanction = try #require(imposed.object["id"]?.stringValue)
            #expect(try await gateway.chat(user: "mallory").errorCode == "user_suspended")
            let appeal = try await gateway.call(
                .POST,
                "/v1/hegui/users/mallory/sanctions/\(sanction)/appeal",
                #"{"text":"我没有违规"}"#
            )
            let ticket = try #require(appeal.object["ticket"]?.stringValue)
            let resolved = try await gateway.admin(
                .POST,
                "/admin/complaints/\(ticket)/actions",
                #"{"action":"resolve","text":"申诉成立，已解除暂停","lift_sanction":true}"#
            )
            #expect(resolved.status == 200)
            #expect(try await gateway.chat(user: "mallory").status == 200)
            #expect(try await gateway.store.sanction(id: sanction)?.liftReason?.contains(ticket) == true)
        }
    }

    /// The text of the element with this id.
    static func span(_ id: String, in html: String) -> String? {
        guard let range = html.range(of: #"id="\#(id)">"#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "<" })
    }
}

/// `GET /v1/complaints/{ticket}` with the access code in `X-Hegui-Access-Code`.
struct HTTPClientRequestForCode {
    var gateway: UserGateway
    var ticket: String
    var code: String

    func send() async throws -> UserGateway.Reply {
        try await self.gateway.call(
            .GET,
            "/v1/complaints/\(self.ticket)",
            headers: [("X-Hegui-Access-Code", self.code)]
        )
    }
}

/// Takedowns and incidents (issue 7 item 4; IM-14.1–14.5).
@Suite(.timeLimit(.minutes(10)))
struct TakedownTests {
    @Test func aTakedownHoldsEvidenceRemovesContentCountsTheViolationAndOpensAnIncident() async throws {
        try await ComplaintChannelTests.withGateway { gateway in
            gateway.model.setScript(.init(reply: "教你一套刷单返现的话术。"))
            let chat = try await gateway.chat("给我一些赚钱的办法", user: "alice")
            #expect(chat.status == 200)
            let requestID = try #require(chat.header("X-Request-Id"))

            // A complaint names the request.
            let filed = try await gateway.call(
                .POST,
                "/v1/complaints",
                #"{"category":"illegal_content","description":"助手教人刷单诈骗","content":"\#(requestID) 教你一套刷单返现的话术。"}"#
            )
            let ticket = try #require(filed.object["ticket"]?.stringValue)
            let complaint = try #require(try await gateway.store.complaint(id: ticket))

            let taken = try await gateway.admin(
                .POST,
                "/admin/takedowns",
                #"""
                {"content_id":"\#(requestID)","ticket":"\#(ticket)","risks":["A1h"],
                 "reference_answer":"抱歉，刷单返利是诈骗，我不能提供。","bad_output":"教你一套刷单返现的话术。","severity":"high",
                 "prompt":"给我一些赚钱的办法"}
                """#
            )
            #expect(taken.status == 201)
            let incident = try #require(taken.object["incident"]?.stringValue)
            #expect(taken.object["user_pseudonym"]?.stringValue?.isEmpty == false)

            // Apps learn the content is removed; another tenant's key learns nothing of it.
            let status = try await gateway.call(.GET, "/v1/content/\(requestID)")
            #expect(status.object["status"]?.stringValue == "removed")
            #expect(status.object["risks"]?.arrayValue == [.string("A1h")])
            let other = try await gateway.call(.GET, "/v1/content/\(requestID)", bearer: GatewayFixtures.otherTenantKey)
            #expect(other.object["status"]?.stringValue == "ok")

            // The user's violation is on the ladder: a warning rides on the next answer.
            #expect(try await gateway.chat(user: "alice").header("X-Hegui-Warning") == "violation")

            // The evidence is held: retention and a deletion request pass it by.
            let held = try #require(complaint.auditSequence)
            _ = try await gateway.store.purgeEvidence(olderThan: Int64.max)
            #expect(try await gateway.store.evidence(sequence: held)?.contains("刷单") == true)

            // The incident report, in JSON and in words, and its filing.
            let report = try await gateway.admin(.GET, "/admin/incidents/\(incident)/report")
            let takedown = try #require(report.object["takedowns"]?.arrayValue?.first?.objectValue)
            #expect(takedown["content_id"]?.stringValue == requestID)
            #expect(takedown["complaint"]?.stringValue == ticket)
            #expect(takedown["held_evidence"]?.arrayValue?.contains(.number(String(held))) == true)
            let text = try await gateway.call(
                .GET,
                "/admin/incidents/\(incident)/report?format=text",
                bearer: UserGateway.adminToken
            )
            #expect(text.text.contains("事件编号 Incident: \(incident)"))
            #expect(text.text.contains("A1h"))
            let reported = try await gateway.admin(
                .POST,
                "/admin/incidents/\(incident)/status",
                #"{"status":"reported","note":"已报送网信办"}"#
            )
            #expect(reported.object["status"]?.stringValue == "reported")
            #expect(
                try await gateway.admin(.GET, "/admin/incidents?status=reported").object["incidents"]?.arrayValue?.count
                    == 1
            )

            // The rectification sample for safety training: alice's prompt only with her consent.
            let samples = try await gateway.call(.GET, "/admin/rectification-samples", bearer: UserGateway.adminToken)
            #expect(samples.text.contains("抱歉，刷单返利是诈骗"))
            #expect(samples.text.contains("教你一套刷单返现的话术"))
            #expect(samples.header("Content-Type")?.hasPrefix("application/x-ndjson") == true)
            #expect(samples.text.contains(#""prompt_withheld":"no training consent""#))  // no consent by default
            _ = try await gateway.call(.PATCH, "/v1/hegui/users/alice", #"{"training_consent":true}"#)
            let consented = try await gateway.call(.GET, "/admin/rectification-samples", bearer: UserGateway.adminToken)
            #expect(consented.text.contains(#""prompt":"给我一些赚钱的办法""#))
            _ = try await gateway.call(.POST, "/v1/hegui/users/alice/training-consent/withdraw")
            let withdrawn = try await gateway.call(.GET, "/admin/rectification-samples", bearer: UserGateway.adminToken)
            #expect(!withdrawn.text.contains("教你一套刷单返现的话术"))  // her samples left out altogether
            #expect(withdrawn.header("X-Hegui-Excluded") == "1")
            #expect(consented.header("X-Hegui-Excluded") == "0")
            let incidents = try await gateway.call(
                .GET,
                "/admin/incidents?format=jsonl",
                bearer: UserGateway.adminToken
            )
            let exported = incidents.text.split(separator: "\n")
            #expect(exported.count == 1)
            #expect(exported.first?.contains(#""object":"hegui.incident_report""#) == true)
            #expect(exported.first?.contains(#""takedowns":[{"#) == true)

            // The ticket's timeline says what was done; the whole log verifies.
            let detail = try await gateway.admin(.GET, "/admin/complaints/\(ticket)")
            #expect(detail.text.contains(incident))
            let types = try await gateway.log.events(from: 0, limit: 1_000).map(\.0.type)
            #expect(types.contains("content.taken_down") && types.contains("incident.reported"))
            #expect(try await gateway.log.verify().isEmpty)

            #expect(
                try await gateway.admin(.POST, "/admin/takedowns", #"{"content_id":"x","risks":["Z9"]}"#).status == 400
            )
            #expect(
                try await gateway.admin(.POST, "/admin/takedowns", #"{"content_id":"x","risks":["A1h"]}"#).status == 400
            )
        }
    }
}

/// Notifications to the provider's webhook (issue 7 item 5): queued in the store once per key,
/// signed, retried with backoff on a test clock against a real HTTP receiver on loopback.
@Suite(.timeLimit(.minutes(10)))
struct WebhookTests {
    final class Receiver: Sendable {
        let calls = NIOLockedValueBox<[(headers: [String: String], body: String)]>([])
        let failuresLeft: NIOLockedValueBox<Int>

        init(failures: Int) { self.failuresLeft = NIOLockedValueBox(failures) }

        func application(_ onRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol {
            let router = Router()
            router.post("hook") { request, _ -> Response in
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                self.calls.withLockedValue { $0.append((headers, body)) }
                let fail = self.failuresLeft.withLockedValue { left in
                    defer { left = max(0, left - 1) }
                    return left > 0
                }
                return Response(status: fail ? .internalServerError : .noContent)
            }
            return Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: onRunning
            )
        }
    }

    @Test func notificationsAreSignedRetriedAndSentOncePerKey() async throws {
        try await StoreBackend.sqlite.withStore { store, _ in
            let clock = TestClock(TestClock.beijing("2026-11-30", 10, 0))
            let receiver = Receiver(failures: 2)
            let secret = Array("webhook-secret-0123456789".utf8)
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            defer { _ = client.shutdown() }
            try await withRunningServer({ receiver.application($0) }) { port in
                let notifications = Notifications(store: store, logger: Logger(label: "test"), now: { clock.now() })
                let complaints = ComplaintService(
                    store: store,
                    auditLog: nil,
                    settings: .init(),
                    key: secret,
                    sanctions: nil,
                    notifications: notifications,
                    logger: Logger(label: "test"),
                    now: { clock.now() }
                )
                let filed = try await complaints.file(
                    .init(category: .minors, description: "未成年人模式没有生效", contact: "parent@example.cn"),
                    actor: "public"
                )
                await notifications.notify("complaint.received", key: filed.complaint.id, data: [:])  // a repeat
                #expect(try await store.webhooks().count == 1)

                let delivery = WebhookDeliveryService(
                    store: store,
                    url: "http://127.0.0.1:\(port)/hook",
                    secret: secret,
                    client: client,
                    logger: Logger(label: "test"),
                    now: { clock.now() }
                )
                #expect(await delivery.deliverDue() == 0)  // 500
                #expect(await delivery.deliverDue() == 0)  // not due yet: nothing sent
                #expect(receiver.calls.withLockedValue { $0.count } == 1)
                clock.advance(seconds: 2)
                #expect(await delivery.deliverDue() == 0)  // 500 again; next in 4 s
                clock.advance(seconds: 3)
                #expect(await delivery.deliverDue() == 0)
                clock.advance(seconds: 1)
                #expect(await delivery.deliverDue() == 1)
                let calls = receiver.calls.withLockedValue { $0 }
                #expect(calls.count == 3)
                let last = try #require(calls.last)
                #expect(last.headers["x-hegui-event"] == "complaint.received")
                let signature = try #require(last.headers["x-hegui-signature"])
                let time = try #require(signature.split(separator: ",").first?.dropFirst(2)).description
                #expect(
                    signature == WebhookDeliveryService.signature(body: last.body, time: Int64(time)!, secret: secret)
                )
                #expect(last.body.contains(filed.complaint.id))
                #expect(!last.body.contains("parent@example.cn") && !last.body.contains("未成年人模式没有生效"))
                let stored = try #require(try await store.webhooks().first)
                #expect(stored.deliveredAt != nil && stored.attempts == 3)

                // An overdue ticket is announced once, however often the counts are refreshed.
                clock.set(TestClock.beijing("2026-12-31", 0, 0))
                let sla = ComplaintSLAService(
                    complaints: complaints,
                    factory: GatewayMetrics.makeFactory(registry: PrometheusCollectorRegistry()),
                    interval: .seconds(60),
                    logger: Logger(label: "test")
                )
                await sla.update()
                await sla.update()
                #expect(try await store.webhooks().filter { $0.event == "complaint.overdue" }.count == 1)

                // A receiver that never answers well is given up after the last attempt.
                let giveUp = WebhookDeliveryService(
                    store: store,
                    url: "http://127.0.0.1:\(port)/missing",
                    secret: secret,
                    client: client,
                    maximumAttempts: 2,
                    logger: Logger(label: "test"),
                    now: { clock.now() }
                )
                #expect(await giveUp.deliverDue() == 0)
                clock.advance(seconds: 10)
                #expect(await giveUp.deliverDue() == 0)
                clock.advance(seconds: 100_000)
                #expect(try await store.dueWebhooks(at: clock.now(), limit: 10).isEmpty)
                let overdue = try #require(try await store.webhooks().first { $0.event == "complaint.overdue" })
                #expect(overdue.attempts == 2 && overdue.deliveredAt == nil && overdue.lastError == "HTTP 404")
            }
        }
    }
}
