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
}
