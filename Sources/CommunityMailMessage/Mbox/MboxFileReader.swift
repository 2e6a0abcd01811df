public import Foundation

/// Reads an mbox file one message at a time, so an import of a multi-gigabyte export
/// holds one message (and a read buffer) in memory, not the file.
public struct MboxFileReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var searchFrom = 0
    private var atEnd = false
    private var checkedStart = false
    private static let chunkSize = 1 << 20
    private static let separator = Array("\nFrom ".utf8)

    /// Opens `url` for reading.
    /// - Throws: ``MailMessageError/io`` when it cannot be opened.
    public init(url: URL) throws(MailMessageError) {
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw MailMessageError.io.with(message: "cannot read \(url.lastPathComponent)")
        }
    }

    /// Closes the file.
    public func close() { try? handle.close() }

    private mutating func fill() throws(MailMessageError) {
        let data: Data?
        do { data = try handle.read(upToCount: Self.chunkSize) } catch { throw MailMessageError.io.with(message: "cannot read the mbox file") }
        guard let data, !data.isEmpty else {
            atEnd = true
            return
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            searchFrom -= start
            start = 0
        }
        buffer.append(contentsOf: data)
    }

    /// The next message, or nil at the end of the file.
    /// - Throws: ``MailMessageError/invalidMbox`` when the file does not start with `From `;
    ///   ``MailMessageError/io``.
    public mutating func next() throws(MailMessageError) -> MboxMessage? {
        while !checkedStart {
            if buffer.count - start >= 5 || atEnd {
                checkedStart = true
                if buffer.count == start { return nil }
                guard buffer.count - start >= 5, buffer[start..<(start + 5)].elementsEqual("From ".utf8) else {
                    throw MailMessageError.invalidMbox.with(message: "an mbox file starts with a \"From \" line")
                }
                searchFrom = start + 1
            } else {
                try fill()
            }
        }
        guard start < buffer.count || !atEnd else { return nil }
        while true {
            if let found = Self.find(Self.separator, in: buffer, from: max(searchFrom, start)) {
                let chunk = Array(buffer[start...found])
                start = found + 1
                searchFrom = start + 1
                return try MboxFormat.read(chunk).first
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let chunk = Array(buffer[start...])
                start = buffer.count
                return try MboxFormat.read(chunk).first
            }
            // Resume the search where it stopped, minus a separator's length that may straddle the chunks.
            searchFrom = max(start + 1, buffer.count - Self.separator.count)
            try fill()
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            guard let newline = haystack[index...last].firstIndex(of: needle[0]) else { return nil }
            if haystack[newline..<(newline + needle.count)].elementsEqual(needle) { return newline }
            index = newline + 1
        }
        return nil
    }
}
