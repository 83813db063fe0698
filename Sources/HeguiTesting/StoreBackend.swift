import Foundation
package import HeguiStore
import Logging
import PostgresKit
import PostgresNIO
import Testing

/// The store's backends, for the contract suite that runs against each.
package enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    package var testDescription: String { self.rawValue }

    /// A PostgreSQL server for the tests: `HEGUI_TEST_POSTGRES_URL`
    /// (`postgres://user@127.0.0.1:port/database`). `.ci/run` starts one and sets it, with
    /// `HEGUI_TEST_REQUIRE_POSTGRES=1` so that a missing server fails the run instead of skipping.
    package static var postgresURL: String? {
        ProcessInfo.processInfo.environment["HEGUI_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    package static var postgresRequired: Bool {
        ProcessInfo.processInfo.environment["HEGUI_TEST_REQUIRE_POSTGRES"] == "1"
    }

    /// Runs `body` with two stores on one fresh PostgreSQL database, as two replicas of the gateway
    /// would have; skips when PostgreSQL is not configured (and fails when it is required).
    package static func withPostgresReplicas(_ body: (SQLStore, SQLStore) async throws -> Void) async throws {
        guard let url = Self.postgresURL else {
            if Self.postgresRequired {
                Issue.record("HEGUI_TEST_REQUIRE_POSTGRES=1 but HEGUI_TEST_POSTGRES_URL is not set")
            }
            return
        }
        let logger = Logger(label: "test")
        let name = "hegui_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard let base = try? SQLPostgresConfiguration(url: url), var components = URLComponents(string: url) else {
            Issue.record("HEGUI_TEST_POSTGRES_URL cannot be read")
            return
        }
        let admin = try await PostgresConnection.connect(configuration: base.coreConfiguration, id: 1, logger: logger)
        try await admin.sql().raw("CREATE DATABASE \(unsafeRaw: name)").run()
        components.path = "/" + name
        let databaseURL = components.string ?? url
        var stores: [SQLStore] = []
        do {
            stores.append(try await SQLStore.openPostgres(url: databaseURL, logger: logger))
            stores.append(try await SQLStore.openPostgres(url: databaseURL, logger: logger))
            try await body(stores[0], stores[1])
        } catch {
            for store in stores { await store.close() }
            try? await admin.sql().raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
            try? await admin.close()
            throw error
        }
        for store in stores { await store.close() }
        try? await admin.sql().raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
        try? await admin.close()
    }

    /// Opens a fresh store on this backend (a new SQLite file in `directory`, or a new PostgreSQL
    /// database dropped by `cleanup`), or `nil` when PostgreSQL is not configured and not required.
    package func open(in directory: String) async throws -> (store: SQLStore, cleanup: @Sendable () async -> Void)? {
        let logger = Logger(label: "test")
        switch self {
        case .sqlite:
            let store = try await SQLStore.openSQLite(path: directory + "/hegui.sqlite", logger: logger)
            return (store, {})
        case .postgres:
            guard let url = Self.postgresURL else {
                if Self.postgresRequired {
                    Issue.record("HEGUI_TEST_REQUIRE_POSTGRES=1 but HEGUI_TEST_POSTGRES_URL is not set")
                }
                return nil
            }
            let name = "hegui_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            guard let base = try? SQLPostgresConfiguration(url: url), var components = URLComponents(string: url) else {
                Issue.record("HEGUI_TEST_POSTGRES_URL cannot be read")
                return nil
            }
            let admin = try await PostgresConnection.connect(
                configuration: base.coreConfiguration,
                id: 1,
                logger: logger
            )
            try await admin.sql().raw("CREATE DATABASE \(unsafeRaw: name)").run()
            components.path = "/" + name
            let store = try await SQLStore.openPostgres(url: components.string ?? url, logger: logger)
            return (
                store,
                {
                    try? await admin.sql().raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                    try? await admin.close()
                }
            )
        }
    }

    /// Runs `body` with a fresh store on this backend and the path of its directory, closing and
    /// dropping it afterwards; skips (returns) when the backend is not available.
    package func withStore(_ body: (SQLStore, String) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "hegui-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let (store, cleanup) = try await self.open(in: directory) else { return }
        do {
            try await body(store, directory)
        } catch {
            await store.close()
            await cleanup()
            throw error
        }
        await store.close()
        await cleanup()
    }
}
