import CommunityMailTestSupport
import Foundation

/// curl's IMAP client over implicit TLS (`imaps://`, verifying the test authority): the
/// mailbox list, `UID SEARCH ALL` in INBOX, and messages fetched by UID.
struct IMAPPeerCurl {
    struct Results {
        /// The LIST response lines.
        var list: [String]
        /// The SEARCH response line.
        var search: String
        /// Each fetched UID and the bytes curl wrote.
        var fetched: [(UInt32, [UInt8])]
    }

    let port: UInt16
    let certificateAuthority: String

    /// Lists, searches, then fetches each of `uids`.
    func listAndFetch(uids: [UInt32]) async throws -> Results {
        let base = "imaps://localhost:\(port)"
        let list = try await curl(["\(base)/"])
        let search = try await curl(["\(base)/INBOX", "-X", "UID SEARCH ALL"])
        var fetched: [(UInt32, [UInt8])] = []
        for uid in uids {
            fetched.append((uid, try await curl(["\(base)/INBOX;UID=\(uid)"])))
        }
        func lines(_ bytes: [UInt8]) -> [String] {
            String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        }
        return Results(list: lines(list), search: lines(search).first ?? "", fetched: fetched)
    }

    private func curl(_ arguments: [String]) async throws -> [UInt8] {
        guard let curl = TestPeers.executable("curl") else { throw PeerError("curl is not installed") }
        let folder = try TemporaryDirectory(prefix: "curl-imap")
        let output = folder.path("out")
        let (status, log) = try await ChildProcess.run(
            curl,
            ["--silent", "--show-error", "--cacert", certificateAuthority, "--user", "\(DovecotIMAPServer.user):\(DovecotIMAPServer.password)",
             "--output", output] + arguments)
        guard status == 0 else { throw PeerError("curl \(arguments.first ?? "") failed (\(status)): \(log)") }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }
}
