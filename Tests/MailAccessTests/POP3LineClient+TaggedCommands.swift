extension POP3LineClient {
    /// Lines up to and including the one tagged `tag` (or up to the connection's end).
    func readUntilTagged(_ tag: String) async throws -> [String] {
        var lines: [String] = []
        while let line = try await readLine() {
            lines.append(line)
            if line.hasPrefix(tag + " ") { break }
        }
        return lines
    }

    /// Sends `line` plus CRLF and reads up to its tagged reply (the tag is the first word).
    func command(_ line: String) async throws -> [String] {
        try await send(line + "\r\n")
        return try await readUntilTagged(String(line.prefix { $0 != " " }))
    }
}
