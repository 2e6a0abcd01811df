import CommunityMailSystem

/// The server end of an in-memory pipe, played from a handler in the test: it greets,
/// answers each command line with what the handler returns, and collects the message after
/// a 354 up to the final dot. Everything the client wrote is kept in `transcript`.
actor ScriptedSMTPServer {
    private let stream: InMemoryByteStream
    private(set) var transcript: [UInt8] = []
    private(set) var commands: [String] = []
    private(set) var messages: [[UInt8]] = []

    init(stream: InMemoryByteStream) { self.stream = stream }

    /// Sends `greeting`, then answers each line with `answer(line)` (nil: send nothing and
    /// go on reading). After a reply starting with 354, reads the message up to CRLF.CRLF
    /// and answers it with `afterData`. Returns when the client closes.
    func serve(greeting: String = "220 mx.test ESMTP\r\n", afterData: String = "250 2.0.0 queued as 1\r\n",
               answer: @Sendable (String) -> String?) async {
        let far = ContinuousClock.now + .seconds(600)
        if !greeting.isEmpty { try? await stream.write(Array(greeting.utf8), deadline: far) }
        var buffer: [UInt8] = []
        var inData = false
        while true {
            guard let chunk = try? await stream.read(maximumCount: 4096, deadline: far), !chunk.isEmpty else { return }
            transcript += chunk
            buffer += chunk
            while true {
                if inData {
                    guard let end = Self.range(of: Array("\r\n.\r\n".utf8), in: buffer) else { break }
                    messages.append(Array(buffer[..<(end + 2)]))
                    buffer.removeSubrange(..<(end + 5))
                    inData = false
                    try? await stream.write(Array(afterData.utf8), deadline: far)
                    continue
                }
                guard let newline = Self.range(of: [13, 10], in: buffer) else { break }
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(..<(newline + 2))
                commands.append(line)
                if let reply = answer(line) {
                    try? await stream.write(Array(reply.utf8), deadline: far)
                    if reply.hasPrefix("354") { inData = true }
                }
            }
        }
    }

    private static func range(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
