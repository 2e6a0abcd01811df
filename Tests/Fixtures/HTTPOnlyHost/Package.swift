// swift-tools-version:6.0
// A host package that depends on the HTTPTransport product alone; Scripts/check-host-package
// builds it to show that doing so pulls in neither SQLite nor OpenSSL.
import PackageDescription

let package = Package(
    name: "HTTPOnlyHost",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "CommunityMail", path: "../../..")],
    targets: [
        .executableTarget(
            name: "http-only-host",
            dependencies: [.product(name: "HTTPTransport", package: "CommunityMail")]
        )
    ]
)
