public import Foundation

/// A real browser: Debian's headless Chromium driven by selenium through Debian's
/// chromedriver, run from `Tests/OpenIDAuthTests/Peers/headless_browser.py` with the test
/// venv's python. It follows whatever the pages do (redirects, auto-submitted forms, scripts)
/// and reports what it saw. Only loopback addresses are reachable from it.
public enum HeadlessBrowser {
    /// True when the venv has selenium and the system has `chromium` and `chromedriver`.
    public static let isAvailable: Bool =
        TestPeers.executable("chromium") != nil && TestPeers.executable("chromedriver") != nil
        && TestPeers.pythonHas(["selenium.webdriver"])

    /// What the browser ended on.
    public struct Report: Decodable, Sendable {
        /// One page request the browser made.
        public struct PageRequest: Decodable, Sendable, Equatable {
            /// `GET` or `POST`.
            public var method: String
            /// The address, without its query.
            public var url: String

            /// A request by `method` for `url`.
            public init(method: String, url: String) {
                self.method = method
                self.url = url
            }
        }

        /// The final page's address, without its query.
        public var url: String
        /// The names in the final address's query, in order.
        public var queryNames: [String]
        /// The final page's title.
        public var title: String
        /// The final page's visible text.
        public var text: String
        /// The PNG screenshot of the final page, when the browser could take one.
        public var screenshot: String?
        /// Every page request, in order, from Chromium's network log.
        public var documents: [PageRequest]

        enum CodingKeys: String, CodingKey {
            case url, title, text, screenshot, documents
            case queryNames = "query_names"
        }
    }

    /// Opens `url` and waits until the browser's address starts with `prefix`, then saves a
    /// screenshot of that page to `screenshot` and reports it.
    ///
    /// The script bounds its own run by `timeout` and stops chromedriver and Chromium on
    /// every way out; waiting for it does not block a cooperative thread.
    /// - Parameter folder: where the browser keeps its profile, logs and report.
    /// - Throws: `PeerError` with the script's output when the page is not reached.
    public static func visit(
        _ url: URL, until prefix: String, screenshot: String, in folder: TemporaryDirectory, timeout: Duration = .seconds(60)
    ) async throws -> Report {
        guard let python = TestPeers.python else { throw PeerError("no python venv at \(TestPeers.virtualEnvironment.path)") }
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/OpenIDAuthTests/Peers/headless_browser.py")
        let reportPath = folder.path("browser-report.json")
        let run = try await ChildProcess.run(python, [
            script.path, "--url", url.absoluteString, "--until", prefix, "--screenshot", screenshot,
            "--report", reportPath, "--profile", folder.path("browser-profile"),
            "--timeout", String(timeout.components.seconds),
        ])
        guard run.status == 0, let data = FileManager.default.contents(atPath: reportPath) else {
            throw PeerError("the browser did not reach \(prefix) (status \(run.status)):\n\(run.output)")
        }
        return try JSONDecoder().decode(Report.self, from: data)
    }
}
