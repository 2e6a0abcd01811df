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
        .library(name: "MemberSync", targets: ["MemberSync"]),
        .library(name: "AliasStore", targets: ["AliasStore"]),
        .library(name: "LaunchpadClient", targets: ["LaunchpadClient"]),
        .library(name: "DNSVerify", targets: ["DNSVerify"]),
        .library(name: "OpenIDAuth", targets: ["OpenIDAuth"]),
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
        .target(name: "CommunityMailIDNA"),

        // MARK: Products
        .target(name: "HTTPTransport"),
        .target(name: "MemberSync", dependencies: ["CommunityMailCrypto", "CommunityMailSQL"]),
        .target(name: "AliasStore", dependencies: ["CommunityMailSQL", "CommunityMailIDNA"]),

        // MARK: Examples
        .executableTarget(name: "aliases", dependencies: ["AliasStore"], path: "Examples/aliases"),
        .target(name: "LaunchpadClient", dependencies: ["HTTPTransport"]),

        .executableTarget(
            name: "launchpad-members",
            dependencies: ["LaunchpadClient", "HTTPTransport"],
            path: "Examples/launchpad-members"
        ),
        .target(name: "DNSVerify", dependencies: ["CommunityMailIDNA"]),

        .executableTarget(name: "verify-domain", dependencies: ["DNSVerify"], path: "Examples/verify-domain"),

        // MARK: Fuzzing (`Scripts/fuzz-dns`)
        .executableTarget(name: "dns-fuzz", dependencies: ["DNSVerify", "CommunityMailTestSupport"], path: "Tests/Fuzz/dns-fuzz"),
        .target(name: "OpenIDAuth", dependencies: ["HTTPTransport", "CommunityMailCrypto", "CommunityMailSQL"]),

        .executableTarget(name: "openid-login", dependencies: ["OpenIDAuth", "HTTPTransport"], path: "Examples/openid-login"),
        .target(
            name: "EncryptedMailbox",
            dependencies: ["CommunityMailSQL", "CommunityMailCSQLite", "CommunityMailCrypto"]
        ),

        .executableTarget(name: "encrypted-sql", dependencies: ["EncryptedMailbox"], path: "Examples/encrypted-sql"),
            dependencies: ["CommunityMailSQL", "CommunityMailCrypto", "CommunityMailCSQLite"]
        ),

        .executableTarget(name: "mailbox", dependencies: ["EncryptedMailbox"], path: "Examples/mailbox"),

        // MARK: Benchmarks (`swift run -c release bench <name>`)
        .executableTarget(
            name: "bench",
            dependencies: [
                "CommunityMailCrypto", "CommunityMailCOpenSSL", "CommunityMailSQL", "AliasStore", "LaunchpadClient",
                "HTTPTransport", "CommunityMailTestSupport",
            ],
            dependencies: ["CommunityMailCrypto", "CommunityMailCOpenSSL", "DNSVerify", "CommunityMailTestSupport"],
            dependencies: ["CommunityMailCrypto", "CommunityMailCOpenSSL", "OpenIDAuth", "HTTPTransport"],
            dependencies: ["CommunityMailCrypto", "CommunityMailCOpenSSL", "EncryptedMailbox", "CommunityMailSQL"],
            dependencies: ["CommunityMailCrypto", "CommunityMailCOpenSSL", "EncryptedMailbox"],
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
        .testTarget(name: "CommunityMailIDNATests", dependencies: ["CommunityMailIDNA"]),
        .testTarget(
            name: "MemberSyncTests", dependencies: ["MemberSync", "CommunityMailTestSupport"],
            exclude: ["Peers"]),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "CommunityMailTestSupport"]),
        .testTarget(name: "AliasStoreTests", dependencies: ["AliasStore", "CommunityMailSQL", "CommunityMailIDNA", "CommunityMailTestSupport"]),
        .testTarget(
            name: "LaunchpadClientTests",
            dependencies: ["LaunchpadClient", "HTTPTransport", "CommunityMailTestSupport"]
        ),
        .testTarget(name: "DNSVerifyTests", dependencies: ["DNSVerify", "CommunityMailTestSupport"]),
            name: "OpenIDAuthTests", dependencies: ["OpenIDAuth", "HTTPTransport", "CommunityMailTestSupport"],
            exclude: ["Peers"]),
            name: "EncryptedMailboxTests",
            dependencies: ["EncryptedMailbox", "CommunityMailCrypto", "CommunityMailSQL", "CommunityMailTestSupport"],
            exclude: ["Peers"]
        ),
        .testTarget(name: "EncryptedMailboxTests", dependencies: ["EncryptedMailbox", "CommunityMailTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
