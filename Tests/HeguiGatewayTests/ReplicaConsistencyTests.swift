import HeguiCore
import HeguiGateway
import HeguiStore
import HeguiTesting
import NIOHTTP1
import Testing

/// Two gateway replicas on one PostgreSQL (DESIGN "Scale"; issue 6): what one applies the other
/// enforces, and counters add up across both. Each replica keeps its own short cache of users
/// (`users.state_cache_ms`, 1 s by default), so the test clock moves past it between replicas.
@Suite(.timeLimit(.minutes(10)))
struct ReplicaConsistencyTests {
    @Test func sanctionsUsageAndRateLimitsAgreeAcrossReplicas() async throws {
        try await StoreBackend.withPostgresReplicas { first, second in
            let clock = TestClock(TestClock.beijing("2026-11-30", 12, 0))
            var users = GatewayConfiguration.Users()
            users.minors.bands[1].dailyMinutes = 3
            users.requestsPerMinute = 3
            let settings = users
            try await UserGateway.with(store: first, clock: clock, users: settings) { a in
                try await UserGateway.with(store: second, clock: clock, users: settings) { b in
                    // A suspension applied through one replica is enforced by the other.
                    #expect(try await b.chat(user: "mallory").status == 200)
                    let imposed = try await a.admin(
                        .POST,
                        "/admin/tenants/app-one/users/mallory/sanctions",
                        #"{"level":"suspension","reason":"人工审核 manual review","hours":24}"#
                    )
                    #expect(imposed.status == 201)
                    clock.advance(seconds: 2)
                    let refused = try await b.chat(user: "mallory")
                    #expect(refused.status == 403)
                    #expect(refused.errorCode == "user_suspended")

                    // A minor's use time accumulates across both.
                    #expect(try await a.call(.PATCH, "/v1/hegui/users/kid", #"{"birth_year":2014}"#).status == 200)
                    clock.advance(seconds: 2)
                    #expect(try await a.chat(user: "kid").header("X-Hegui-Time-Remaining") == "120")
                    clock.advance(seconds: 60)
                    #expect(try await b.chat(user: "kid").header("X-Hegui-Time-Remaining") == "60")
                    clock.advance(seconds: 60)
                    #expect(try await a.chat(user: "kid").header("X-Hegui-Time-Remaining") == "0")
                    clock.advance(seconds: 1)
                    #expect(try await b.chat(user: "kid").errorCode == "minor_time_limit")

                    // One rate limit over both replicas.
                    clock.advance(seconds: 120)
                    #expect(try await a.chat(user: "busy").status == 200)
                    #expect(try await b.chat(user: "busy").status == 200)
                    #expect(try await a.chat(user: "busy").status == 200)
                    #expect(try await b.chat(user: "busy").status == 429)

                    // Both wrote one audit log, which verifies.
                    #expect(try await a.log.verify().isEmpty)
                    let types = try await b.log.events(from: 0, limit: 1_000).map(\.0.type)
                    #expect(types.contains("sanction.imposed"))
                    #expect(types.contains("user.refused"))
                }
            }
        }
    }
}
