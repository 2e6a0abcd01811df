internal import CommunityMailCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Canonicalizes a message body as it streams in (RFC 6376 §3.4.3, §3.4.4) and hashes the
/// result, optionally only its first `limit` bytes (the `l=` tag).
///
/// Line endings: a bare LF ends a line as CRLF does (as dkimpy reads messages, and as an MTA
/// puts them on the wire); a bare CR is an ordinary byte. Empty lines at the end are
/// dropped; an empty body is CRLF under `simple` and nothing under `relaxed`. A last line
/// without a line ending is a line like the others (it gets CRLF; under `relaxed` its
/// trailing whitespace goes, as RFC 6376 says: dkimpy 1.1.8 keeps one space there).
///
/// One pass, byte by byte, straight into a fixed buffer that is hashed whenever it fills:
/// what a line turns into is decided by a few flags (a pending space, a pending CR, empty
/// lines not yet written), so no line is ever copied. Every verification and signature
/// runs through here, which makes it the hottest loop of the module after the crypto.
final class BodyCanonicalizer {
    /// The algorithm.
    let canonicalization: Canonicalization
    /// How many canonical bytes to hash at most, or nil for all of them.
    let limit: Int?

    private var core: Core
    private let buffer: UnsafeMutablePointer<UInt8>
    private var finished = false
    private static let bufferSize = 32 * 1024

    /// Every canonical byte, hashed or beyond the limit.
    var canonicalLength: Int { core.flushedLength + core.buffered }

    /// A canonicalizer feeding a new hash of `function`.
    /// - Throws: ``MailAuthError/cryptoFailure`` when libcrypto cannot start the hash.
    init(_ canonicalization: Canonicalization, hash function: HashFunction, limit: Int? = nil) throws(MailAuthError) {
        self.canonicalization = canonicalization
        self.limit = limit
        let hash: IncrementalHash
        do {
            hash = try IncrementalHash(function)
        } catch {
            throw .cryptoFailure.with(message: "cannot start a body hash", cause: error)
        }
        // Slack past the capacity for the eight-byte stores of `relaxedText`.
        buffer = .allocate(capacity: Self.bufferSize + 16)
        core = Core(hash: hash, buffer: buffer, capacity: Self.bufferSize, limit: limit, relaxed: canonicalization == .relaxed)
    }

    deinit { buffer.deallocate() }

    /// Adds the next piece of the body.
    /// - Throws: ``MailAuthError/cryptoFailure`` when hashing fails.
    func update(_ bytes: ArraySlice<UInt8>) throws(MailAuthError) {
        // The loop runs on a local copy: stored properties of a class would each be checked
        // for exclusive access on every byte.
        // (A `var` captured by the closure would live in a box on the heap.)
        let start = self.core
        let (core, failure) = bytes.withUnsafeBufferPointer { input -> (Core, MailAuthError?) in
            var core = start
            do throws(MailAuthError) {
                try core.consume(input)
                return (core, nil)
            } catch {
                return (core, error)
            }
        }
        self.core = core
        if let failure { throw failure }
    }

    /// Ends the body: the digest of the canonical bytes (up to the limit).
    /// - Throws: ``MailAuthError/cryptoFailure`` when hashing fails.
    func finalize() throws(MailAuthError) -> [UInt8] {
        guard !finished else { throw .cryptoFailure.with(message: "the body hash is already finished") }
        finished = true
        var core = self.core
        defer { self.core = core }
        try core.finish()
        do {
            return try core.hash.finalize()
        } catch {
            throw .cryptoFailure.with(message: "cannot finish a body hash", cause: error)
        }
    }

