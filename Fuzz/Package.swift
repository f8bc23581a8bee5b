// swift-tools-version:6.2
// libFuzzer targets for Triage's parsers, one executable per target. A package of its own so
// that the main build and tests never see the sanitizer flags; `cluster/fuzz` builds it with
//   swift build --package-path Fuzz --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
// Each target exports `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
import Foundation
import PackageDescription

/// The main package, by path: its identity is the name of the repository's folder.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let triage = root.lastPathComponent.lowercased()

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies, swiftSettings: swiftSettings)
}

let package = Package(
    name: "triage-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        fuzzTarget("FuzzWire", [.product(name: "TriageWire", package: triage),
                                .product(name: "TriageCore", package: triage),
                                .product(name: "NIOCore", package: "swift-nio"),
                                .product(name: "NIOEmbedded", package: "swift-nio")]),
        fuzzTarget("FuzzChatRequest", [.product(name: "TriageCore", package: triage)]),
        fuzzTarget("FuzzSSE", [.product(name: "TriageUpstream", package: triage)]),
        fuzzTarget("FuzzAnthropicStream", [.product(name: "TriageUpstream", package: triage),
                                           .product(name: "TriageCore", package: triage)]),
        fuzzTarget("FuzzConfig", [.product(name: "TriageCore", package: triage)]),
    ]
)
