internal import CommunityMailCOpenSSL

/// Reads OpenSSL's per-thread error queue. Every use sits in the same synchronous section
/// as the call that failed, so the queue read is that call's (Swift tasks change threads
/// only at suspension points).
enum OpenSSLErrorQueue {
    /// Empties the queue, before a call whose failure will be read.
    static func clear() { ERR_clear_error() }

    /// The reason text of the earliest queued error (`ERR_error_string_n`: library,
    /// function and reason, never the data that was processed), and empties the queue.
    static func reason() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no reason given" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
