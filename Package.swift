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
        .library(name: "EncryptedMailbox", targets: ["EncryptedMailbox"]),
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
        .target(
            name: "EncryptedMailbox",
            dependencies: ["CommunityMailSQL", "CommunityMailCSQLite", "CommunityMailCrypto"]
        ),

        // MARK: Examples
        .executableTarget(name: "encrypted-sql", dependencies: ["EncryptedMailbox"], path: "Examples/encrypted-sql"),

        // MARK: Benchmarks (`swift run -c release bench <name>`)
        .executableTarget(
            name: "bench",
            dependencies: ["CommunityMailCrypto", "CommunityMailCOpenSSL", "EncryptedMailbox", "CommunityMailSQL"],
            path: "Benchmarks/bench"
        ),

        // MARK: Tests
        .target(
            name: "CommunityMailTestSupport",
            path: "Tests/CommunityMailTestSupport"
        ),
        .testTarget(name: "CommunityMailCryptoTests", dependencies: ["CommunityMailCrypto"]),
        .testTarget(name: "CommunityMailSQLTests", dependencies: ["CommunityMailSQL", "CommunityMailTestSupport"]),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "CommunityMailTestSupport"]),
        .testTarget(
            name: "EncryptedMailboxTests",
            dependencies: ["EncryptedMailbox", "CommunityMailCrypto", "CommunityMailSQL", "CommunityMailTestSupport"],
            exclude: ["Peers"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
