import Foundation
import HeguiGateway
import HeguiStore
import Logging
import NIOConcurrencyHelpers
import Testing

@Suite struct ReadinessProbeTests {
    /// An upstream that counts health checks and answers as told.
    final class CountingUpstream: ModelUpstream {
        let checks = NIOLockedValueBox(0)
        let healthy: Bool

        init(healthy: Bool) { self.healthy = healthy }

        func send(_ request: UpstreamRequest, logger: Logger) async throws -> UpstreamResponse {
            throw UpstreamError(.connectionFailed)
        }

        func checkHealth(logger: Logger) async -> Bool {
            self.checks.withLockedValue { $0 += 1 }
            return self.healthy
        }
    }

    @Test func upstreamProbesAreCachedSoPollsDoNotReachTheModel() async {
        let upstream = CountingUpstream(healthy: true)
        let probe = ReadinessProbe(upstream: upstream, dataDirectory: nil, cacheDuration: .seconds(60))
        for _ in 0..<5 {
            #expect(await probe.check(logger: Logger(label: "test")).isReady)
        }
        #expect(upstream.checks.withLockedValue { $0 } == 1)
    }

    @Test func anExpiredCacheProbesAgainAndReportsFailure() async {
        let upstream = CountingUpstream(healthy: false)
        let probe = ReadinessProbe(upstream: upstream, dataDirectory: nil, cacheDuration: .zero)
        let first = await probe.check(logger: Logger(label: "test"))
        let second = await probe.check(logger: Logger(label: "test"))
        #expect(!first.isReady && !first.upstream && first.store)
        #expect(!second.isReady)
        #expect(upstream.checks.withLockedValue { $0 } == 2)
    }

    @Test func theStoreIsPartOfReadiness() async throws {
        let path = NSTemporaryDirectory() + "hegui-ready-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try await SQLStore.openSQLite(path: path, logger: Logger(label: "test"))
        let probe = ReadinessProbe(upstream: CountingUpstream(healthy: true), dataDirectory: nil, store: store)
        #expect(await probe.check(logger: Logger(label: "test")).store)
        await store.close()
        let after = await probe.check(logger: Logger(label: "test"))
        #expect(!after.store && !after.isReady)
    }
}
