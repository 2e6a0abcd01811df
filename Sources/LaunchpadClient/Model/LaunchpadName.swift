/// Launchpad's rule for person and team names, checked before a name goes into a URL.
enum LaunchpadName {
    /// The name without a leading `~`, when it follows Launchpad's rule: 1 to 64 characters,
    /// lowercase ASCII letters, digits, `+`, `-` and `.`, starting with a letter or digit.
    /// - Throws: ``LaunchpadError/invalidName``.
    static func validated(_ text: String) throws -> String {
        let name = text.hasPrefix("~") ? String(text.dropFirst()) : text
        let bytes = Array(name.utf8)
        func isLowerOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard (1...64).contains(bytes.count), isLowerOrDigit(bytes[0]),
              bytes.allSatisfy({ isLowerOrDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else {
            throw LaunchpadError.invalidName.with(
                message: "\(String(name.prefix(80)).debugDescription) is not a valid Launchpad name")
        }
        return name
    }

    /// The name at the end of a person link such as `https://api.launchpad.net/1.0/~alice`.
    static func fromLink(_ link: String) -> String? {
        guard let tilde = link.lastIndex(of: "~") else { return nil }
        let tail = link[link.index(after: tilde)...]
        let name = tail.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return (try? validated(String(name)))
    }
}
