internal import CommunityMailCrypto

/// Canonicalizes a message body as it streams in (RFC 6376 §3.4.3, §3.4.4) and hashes the
/// result, optionally only its first `limit` bytes (the `l=` tag).
///
/// Line endings: a bare LF ends a line as CRLF does (as dkimpy reads messages, and as an MTA
/// puts them on the wire); a bare CR is an ordinary byte. Empty lines at the end are
/// dropped; an empty body is CRLF under `simple` and nothing under `relaxed`. A last line
/// without a line ending is a line like the others (it gets CRLF; under `relaxed` its
/// trailing whitespace goes, as RFC 6376 says: dkimpy 1.1.8 keeps one space there).
final class BodyCanonicalizer {
    /// The algorithm.
    let canonicalization: Canonicalization
    /// How many canonical bytes to hash at most, or nil for all of them.
    let limit: Int?

    private let hash: IncrementalHash
    private var partialLine: [UInt8] = []
    private var pendingEmptyLines = 0
    private var emittedAny = false
    private var hashed = 0
    /// Every canonical byte, hashed or beyond the limit.
    private(set) var canonicalLength = 0
    private var output: [UInt8] = []
    private var scratch: [UInt8] = []
    private static let flushSize = 32 * 1024
    private static let lineEnd: ArraySlice<UInt8> = [0x0d, 0x0a]

    /// A canonicalizer feeding a new hash of `function`.
    /// - Throws: ``MailAuthError/cryptoFailure`` when libcrypto cannot start the hash.
    init(_ canonicalization: Canonicalization, hash function: HashFunction, limit: Int? = nil) throws(MailAuthError) {
        self.canonicalization = canonicalization
        self.limit = limit
        do {
            self.hash = try IncrementalHash(function)
        } catch {
            throw .cryptoFailure.with(message: "cannot start a body hash", cause: error)
        }
        output.reserveCapacity(Self.flushSize + 1024)
    }

    /// Adds the next piece of the body.
    func update(_ bytes: ArraySlice<UInt8>) throws(MailAuthError) {
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while let newline = bytes[index...].firstIndex(of: 0x0a) {
            if partialLine.isEmpty {
                var contentEnd = newline
                if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0d { contentEnd -= 1 }
                try line(bytes[lineStart..<contentEnd])
            } else {
                partialLine.append(contentsOf: bytes[lineStart..<newline])
                if partialLine.last == 0x0d { partialLine.removeLast() }
                let whole = partialLine
                partialLine.removeAll(keepingCapacity: true)
                try line(whole[...])
            }
            index = newline + 1
            lineStart = index
        }
        if lineStart < bytes.endIndex { partialLine.append(contentsOf: bytes[lineStart...]) }
    }

    /// Ends the body: the digest of the canonical bytes (up to the limit).
    /// - Throws: ``MailAuthError/cryptoFailure`` when hashing fails.
    func finalize() throws(MailAuthError) -> [UInt8] {
        if !partialLine.isEmpty {
            let last = partialLine
            partialLine = []
            try line(last[...])
        }
        if !emittedAny, canonicalization == .simple { try emit(Self.lineEnd) }
        try flush()
        do {
            return try hash.finalize()
        } catch {
            throw .cryptoFailure.with(message: "cannot finish a body hash", cause: error)
        }
    }

    private func line(_ content: ArraySlice<UInt8>) throws(MailAuthError) {
        switch canonicalization {
        case .simple:
            if content.isEmpty {
                pendingEmptyLines += 1
                return
            }
            try emitPendingLines()
            try emit(content)
        case .relaxed:
            // Written through a raw buffer in a local array (moved out of the property and
            // back): the byte loop then makes no uniqueness or exclusivity checks. Collapsing
            // whitespace only shrinks a line, so the content's length is enough room.
            var canonical: [UInt8] = []
            swap(&canonical, &scratch)
            if canonical.count < content.count { canonical = [UInt8](repeating: 0, count: max(content.count, 1024)) }
            let length = canonical.withUnsafeMutableBufferPointer { output -> Int in
                content.withUnsafeBufferPointer { input -> Int in
                    var written = 0
                    var pendingSpace = false
                    for byte in input {
                        if byte == 0x20 || byte == 0x09 {
                            pendingSpace = true
                        } else {
                            if pendingSpace {
                                output[written] = 0x20
                                written += 1
                            }
                            pendingSpace = false
                            output[written] = byte
                            written += 1
                        }
                    }
                    return written
                }
            }
            defer { swap(&canonical, &scratch) }
            if length == 0 {
                pendingEmptyLines += 1
                return
            }
            try emitPendingLines()
            try emit(canonical[0..<length])
        }
        try emit(Self.lineEnd)
    }

    private func emitPendingLines() throws(MailAuthError) {
        while pendingEmptyLines > 0 {
            try emit(Self.lineEnd)
            pendingEmptyLines -= 1
        }
    }

    private func emit(_ bytes: ArraySlice<UInt8>) throws(MailAuthError) {
        emittedAny = true
        canonicalLength += bytes.count
        var take = bytes.count
        if let limit { take = min(take, max(0, limit - hashed)) }
        guard take > 0 else { return }
        hashed += take
        output.append(contentsOf: bytes.prefix(take))
        if output.count >= Self.flushSize { try flush() }
    }

    private func flush() throws(MailAuthError) {
        guard !output.isEmpty else { return }
        do {
            try hash.update(output)
        } catch {
            throw .cryptoFailure.with(message: "cannot hash the body", cause: error)
        }
        output.removeAll(keepingCapacity: true)
    }
}
