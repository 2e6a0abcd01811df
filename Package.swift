// swift-tools-version:6.0
// CommunityMail: building blocks for giving a community's members official e-mail
// addresses on many domains. No package dependencies: Foundation, the system's
// libsqlite3 and OpenSSL (libcrypto, libssl) only.
import PackageDescription

let package = Package(
    name: "CommunityMail",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "LaunchpadClient", targets: ["LaunchpadClient"]),
    ],
    targets: [
        // MARK: C modules (project-unique names: `CSQLite` already belongs to sqlite-nio)
        .systemLibrary(
            name: "CommunityMailCSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CommunityMailCOpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // MARK: Internal layers (not products)
        .target(name: "CommunityMailCrypto", dependencies: ["CommunityMailCOpenSSL"]),
        .target(name: "CommunityMailSQL", dependencies: ["CommunityMailCSQLite"]),

        // MARK: Products
        .target(name: "HTTPTransport"),
        .target(name: "LaunchpadClient", dependencies: ["HTTPTransport"]),

        // MARK: Examples
        .executableTarget(
            name: "launchpad-members",
            dependencies: ["LaunchpadClient", "HTTPTransport"],
            path: "Examples/launchpad-members"
        ),

        // MARK: Benchmarks (`swift run -c release bench <name>`)
        .executableTarget(
            name: "bench",
            dependencies: [
                "CommunityMailCrypto", "CommunityMailCOpenSSL", "LaunchpadClient", "HTTPTransport",
                "CommunityMailTestSupport",
            ],
            path: "Benchmarks/bench"
        ),

        // MARK: Tests
        .target(
            name: "CommunityMailTestSupport",
            dependencies: ["LaunchpadClient", "HTTPTransport"],
            path: "Tests/CommunityMailTestSupport"
        ),
        .testTarget(name: "CommunityMailCryptoTests", dependencies: ["CommunityMailCrypto"]),
        .testTarget(name: "CommunityMailSQLTests", dependencies: ["CommunityMailSQL", "CommunityMailTestSupport"]),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "CommunityMailTestSupport"]),
        .testTarget(
            name: "LaunchpadClientTests",
            dependencies: ["LaunchpadClient", "HTTPTransport", "CommunityMailTestSupport"],
            exclude: ["Peers"]  // Python peers the tests start, not Swift sources
        ),
    ],
    swiftLanguageModes: [.v6]
)
