// http-fetch: one GET through FoundationHTTPClient, then this process's peak memory. Tests
// run it as a child so the peak (VmHWM) is the client's alone, not that of a test process
// running many suites at once.
//
//   http-fetch <url> <maximum body bytes>
//
// Prints `outcome: status <code> bytes <count>` or `outcome: error <kind>`, then
// `peak-kB: <VmHWM>`; exits 0 either way, 2 on bad arguments.
import Foundation
import HTTPTransport

let arguments = CommandLine.arguments
guard arguments.count == 3, let url = URL(string: arguments[1]), let limit = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: http-fetch <url> <maximum body bytes>\n".utf8))
    exit(2)
}

var configuration = FoundationHTTPClient.Configuration()
configuration.maximumResponseBodySize = limit
let client = FoundationHTTPClient(configuration: configuration)
do {
    let response = try await client.execute(HTTPRequest(url: url, timeout: .seconds(120)))
    print("outcome: status \(response.status) bytes \(response.body.count)")
} catch let error as HTTPClientError {
    let kinds: [(HTTPClientError, String)] = [
        (.responseTooLarge, "responseTooLarge"), (.timeout, "timeout"), (.connectionLost, "connectionLost"),
        (.connectionRefused, "connectionRefused"), (.cancelled, "cancelled"),
    ]
    print("outcome: error \(kinds.first { $0.0 == error }?.1 ?? "other") (\(error.message))")
}

// VmHWM: the resident set's high-water mark, in kB.
let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    .map { $0.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " kB", with: "") }
print("peak-kB: \(peak ?? "unknown")")
