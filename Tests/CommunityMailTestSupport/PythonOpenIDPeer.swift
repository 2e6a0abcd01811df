public import Foundation
public import HTTPTransport

/// python3-openid's `openid.server` on a loopback port, run from
/// `Tests/OpenIDAuthTests/Peers/openid_provider.py` with the test venv's python. It signs in
/// one user (by default `alice`, with SREG nickname, e-mail and full name) without asking.
public final class PythonOpenIDPeer: Sendable {
    /// True when the venv has python3-openid.
    public static let isAvailable: Bool = TestPeers.pythonHas(["openid.server", "openid.extensions.sreg"])

    /// The provider process (its output helps failure messages).
    public let process: ChildProcess
    /// The provider's port.
    public let port: UInt16
    /// `http://127.0.0.1:<port>`, the OP identifier.
    public var base: String { "http://127.0.0.1:\(port)" }
    /// The OpenID endpoint.
    public var endpoint: String { base + "/openid" }
    /// The claimed identifier of the user (`alice` by default).
    public let claimedIdentifier: String

    /// How the provider sends a checkid answer back through the browser.
    public enum Answer: String, Sendable, CaseIterable {
        /// A 302 redirect to return_to with the answer in the query (indirect by GET).
        case redirect
        /// python3-openid's auto-submitting HTML form (`toHTML`), POSTed to return_to.
        case form
    }

    /// Starts a provider on `port` (a free one when nil) for `user` with the given SREG profile.
    /// With `answerBy`, every checkid answer goes back that way and the provider logs
    /// `answered checkid by redirect|form`; without it, python3-openid chooses by length (a
    /// return_to carrying `answer=form` forces the form).
    public init(
        sha1Only: Bool = false, assertAs: String? = nil, answerBy: Answer? = nil, port: UInt16? = nil, user: String = "alice",
        nickname: String? = nil, email: String? = nil, fullName: String? = nil
    ) async throws {
        guard let python = TestPeers.python else { throw PeerError("no python venv at \(TestPeers.virtualEnvironment.path)") }
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/OpenIDAuthTests/Peers/openid_provider.py")
        self.port = try port ?? ChildProcess.freePort()
        var arguments = [script.path, "--port", String(self.port)]
        if sha1Only { arguments.append("--sha1-only") }
        if let assertAs { arguments += ["--assert-as", assertAs] }
        if let answerBy { arguments += ["--answer-by", answerBy.rawValue] }
        arguments += ["--user", user]
        if let nickname { arguments += ["--nickname", nickname] }
        if let email { arguments += ["--email", email] }
        if let fullName { arguments += ["--fullname", fullName] }
        claimedIdentifier = "http://127.0.0.1:\(self.port)/id/\(user)"
        process = try ChildProcess(python, arguments)
        try await process.waitForTCPPort(self.port)
    }

    deinit { process.stop() }
}

/// What the browser does between the relying party and the provider: GET the request URL,
/// then follow the provider's redirect, or submit its auto-submitting form, to return_to.
public enum Browser {
    /// The callback the host would receive: its URL and, for a form POST, its body.
    public struct Callback: Sendable {
        /// The return_to URL with the provider's answer (in its query for a redirect).
        public var url: URL
        /// The form body, for an answer by POST.
        public var postBody: String?
    }

    /// Visits `url` and returns where the provider sends the browser back.
    public static func visit(_ url: URL, with http: any HTTPClient) async throws -> Callback {
        let response = try await http.execute(HTTPRequest(url: url))
        if (300..<400).contains(response.status), let location = response.headers["Location"], let next = URL(string: location) {
            return Callback(url: next, postBody: nil)
        }
        guard response.status == 200 else { throw PeerError("the provider answered \(response.status): \(response.bodyText)") }
        return try form(response.bodyText)
    }

    /// The first form of `html`: its action and its inputs, form-encoded.
    public static func form(_ html: String) throws -> Callback {
        guard let formTag = tags(named: "form", in: html).first, let action = formTag["action"], let url = URL(string: action) else {
            throw PeerError("no form in the provider's page:\n\(html)")
        }
        let fields = tags(named: "input", in: html).compactMap { tag -> (String, String)? in
            guard let name = tag["name"] else { return nil }
            return (name, tag["value"] ?? "")
        }
        return Callback(url: url, postBody: FormURLEncoding.encode(fields))
    }

    private static func tags(named name: String, in html: String) -> [[String: String]] {
        var result: [[String: String]] = []
        var rest = Substring(html)
        while let open = rest.range(of: "<\(name)", options: .caseInsensitive) {
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let body = rest[open.upperBound..<close]
            var attributes: [String: String] = [:]
            var scan = body
            while let equals = scan.firstIndex(of: "=") {
                let key = scan[..<equals].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).last.map(String.init) ?? ""
                let afterEquals = scan[scan.index(after: equals)...]
                guard let quote = afterEquals.first, quote == "\"" || quote == "'" else { break }
                let valueStart = afterEquals.index(after: afterEquals.startIndex)
                guard let valueEnd = afterEquals[valueStart...].firstIndex(of: quote) else { break }
                attributes[key.lowercased()] = unescape(String(afterEquals[valueStart..<valueEnd]))
                scan = afterEquals[afterEquals.index(after: valueEnd)...]
            }
            result.append(attributes)
            rest = rest[close...]
        }
        return result
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#x27;", with: "'")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
