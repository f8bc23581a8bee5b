// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "triage",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        // For the fuzz targets in Fuzz/ (a package of their own, built only by `cluster/fuzz`).
        .library(name: "TriageCore", targets: ["TriageCore"]),
        .library(name: "TriageWire", targets: ["TriageWire"]),
        .library(name: "TriageUpstream", targets: ["TriageUpstream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian, through system-library targets.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        // Pure logic: config, tiers, classifiers, pricing, OpenAI shapes. No I/O.
        .target(name: "TriageCore",
                dependencies: [.product(name: "Yams", package: "Yams")],
                swiftSettings: swiftSettings),
        // The coordinator <-> worker protocol: frames and messages.
        .target(name: "TriageWire",
                dependencies: [
                    "TriageCore",
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOExtras", package: "swift-nio-extras"),
                    .product(name: "NIOFoundationCompat", package: "swift-nio"),
                    .product(name: "Logging", package: "swift-log"),
                ],
                swiftSettings: swiftSettings),
        // SQLite store shared by every process of the host.
        .target(name: "TriageStore",
                dependencies: ["CSQLite"],
                swiftSettings: swiftSettings),
        // libcurl client and provider adapters.
        .target(name: "TriageUpstream",
                dependencies: ["CCurl", "TriageCore",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: swiftSettings),
        // The simulated OpenAI-compatible provider.
        .target(name: "TriageSim",
                dependencies: [.product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                swiftSettings: swiftSettings),
        // A worker process: classify, call upstream, climb the ladder.
        .target(name: "TriageWorker",
                dependencies: ["TriageCore", "TriageWire", "TriageStore", "TriageUpstream",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                swiftSettings: swiftSettings),
        // The coordinator: HTTP front door and worker pool.
        .target(name: "TriageCoordinator",
                dependencies: ["TriageCore", "TriageWire", "TriageStore",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio"),
                               .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics"),
                               .product(name: "Prometheus", package: "swift-prometheus"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                swiftSettings: swiftSettings),
        // The one executable: parses arguments and wires the modules together.
        .executableTarget(name: "triage",
                          dependencies: ["TriageCore", "TriageStore", "TriageWorker", "TriageCoordinator", "TriageSim",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log"),
                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                         .product(name: "UnixSignals", package: "swift-service-lifecycle")],
                          swiftSettings: swiftSettings),

        // Micro benchmarks (issue 9): a plain release-mode harness; `cluster/bench --micro` runs it.
        .executableTarget(name: "TriageBench",
                          dependencies: ["TriageCore", "TriageWire", "TriageStore",
                                         .product(name: "NIOCore", package: "swift-nio"),
                                         .product(name: "NIOEmbedded", package: "swift-nio")],
                          path: "Benchmarks/TriageBench",
                          swiftSettings: swiftSettings),

        // The product's process shape with none of its logic, the baseline of `cluster/bench-ab --floor`.
        .executableTarget(name: "TriageFloor",
                          dependencies: ["TriageUpstream", "TriageWire",
                                         .product(name: "Hummingbird", package: "hummingbird"),
                                         .product(name: "NIOCore", package: "swift-nio"),
                                         .product(name: "NIOPosix", package: "swift-nio"),
                                         .product(name: "NIOExtras", package: "swift-nio-extras"),
                                         .product(name: "Logging", package: "swift-log")],
                          path: "Benchmarks/TriageFloor",
                          swiftSettings: swiftSettings),

        .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore"], swiftSettings: swiftSettings),
        .testTarget(name: "TriageWireTests",
                    dependencies: ["TriageWire", .product(name: "NIOEmbedded", package: "swift-nio")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TriageStoreTests", dependencies: ["TriageStore"], swiftSettings: swiftSettings),
        .testTarget(name: "TriageUpstreamTests", dependencies: ["TriageUpstream", "TriageSim"], swiftSettings: swiftSettings),
        .testTarget(name: "TriageSimTests",
                    dependencies: ["TriageSim",
                                   .product(name: "HummingbirdTesting", package: "hummingbird")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TriageCoordinatorTests",
                    dependencies: ["TriageCoordinator", "TriageCore", "TriageStore", "TriageWire",
                                   .product(name: "NIOEmbedded", package: "swift-nio"),
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "HTTPTypes", package: "swift-http-types"),
                                   .product(name: "Prometheus", package: "swift-prometheus")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TriageWorkerTests",
                    dependencies: ["TriageWorker", "TriageCore", "TriageStore", "TriageWire", .product(name: "NIOEmbedded", package: "swift-nio")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "TriageIntegrationTests",
                    dependencies: ["TriageCore", "TriageStore", "TriageUpstream", "TriageWire"],
                    swiftSettings: swiftSettings),
    ]
)