    /// The canonicalizer's whole state: where it stands in the current line and the output
    /// buffer, which is hashed whenever it fills.
    ///
    /// The input is cut at each LF (found with `memchr`); a line's bytes then go through a
    /// loop that only tells whitespace from the rest. A CR matters only as the last byte
    /// before an LF (a line end) or at the end of a piece (it may be one, once the next
    /// piece shows an LF): anywhere else it is ordinary content.
    private struct Core {
        let hash: IncrementalHash
        let buffer: UnsafeMutablePointer<UInt8>
        let capacity: Int
        let limit: Int?
        let relaxed: Bool
        var buffered = 0
        var hashed = 0
        var flushedLength = 0
        /// Empty lines seen and not yet written: written only when content follows them.
        var pendingEmptyLines = 0
        /// Bytes of the current line have been written.
        var lineHasContent = false
        /// `relaxed`: whitespace seen since the last byte written; one space stands for it
        /// if more content follows on the line.
        var pendingSpace = false
        /// The previous piece ended with a CR: a line end if this one starts with LF.
        var pendingCR = false
        /// Anything at all has been written.
        var wroteAny = false

        init(hash: IncrementalHash, buffer: UnsafeMutablePointer<UInt8>, capacity: Int, limit: Int?, relaxed: Bool) {
            self.hash = hash
            self.buffer = buffer
            self.capacity = capacity
            self.limit = limit
            self.relaxed = relaxed
        }

        mutating func consume(_ input: UnsafeBufferPointer<UInt8>) throws(MailAuthError) {
            guard var cursor = input.baseAddress else { return }
            let end = cursor + input.count
            while cursor < end {
                let newline = memchr(cursor, 0x0a, end - cursor).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }
                var contentEnd = newline ?? end
                if pendingCR {
                    pendingCR = false
                    // CR then LF at once: the line end; CR then anything else: content.
                    if contentEnd != cursor { try carriageReturn() }
                }
                if contentEnd > cursor, (contentEnd - 1).pointee == 0x0d {
                    contentEnd -= 1
                    if newline == nil { pendingCR = true }
                }
                try text(UnsafeBufferPointer(start: cursor, count: contentEnd - cursor))
                guard let newline else { return }
                try endLine()
                cursor = newline + 1
            }
        }

        /// Ends the body: a CR at the very end has no LF after it (an ordinary byte), a last
        /// line without a line end gets one, and an empty body is CRLF under `simple`.
        mutating func finish() throws(MailAuthError) {
            if pendingCR {
                pendingCR = false
                try carriageReturn()
            }
            if lineHasContent { try endLine() }
            if !wroteAny, !relaxed {
                try room(2)
                put(0x0d)
                put(0x0a)
            }
            try flush()
        }

        /// Content within a line (no LF; CRs in it are ordinary bytes).
        private mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(MailAuthError) {
            guard var cursor = bytes.baseAddress, !bytes.isEmpty else { return }
            let end = cursor + bytes.count
            while cursor < end {
                // A piece that fits the buffer's free room, keeping 2 bytes for a pending space
                // and the branch-free loop's last store.
                try room(3)
                let count = min(end - cursor, capacity - buffered - 2)
                if relaxed {
                    try relaxedText(UnsafeBufferPointer(start: cursor, count: count))
                } else {
                    try startContent()
                    (buffer + buffered).update(from: cursor, count: count)
                    buffered += count
                }
                cursor += count
            }
        }

