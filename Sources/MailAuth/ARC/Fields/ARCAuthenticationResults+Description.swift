extension ARCAuthenticationResults: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The instance and authserv-id; the results themselves only by size, because they name
    /// the envelope sender (`smtp.mailfrom`) and other addresses.
    public var description: String {
        "ARCAuthenticationResults(i=\(instance), authserv-id \(authservID), \(results.utf8.count) bytes of results)"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// What `dump` shows: no field text.
    public var customMirror: Mirror { Mirror(self, children: ["instance": instance, "authservID": authservID]) }
}
