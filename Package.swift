// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Hegui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hegui", targets: ["hegui"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.25.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.32.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.10.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.21.0"),
    ],
    targets: [
        // Pure domain: no I/O (STYLE rule 2).
        .target(
            name: "HeguiCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),
        .target(
            name: "HeguiStore",
            dependencies: [
                "HeguiCore",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // zlib, which every Swift toolchain on Linux already links (zlib1g-dev).
        .systemLibrary(name: "CZlib"),
        // copy_file_range(2), which Glibc's Swift module does not declare.
        .target(name: "CHeguiPosix"),
        .target(
            name: "HeguiMedia",
            dependencies: ["HeguiCore", "CZlib", "CHeguiPosix", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "HeguiGateway",
            dependencies: [
                "HeguiCore",
                "HeguiStore",
                "HeguiMedia",
                "HeguiReports",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "HeguiReports",
            dependencies: ["HeguiCore", "HeguiStore", .product(name: "Yams", package: "Yams")]
        ),
        // The fuzzers' entry points (Fuzz/README.md), replayed by the tests over the kept inputs.
        .target(name: "HeguiFuzzing", dependencies: ["HeguiCore", "HeguiMedia"]),
        .target(
            name: "HeguiEval",
            dependencies: ["HeguiCore", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .target(
            name: "HeguiTesting",
            dependencies: [
                "HeguiCore",
                "HeguiGateway",
                "HeguiStore",
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "hegui",
            dependencies: [
                "HeguiCore",
                "HeguiEval",
                "HeguiGateway",
                "HeguiMedia",
                "HeguiReports",
                "HeguiStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "HeguiCoreTests",
            dependencies: ["HeguiCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "HeguiReportsTests",
            dependencies: ["HeguiCore", "HeguiReports", "HeguiStore"],
            exclude: ["Golden"]
        ),
        .testTarget(name: "HeguiFuzzingTests", dependencies: ["HeguiFuzzing"]),
        .testTarget(
            name: "HeguiEvalTests",
            dependencies: [
                "HeguiCore",
                "HeguiEval",
                "HeguiTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "HeguiMediaTests",
            dependencies: ["HeguiCore", "HeguiMedia"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "HeguiStoreTests",
            dependencies: [
                "HeguiCore",
                "HeguiStore",
                "HeguiTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        .testTarget(
            name: "HeguiGatewayTests",
            dependencies: [
                "HeguiReports",
                "HeguiCore",
                "HeguiGateway",
                "HeguiMedia",
                "HeguiStore",
                "HeguiTesting",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "HeguiCLITests",
            dependencies: [
                "hegui",
                "HeguiCore",
                "HeguiGateway",
                "HeguiTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)

// Benchmark drivers stay out of the normal build (STYLE rule 25): `HEGUI_BENCHMARKS=1 swift build
// -c release --product keyword-bench` (Benchmarks/keywords/run.py does this), `--product audit-bench`.
if Context.environment["HEGUI_BENCHMARKS"] != nil {
    package.targets.append(
        .executableTarget(
            name: "keyword-bench",
            dependencies: ["HeguiCore"],
            path: "Benchmarks/keywords/Sources/keyword-bench"
        )
    )
    package.targets.append(
        .executableTarget(
            name: "audit-bench",
            dependencies: ["HeguiCore", "HeguiStore", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/audit/Sources/audit-bench"
        )
    )
}

// The libFuzzer driver stays out of the normal build: Fuzz/run builds it with
// `HEGUI_FUZZ=1 swift build --product hegui-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`.
if Context.environment["HEGUI_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(name: "hegui-fuzz", dependencies: ["HeguiFuzzing"], path: "Fuzz/Sources/hegui-fuzz")
    )
}

// Swift 6 language mode with the strict settings of STYLE rule 1, for every target.
for target in package.targets where target.type != .system && target.name != "CHeguiPosix" {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
        .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    ])
    target.swiftSettings = settings
}