        /// `relaxed` content that fits the buffer (with 2 bytes to spare): each whitespace
        /// run becomes one space, written only when content follows on the line.
        ///
        /// Most text needs no change at all: a single space between words is already
        /// canonical. So the content between the first and last non-whitespace bytes is
        /// copied as it is, up to the next "irregular" byte (a TAB, or a space followed by
        /// whitespace), found eight bytes at a time; only such runs are rewritten.
        private mutating func relaxedText(_ bytes: UnsafeBufferPointer<UInt8>) throws(MailAuthError) {
            guard let base = bytes.baseAddress else { return }
            var start = 0
            var end = bytes.count
            while start < end, Self.isWhitespace(base[start]) { start += 1 }
            if start > 0 { pendingSpace = true }
            guard start < end else { return }
            while Self.isWhitespace(base[end - 1]) { end -= 1 }
            try startContent()
            if pendingSpace {
                buffer[buffered] = 0x20
                buffered += 1
            }
            // Content up to `end` (a non-whitespace byte ends it, so every run inside is
            // followed by content). Eight bytes at a time (SWAR), each word is stored as it is
            // read: the store is right up to the first irregular byte, and the bytes after it
            // are overwritten by what comes next (the buffer has slack for the overhang).
            let output = UnsafeMutableRawPointer(buffer)
            var written = buffered
            var index = start
            let low: UInt64 = 0x7f7f_7f7f_7f7f_7f7f
            while index < end {
                var irregular = false
                while index + 8 < end {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    output.storeBytes(of: word, toByteOffset: written, as: UInt64.self)
                    let value = UInt64(littleEndian: word)
                    let spaces = Self.zeroBytes(value ^ 0x2020_2020_2020_2020, low)
                    let tabs = Self.zeroBytes(value ^ 0x0909_0909_0909_0909, low)
                    // A space's follower may be the next word's first byte.
                    var marks = tabs | (spaces & ((spaces | tabs) >> 8))
                    if spaces >> 63 != 0, Self.isWhitespace(base[index + 8]) { marks |= 1 << 63 }
                    if marks != 0 {
                        let offset = marks.trailingZeroBitCount / 8
                        index += offset
                        written += offset
                        irregular = true
                        break
                    }
                    index += 8
                    written += 8
                }
                if !irregular {
                    while index < end {
                        let byte = base[index]
                        if byte == 0x09 || (byte == 0x20 && Self.isWhitespace(base[index + 1])) {
                            irregular = true
                            break
                        }
                        buffer[written] = byte
                        written += 1
                        index += 1
                    }
                    guard irregular else { break }
                }
                // A TAB, or a run of two or more: one space.
                while Self.isWhitespace(base[index]) { index += 1 }
                buffer[written] = 0x20
                written += 1
            }
            buffered = written
            // Whitespace after the last content byte: canonical only if the line goes on.
            pendingSpace = end < bytes.count
        }

        @inline(__always)
        private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

        /// The high bit of each byte of `value` that is zero, and no other bit.
        @inline(__always)
        private static func zeroBytes(_ value: UInt64, _ low: UInt64) -> UInt64 {
            ~(((value & low) &+ low) | value | low)
        }

        /// A CR that turned out not to end a line: an ordinary byte of content.
        private mutating func carriageReturn() throws(MailAuthError) {
            try startContent()
            try room(2)
            if pendingSpace {
                pendingSpace = false
                put(0x20)
            }
            put(0x0d)
        }

        /// Content starts on this line: the empty lines before it were not the body's end.
        private mutating func startContent() throws(MailAuthError) {
            guard !lineHasContent else { return }
            lineHasContent = true
            wroteAny = true
            guard pendingEmptyLines > 0 else { return }
            while pendingEmptyLines > 0 {
                try room(2)
                put(0x0d)
                put(0x0a)
                pendingEmptyLines -= 1
            }
            // The caller measured its room before these lines took some: give it all back.
            try flush()
        }

        /// An LF: the line ends (trailing whitespace goes under `relaxed`).
        private mutating func endLine() throws(MailAuthError) {
            pendingSpace = false
            guard lineHasContent else {
                pendingEmptyLines += 1
                return
            }
            lineHasContent = false
            try room(2)
            put(0x0d)
            put(0x0a)
        }

        @inline(__always)
        private mutating func put(_ byte: UInt8) {
            wroteAny = true
            buffer[buffered] = byte
            buffered += 1
        }

        /// Flushes unless `bytes` more fit.
        @inline(__always)
        private mutating func room(_ bytes: Int) throws(MailAuthError) {
            if capacity - buffered < bytes { try flush() }
        }

        /// Hashes the buffered bytes (those within the limit) and empties the buffer.
        mutating func flush() throws(MailAuthError) {
            guard buffered > 0 else { return }
            var take = buffered
            if let limit { take = min(take, max(0, limit - hashed)) }
            flushedLength += buffered
            buffered = 0
            guard take > 0 else { return }
            hashed += take
            do {
                try hash.update(UnsafeRawBufferPointer(start: buffer, count: take))
            } catch {
                throw .cryptoFailure.with(message: "cannot hash the body", cause: error)
            }
        }
    }
}
