import CommunityMailIDNA

extension PublicSuffixList {
    /// The public suffix of `domain` (A-label form): the longest matching rule, an
    /// exception rule winning over every other and giving its name minus the leftmost
    /// label; a name no rule matches has its last label as suffix (the list's implicit
    /// `*` rule). The parent of a wildcard rule (`kawasaki.jp` for `*.kawasaki.jp`) is a
    /// public suffix itself, as in every widely used implementation. Nil when `domain` is not a domain name (empty, an empty label, a leading
    /// dot, a label IDNA refuses).
    ///
    /// `publicSuffix(of: "www.example.co.uk")` is `co.uk`.
    public func publicSuffix(of domain: String) -> String? {
        guard let labels = Self.labels(of: domain) else { return nil }
        let index = suffixStart(in: labels.suffixes)
        return labels.suffixes[index]
    }

    /// The registrable domain of `domain`: its public suffix plus one label, or nil when
    /// `domain` is itself a public suffix (or not a domain name).
    ///
    /// `registrableDomain(of: "www.example.co.uk")` is `example.co.uk`;
    /// `registrableDomain(of: "co.uk")` is nil.
    public func registrableDomain(of domain: String) -> String? {
        guard let labels = Self.labels(of: domain) else { return nil }
        let index = suffixStart(in: labels.suffixes)
        return index > 0 ? labels.suffixes[index - 1] : nil
    }

    /// The organisational domain of RFC 7489 section 3.2 (A-label form): the registrable
    /// domain, or `domain` itself when it is a public suffix (the RFC's steps give no
    /// further label to add; authheaders and checkdmarc answer the same). Nil when
    /// `domain` is not a domain name.
    ///
    /// `organizationalDomain(of: "mail.example.com")` is `example.com`.
    public func organizationalDomain(of domain: String) -> String? {
        guard let labels = Self.labels(of: domain) else { return nil }
        let index = suffixStart(in: labels.suffixes)
        return labels.suffixes[max(0, index - 1)]
    }

    /// The index of the label where the public suffix starts; `suffixes[i]` is the name
    /// made of labels `i...`.
    private func suffixStart(in suffixes: [String]) -> Int {
        // An exception rule prevails over any other match (the list's algorithm, step 2).
        // A one-label exception (`!foo`, only in a list a caller passed) would point past
        // the last label: it cannot apply.
        for index in suffixes.indices.dropLast() where exceptionRules.contains(suffixes[index]) {
            return index + 1
        }
        // Otherwise the matching rule with the most labels: scan from the longest name.
        for index in suffixes.indices {
            // A wildcard rule `*.X` makes `X` a public suffix too, as Mozilla's list
            // compiler, libpsl, publicsuffixlist and publicsuffix2 all read it.
            if exactRules.contains(suffixes[index]) || wildcardParents.contains(suffixes[index]) { return index }
            if index + 1 < suffixes.count, wildcardParents.contains(suffixes[index + 1]) { return index }
        }
        return suffixes.count - 1
    }

    /// The name's suffixes, longest first (`a.b.c`, `b.c`, `c`), in lowercase A-label
    /// form; nil when it is not a domain name.
    private static func labels(of domain: String) -> (suffixes: [String], count: Int)? {
        var name = Substring(domain)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard let normalised = normalisedName(name) else { return nil }
        // Suffixes start after each dot: slices of one string, no joining.
        var suffixes = [normalised]
        let utf8 = normalised.utf8
        var index = utf8.startIndex
        while let dot = utf8[index...].firstIndex(of: UInt8(ascii: ".")) {
            index = utf8.index(after: dot)
            suffixes.append(String(normalised[index...]))
        }
        return (suffixes, suffixes.count)
    }
}
