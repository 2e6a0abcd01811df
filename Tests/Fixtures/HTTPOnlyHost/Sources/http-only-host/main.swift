import Foundation
import HTTPTransport

// Uses the scripted fake, so the check runs offline.
let client = ScriptedHTTPClient(replies: [.response(HTTPResponse(status: 204))])
let response = try await client.execute(HTTPRequest(url: URL(string: "https://example.invalid/")!))
print("status \(response.status)")
