import HeguiStore
import HeguiTesting
import Testing

/// Closing the store (at shutdown): statements in flight finish first, and every later one is
/// refused as `closed` instead of reaching a closed connection or opening a new one.
@Suite struct StoreCloseTests {
    @Test(arguments: StoreBackend.allCases)
    func aClosedStoreRefusesStatementsAndStatementsInFlightFinish(backend: StoreBackend) async throws {
        try await backend.withStore { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do {
                            try await store.addUsage(
                                [("app", "p\(index)", 20_000, UsageRecord(requests: 1))],
                                newUsers: []
                            )
                            _ = try await store.usage(tenant: "app", pseudonym: "p\(index)", day: 20_000)
                        } catch let error as StoreError {
                            #expect(error.code == .closed, "\(error)")
                        }
                    }
                }
                group.addTask { await store.close() }
                try await group.waitForAll()
            }
            for attempt in [
                { try await store.usage(tenant: "app", pseudonym: "p0", day: 20_000) },
                { try await store.addUsage([("app", "p0", 20_000, UsageRecord(requests: 1))], newUsers: []) },
            ] as [@Sendable () async throws -> Any] {
                await #expect {
                    _ = try await attempt()
                } throws: { error in
                    (error as? StoreError)?.code == .closed
                }
            }
        }
    }
}
