public import Foundation

/// A throwaway certificate authority and leaf certificates it signs, made by the
/// `openssl` command line in a temporary folder (no key is ever committed), for TLS
/// tests and benchmarks. EC P-256 keys, valid for two days.
public final class TestCertificates: Sendable {
    /// The folder holding the keys and certificates, removed with this object.
    public let folder: TemporaryDirectory
    /// The authority's certificate (PEM), to trust.
    public let authority: String

    private init(folder: TemporaryDirectory, authority: String) {
        self.folder = folder
        self.authority = authority
    }

    /// A new authority named `name`.
    public static func makeAuthority(named name: String = "CommunityMail Test CA") async throws -> TestCertificates {
        let folder = try TemporaryDirectory(prefix: "tls-certificates")
        let certificate = folder.path("ca.pem")
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", folder.path("ca.key"), "-out", certificate, "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        return TestCertificates(folder: folder, authority: certificate)
    }

    /// A leaf certificate for `names` (`DNS:localhost`, `IP:127.0.0.1`), signed by this
    /// authority. Returns the chain file (leaf, then the authority) and the key file.
    public func makeLeaf(_ label: String, names: [String] = ["DNS:localhost", "IP:127.0.0.1"]) async throws -> (chain: String, key: String) {
        let key = folder.path("\(label).key"), request = folder.path("\(label).csr")
        let leaf = folder.path("\(label).pem"), chain = folder.path("\(label)-chain.pem")
        let extensions = folder.path("\(label).ext")
        try """
            subjectAltName=\(names.joined(separator: ","))
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth
            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try await Self.openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", request, "-subj", "/CN=\(label)",
        ])
        try await Self.openssl([
            "x509", "-req", "-in", request, "-CA", authority, "-CAkey", folder.path("ca.key"), "-CAcreateserial",
            "-out", leaf, "-days", "2", "-extfile", extensions,
        ])
        let text = try String(contentsOfFile: leaf, encoding: .utf8) + String(contentsOfFile: authority, encoding: .utf8)
        try text.write(toFile: chain, atomically: true, encoding: .utf8)
        return (chain, key)
    }

    /// The `openssl` executable.
    public static var executable: URL {
        get throws {
            guard let url = TestPeers.executable("openssl") else { throw PeerError("openssl is not installed") }
            return url
        }
    }

    private static func openssl(_ arguments: [String]) async throws {
        let (status, output) = try await ChildProcess.run(try executable, arguments)
        guard status == 0 else { throw PeerError("openssl \(arguments.first ?? "") failed:\n\(output)") }
    }
}
