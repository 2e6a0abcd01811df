/// A field value that Launchpad may withhold.
///
/// When the caller may not see a field, Launchpad sends the marker
/// `tag:launchpad.net:2008:redacted` instead of the value. It is kept as ``redacted``,
/// never as a string, so that a withheld `is_valid` cannot be mistaken for a real answer.
public enum Redactable<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The value Launchpad sent.
    case value(Value)
    /// Launchpad withheld the value from this caller.
    case redacted

    /// The marker Launchpad sends in place of a withheld value.
    public static var marker: String { "tag:launchpad.net:2008:redacted" }

    /// The value, or nil when redacted.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// True when Launchpad withheld the value.
    public var isRedacted: Bool { self == .redacted }

    /// The value transformed; redacted stays redacted.
    public func map<T>(_ transform: (Value) throws -> T) rethrows -> Redactable<T> {
        switch self {
        case .value(let value): .value(try transform(value))
        case .redacted: .redacted
        }
    }
}

extension Redactable: CustomStringConvertible {
    /// The value, or `<redacted>`.
    public var description: String {
        switch self {
        case .value(let value): String(describing: value)
        case .redacted: "<redacted>"
        }
    }
}
