extension DKIMSignature: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The signing domain, selector, algorithm and canonicalization: never `i=`, which may be
    /// a mail address, nor the signature itself. Results that hold a signature print it
    /// this way too, so logging a verification result logs no address.
    public var description: String {
        "DKIMSignature(d=\(domain), s=\(selector), a=\(algorithm.rawValue), c=\(headerCanonicalization.rawValue)/\(bodyCanonicalization.rawValue), \(signedHeaders.count) fields signed)"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// What `dump` shows: the same as ``description``, without `i=`.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "domain": domain, "selector": selector, "algorithm": algorithm.rawValue,
                "canonicalization": "\(headerCanonicalization.rawValue)/\(bodyCanonicalization.rawValue)",
            ])
    }
}
