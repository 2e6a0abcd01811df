public import Foundation
import HTTPTransport

/// A `checkid_setup` or `checkid_immediate` request ready to send the user's browser to, by
/// redirect (``redirectURL``) or, for long requests, by an auto-submitting form (``formHTML``).
public struct OpenIDAuthenticationRequest: Sendable, Hashable {
    /// The provider endpoint.
    public let endpoint: URL
    /// The request message.
    public let message: OpenIDMessage
    /// The discovered service the request goes to.
    public let service: OpenIDService

    /// A request.
    public init(endpoint: URL, message: OpenIDMessage, service: OpenIDService) {
        self.endpoint = endpoint
        self.message = message
        self.service = service
    }

    /// The endpoint with the message in its query: send the browser here with a 302.
    public var redirectURL: URL {
        let separator = endpoint.query == nil ? "?" : "&"
        return URL(string: endpoint.absoluteString + separator + message.formEncoded) ?? endpoint
    }

    /// True when the redirect URL is longer than 2,047 bytes, the limit some browsers keep;
    /// send ``formHTML`` instead.
    public var prefersFormPost: Bool { redirectURL.absoluteString.utf8.count > 2047 }

    /// An HTML page whose form POSTs the message to the provider as soon as it loads (and
    /// offers a button when scripts are off).
    public var formHTML: String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let inputs = message.prefixedFields.map { "<input type=\"hidden\" name=\"\(escape($0.0))\" value=\"\(escape($0.1))\"/>" }
        return """
            <!DOCTYPE html>
            <html><head><title>OpenID sign-in</title></head>
            <body onload="document.forms[0].submit()">
            <form method="post" action="\(escape(endpoint.absoluteString))">
            \(inputs.joined(separator: "\n"))
            <noscript><input type="submit" value="Continue"/></noscript>
            </form></body></html>
            """
    }
}
