// swift-tools-version:6.0
// CommunityMail: building blocks for giving a community's members official e-mail
// addresses on many domains. No package dependencies: Foundation, the system's
// libsqlite3 and OpenSSL (libcrypto, libssl) only.
import PackageDescription

/// The language features every module is moving to (DESIGN.md, "Conventions").
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "CommunityMail",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CommunityMailSystem", targets: ["CommunityMailSystem"]),
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "OpenIDAuth", targets: ["OpenIDAuth"]),
        .library(name: "LaunchpadClient", targets: ["LaunchpadClient"]),
        .library(name: "AliasStore", targets: ["AliasStore"]),
        .library(name: "CommunityMailMessage", targets: ["CommunityMailMessage"]),
        .library(name: "EncryptedSQLite", targets: ["EncryptedSQLite"]),
        .library(name: "EncryptedMailbox", targets: ["EncryptedMailbox"]),
        .library(name: "DNSVerify", targets: ["DNSVerify"]),
        .library(name: "CommunityMailSMTP", targets: ["CommunityMailSMTP"]),
        .library(name: "MemberSync", targets: ["MemberSync"]),
        .library(name: "MailForwarder", targets: ["MailForwarder"]),
        .library(name: "MailAuth", targets: ["MailAuth"]),
        .library(name: "MailAccess", targets: ["MailAccess"]),
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
        // libc calls Swift's Glibc module hides (accept4); a header only, no library
        .systemLibrary(name: "CommunityMailCSystem"),

        // MARK: Internal layers (not products, but CommunityMailSystem: a host names its clock
        // and may share its executor)
        .target(name: "CommunityMailSystem", dependencies: ["CommunityMailCSystem"], swiftSettings: upcomingFeatures),
        .target(name: "CommunityMailCrypto", dependencies: ["CommunityMailSystem", "CommunityMailCOpenSSL"], swiftSettings: upcomingFeatures),
        // TLS over libssl on any ByteStream: apart from CommunityMailSystem, so that a host
        // of HTTPTransport alone links no OpenSSL
        .target(name: "CommunityMailTLS", dependencies: ["CommunityMailSystem", "CommunityMailCOpenSSL"], swiftSettings: upcomingFeatures),
        .target(name: "CommunityMailSQL", dependencies: ["CommunityMailSystem", "CommunityMailCSQLite"], swiftSettings: upcomingFeatures),
        .target(name: "CommunityMailIDNA", dependencies: ["CommunityMailSystem"], swiftSettings: upcomingFeatures),

        // MARK: Shared models (products other products build on)
        .target(name: "CommunityMailMessage", swiftSettings: upcomingFeatures),

        // MARK: Products
        .target(
            name: "CommunityMailSMTP", dependencies: ["CommunityMailSystem", "CommunityMailTLS", "CommunityMailMessage"],
            swiftSettings: upcomingFeatures),
        .target(name: "HTTPTransport", dependencies: ["CommunityMailSystem"], swiftSettings: upcomingFeatures),
        .target(
            name: "OpenIDAuth",
            dependencies: ["CommunityMailSystem", "HTTPTransport", "CommunityMailCrypto", "CommunityMailSQL", "CommunityMailIDNA"],
            swiftSettings: upcomingFeatures),
        .target(name: "LaunchpadClient", dependencies: ["CommunityMailSystem", "HTTPTransport"], swiftSettings: upcomingFeatures),
        .target(
            name: "AliasStore", dependencies: ["CommunityMailSystem", "CommunityMailSQL", "CommunityMailIDNA", "CommunityMailSMTP"],
            swiftSettings: upcomingFeatures),
        .target(
            name: "EncryptedSQLite", dependencies: ["CommunityMailSystem", "CommunityMailSQL", "CommunityMailCSQLite", "CommunityMailCrypto"],
            swiftSettings: upcomingFeatures),
        .target(
            name: "EncryptedMailbox", dependencies: ["CommunityMailSystem", "EncryptedSQLite", "CommunityMailMessage", "CommunityMailSQL"],
            swiftSettings: upcomingFeatures),
        .target(name: "DNSVerify", dependencies: ["CommunityMailSystem", "CommunityMailIDNA"], swiftSettings: upcomingFeatures),
        .target(
            name: "MemberSync",
            dependencies: [
                "CommunityMailSystem", "OpenIDAuth", "LaunchpadClient", "AliasStore", "CommunityMailSQL", "CommunityMailSMTP",
                "CommunityMailMessage",
            ],
            swiftSettings: upcomingFeatures),
        .target(
            name: "MailForwarder",
            dependencies: [
                "CommunityMailSystem", "CommunityMailCrypto", "CommunityMailSMTP", "CommunityMailTLS", "CommunityMailMessage", "AliasStore",
                "DNSVerify", "MailAuth",
            ],
            swiftSettings: upcomingFeatures),
        .target(
            name: "MailAuth",
            dependencies: ["CommunityMailSystem", "CommunityMailCrypto", "CommunityMailMessage", "CommunityMailIDNA", "DNSVerify"],
            swiftSettings: upcomingFeatures),
        .target(
            name: "MailAccess",
            dependencies: ["CommunityMailSystem", "CommunityMailTLS", "CommunityMailMessage", "EncryptedMailbox", "CommunityMailCrypto"],
            swiftSettings: upcomingFeatures),

        // MARK: Examples (tiny executables, one flow each)
        .executableTarget(
            name: "openid-login", dependencies: ["CommunityMailSystem", "OpenIDAuth", "HTTPTransport"], path: "Examples/openid-login",
            swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "launchpad-members", dependencies: ["LaunchpadClient", "HTTPTransport"], path: "Examples/launchpad-members",
            swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "aliases", dependencies: ["AliasStore", "DNSVerify"], path: "Examples/aliases", swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "encrypted-sql", dependencies: ["EncryptedSQLite"], path: "Examples/encrypted-sql", swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "mailbox", dependencies: ["EncryptedMailbox", "CommunityMailMessage"], path: "Examples/mailbox",
            swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "verify-domain", dependencies: ["DNSVerify"], path: "Examples/verify-domain", swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "demo",
            dependencies: [
                "CommunityMailSystem", "OpenIDAuth", "LaunchpadClient", "AliasStore", "EncryptedMailbox", "DNSVerify", "MemberSync",
                "CommunityMailMessage",
            ],
            path: "Examples/demo", swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "forward-mx",
            dependencies: ["MailForwarder", "MailAuth", "AliasStore", "CommunityMailSMTP", "CommunityMailSystem", "CommunityMailCrypto", "DNSVerify"],
            path: "Examples/forward-mx", swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "mail-auth", dependencies: ["MailAuth", "CommunityMailCrypto", "CommunityMailMessage", "DNSVerify"],
            path: "Examples/mail-auth", swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "mail-access", dependencies: ["MailAccess", "EncryptedMailbox", "CommunityMailSystem"], path: "Examples/mail-access",
            swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "sync-members", dependencies: ["MemberSync", "AliasStore", "LaunchpadClient", "HTTPTransport"],
            path: "Examples/sync-members", swiftSettings: upcomingFeatures),

        // MARK: Benchmarks (`swift run -c release bench <name>`), fuzzing (`Scripts/fuzz-dns`), and a
        // child for tests that measure one client's memory (`http-fetch`)
        .executableTarget(
            name: "bench",
            dependencies: [
                "CommunityMailSystem", "CommunityMailCrypto", "CommunityMailCOpenSSL", "CommunityMailSQL", "HTTPTransport", "OpenIDAuth",
                "LaunchpadClient", "AliasStore", "EncryptedSQLite", "EncryptedMailbox", "DNSVerify", "MemberSync", "CommunityMailTestSupport",
                "CommunityMailTLS", "CommunityMailSMTP", "MailForwarder", "MailAuth", "CommunityMailMessage", "MailAccess",
            ],
            path: "Benchmarks/bench",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "http-fetch", dependencies: ["HTTPTransport"], path: "Tests/Tools/http-fetch", swiftSettings: upcomingFeatures),
        // forks while it holds an open encrypted database (`NonceForkTests`)
        .executableTarget(
            name: "nonce-fork", dependencies: ["EncryptedSQLite", "CommunityMailSQL"], path: "Tests/Tools/nonce-fork",
            swiftSettings: upcomingFeatures),
        // lowers its own descriptor limit to load the socket poller (`SocketPollerTests`)
        .executableTarget(
            name: "poller-limits", dependencies: ["CommunityMailSystem"], path: "Tests/Tools/poller-limits",
            swiftSettings: upcomingFeatures),
        .executableTarget(
            name: "dns-fuzz", dependencies: ["DNSVerify", "CommunityMailTestSupport"], path: "Tests/Fuzz/dns-fuzz",
            swiftSettings: upcomingFeatures),

        // MARK: Tests
        .target(
            name: "CommunityMailTestSupport",
            dependencies: ["CommunityMailSystem", "CommunityMailCSystem", "LaunchpadClient", "HTTPTransport"],
            path: "Tests/CommunityMailTestSupport",
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "CommunityMailSystemTests", dependencies: ["CommunityMailSystem", "CommunityMailTestSupport", "poller-limits"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "CommunityMailTLSTests", dependencies: ["CommunityMailTLS", "CommunityMailSystem", "CommunityMailTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "CommunityMailCryptoTests", dependencies: ["CommunityMailSystem", "CommunityMailCrypto", "CommunityMailTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "CommunityMailSQLTests", dependencies: ["CommunityMailSQL", "CommunityMailSystem", "CommunityMailTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(name: "CommunityMailIDNATests", dependencies: ["CommunityMailSystem", "CommunityMailIDNA"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "HTTPTransportTests", dependencies: ["CommunityMailSystem", "HTTPTransport", "CommunityMailTestSupport", "http-fetch"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "OpenIDAuthTests", dependencies: ["CommunityMailSystem", "OpenIDAuth", "HTTPTransport", "CommunityMailTestSupport"],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "LaunchpadClientTests",
            dependencies: ["CommunityMailSystem", "LaunchpadClient", "HTTPTransport", "CommunityMailTestSupport"],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "AliasStoreTests",
            dependencies: [
                "CommunityMailSystem", "AliasStore", "CommunityMailSQL", "CommunityMailIDNA", "CommunityMailSMTP", "CommunityMailTestSupport",
            ],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "CommunityMailMessageTests", dependencies: ["CommunityMailMessage", "CommunityMailTestSupport"], exclude: ["Peers"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "EncryptedSQLiteTests",
            dependencies: ["EncryptedSQLite", "CommunityMailCrypto", "CommunityMailSystem", "CommunityMailSQL", "CommunityMailTestSupport", "nonce-fork"],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "EncryptedMailboxTests",
            dependencies: ["EncryptedMailbox", "CommunityMailMessage", "CommunityMailSQL", "CommunityMailSystem", "CommunityMailTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "DNSVerifyTests", dependencies: ["CommunityMailSystem", "DNSVerify", "CommunityMailTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "CommunityMailSMTPTests",
            dependencies: ["CommunityMailSMTP", "CommunityMailSystem", "CommunityMailTLS", "CommunityMailTestSupport"],
            swiftSettings: upcomingFeatures),
        .testTarget(
            name: "MemberSyncTests",
            dependencies: [
                "CommunityMailSystem", "MemberSync", "CommunityMailSMTP", "CommunityMailMessage", "AliasStore", "LaunchpadClient",
                "OpenIDAuth", "HTTPTransport", "CommunityMailSQL", "CommunityMailTestSupport",
            ],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "MailForwarderTests",
            dependencies: [
                "MailForwarder", "MailAuth", "CommunityMailSystem", "CommunityMailSMTP", "CommunityMailTLS", "CommunityMailCrypto",
                "CommunityMailMessage", "AliasStore", "DNSVerify", "CommunityMailTestSupport", "forward-mx",
            ],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "MailAuthTests",
            dependencies: ["MailAuth", "CommunityMailSystem", "CommunityMailCrypto", "CommunityMailMessage", "DNSVerify", "CommunityMailTestSupport"],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
        .testTarget(
            name: "MailAccessTests",
            dependencies: [
                "MailAccess", "CommunityMailSystem", "CommunityMailMessage", "EncryptedMailbox", "CommunityMailTestSupport", "mail-access",
                "CommunityMailCrypto",
            ],
            exclude: ["Peers"], swiftSettings: upcomingFeatures),
    ],
    swiftLanguageModes: [.v6]
)
