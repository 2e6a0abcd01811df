#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the octets of one BODY[section] item as they go on the wire: every bare LF of the
/// stored bytes becomes CRLF (RFC 9051 section 2.3.1: message data is in CRLF form; the
/// sizes BODYSTRUCTURE gives count the same way, as Dovecot's do), and only the octets of
/// the partial window `<origin.octets>` are kept. The stored bytes are copied once, into
/// the result: never a whole copy first and a window later.
struct IMAPSectionWriter {
    private(set) var output: [UInt8] = []
    /// Octets of the section written so far, kept or not.
    private var position: UInt64 = 0
    private let lower: UInt64
    private let upper: UInt64
    /// The last stored byte seen, across pieces, so a CR at the end of one piece and an LF
    /// at the start of the next stay one CRLF.
    private var previous: UInt8 = 0

    /// A writer keeping the octets in `partial` (all when nil).
    init(partial: IMAPPartial?) {
        lower = partial?.offset ?? 0
        let (sum, overflow) = (partial?.offset ?? 0).addingReportingOverflow(partial?.length ?? UInt64.max)
        upper = partial == nil || overflow ? UInt64.max : sum
    }

    /// Whether the window is full: later pieces add nothing.
    var isFull: Bool { position >= upper }

    /// Adds bytes that go out as they are (decoded binary content): no line ending changed.
    mutating func appendVerbatimBytes(_ piece: ArraySlice<UInt8>) {
        guard !piece.isEmpty, !isFull else { return }
        appendVerbatim(piece)
        previous = piece.last ?? previous
    }

    /// Adds stored bytes, bare LFs made CRLF.
    mutating func append(_ piece: ArraySlice<UInt8>) {
        guard !piece.isEmpty, !isFull else { return }
        if output.isEmpty { output.reserveCapacity(Int(min(UInt64(piece.count) + 2, upper - lower, 1 << 26))) }
        if !Self.hasBareLF(piece, after: previous) {
            // No line ending to fix: the window's part of the piece in one copy.
            appendVerbatim(piece)
            previous = piece.last ?? previous
            return
        }
        var runStart = piece.startIndex
        for index in piece.indices where piece[index] == 0x0a {
            let before = index > piece.startIndex ? piece[index - 1] : previous
            if before != 0x0d {
                appendVerbatim(piece[runStart..<index])
                appendVerbatim([0x0d][...])
                runStart = index
            }
        }
        appendVerbatim(piece[runStart...])
        previous = piece.last ?? previous
    }

    /// Adds CRLF (the blank line HEADER.FIELDS ends with).
    mutating func appendCRLF() {
        appendVerbatim([0x0d, 0x0a][...])
        previous = 0x0a
    }

    private mutating func appendVerbatim(_ bytes: ArraySlice<UInt8>) {
        let count = UInt64(bytes.count)
        defer { position += count }
        guard position + count > lower, position < upper else { return }
        let start = lower > position ? Int(lower - position) : 0
        let end = upper - position < count ? Int(upper - position) : bytes.count
        output.append(contentsOf: bytes[(bytes.startIndex + start)..<(bytes.startIndex + end)])
    }

    /// Whether `bytes` holds an LF with no CR before it; `before` is the byte before them.
    /// Every BODY[] goes through this test, so it jumps from LF to LF with memchr rather
    /// than looking at each byte in turn.
    static func hasBareLF(_ bytes: ArraySlice<UInt8>, after before: UInt8) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            var start = 0
            while start < buffer.count, let found = memchr(base + start, 0x0a, buffer.count - start) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if (index > 0 ? buffer[index - 1] : before) != 0x0d { return true }
                start = index + 1
            }
            return false
        }
    }

    /// The octets of `bytes` in CRLF form, within `partial`: `bytes` itself, not copied,
    /// when it is all asked for and already in CRLF form.
    static func wire(_ bytes: [UInt8], partial: IMAPPartial?) -> [UInt8] {
        if partial == nil && !hasBareLF(bytes[...], after: 0) { return bytes }
        return wire(bytes[...], partial: partial)
    }

    /// The octets of `bytes` in CRLF form, within `partial`.
    static func wire(_ bytes: ArraySlice<UInt8>, partial: IMAPPartial?) -> [UInt8] {
        var writer = IMAPSectionWriter(partial: partial)
        writer.append(bytes)
        return writer.output
    }
}
