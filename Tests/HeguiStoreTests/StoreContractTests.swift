import HeguiCore
import HeguiStore
import HeguiTesting
import Testing

/// HeguiTesting's store contract against each backend (issue 4, item 2).
@Suite struct StoreContractTests {
    @Test(arguments: StoreBackend.allCases, StoreContract.checks.map(\.name))
    func contract(backend: StoreBackend, check: String) async throws {
        let run = try #require(StoreContract.checks.first { $0.name == check }?.run)
        try await backend.withStore { store, _ in try await run(store) }
    }

    /// The usage ledger's batch: counters add to what is stored, users first seen and their
    /// pseudonyms are recorded; one statement for a usual batch, several in one transaction for a
    /// large one or one with new users.
    @Test(arguments: StoreBackend.allCases)
    func aUsageBatchAddsToTheCountersAndRecordsNewUsers(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            _ = try await store.addUsage(
                UsageRecord(requests: 2, promptTokens: 5),
                tenant: "app",
                pseudonym: "p1",
                day: 20_000
            )
            try await store.addUsage(
                [
                    ("app", "p1", 20_000, UsageRecord(requests: 1, promptTokens: 10, completionTokens: 20)),
                    ("app", "p2", 20_000, UsageRecord(requests: 3)),
                    ("other", "p1", 20_001, UsageRecord(requests: 4)),
                ],
                newUsers: [("app", "p2", 1_000)],
                pseudonyms: [("p2", "app", "bob", 1_000)]
            )
            #expect(
                try await store.usage(tenant: "app", pseudonym: "p1", day: 20_000)
                    == UsageRecord(requests: 3, promptTokens: 15, completionTokens: 20)
            )
            #expect(try await store.usage(tenant: "app", pseudonym: "p2", day: 20_000).requests == 3)
            #expect(try await store.usage(tenant: "other", pseudonym: "p1", day: 20_001).requests == 4)
            #expect(try await store.endUser(tenant: "app", pseudonym: "p2") != nil)
            #expect(try await store.pseudonyms(tenant: "app", user: "bob") == ["p2"])

            try await store.addUsage([("app", "p2", 20_000, UsageRecord(requests: 1))], newUsers: [])
            let many = (0..<600).map { ("app", "m\($0)", 20_000, UsageRecord(requests: 1)) }
            try await store.addUsage(many, newUsers: [])
            try await store.addUsage([], newUsers: [])
            #expect(try await store.usage(tenant: "app", pseudonym: "p2", day: 20_000).requests == 4)
            #expect(try await store.usage(tenant: "app", pseudonym: "m599", day: 20_000).requests == 1)
            #expect(try await store.tenantUsage(tenant: "app", day: 20_000).requests == 3 + 4 + 600)
        }
    }
}
