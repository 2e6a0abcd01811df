extension ARCSealedSet: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The instance and `cv=`; the fields only by size (the ARC-Authentication-Results field
    /// names the envelope sender).
    public var description: String {
        "ARCSealedSet(i=\(instance), cv=\(chainValidation.rawValue), \(headerBytes.count) bytes of fields)"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// What `dump` shows: no field text.
    public var customMirror: Mirror { Mirror(self, children: ["instance": instance, "chainValidation": chainValidation.rawValue]) }
}
