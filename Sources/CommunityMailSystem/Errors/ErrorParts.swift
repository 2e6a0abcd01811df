/// What every module's error struct stores: its kind (the module's private code enum), a
/// message, and the failure underneath, if one was kept.
///
/// An error struct keeps one of these as its only stored property, so its `Equatable` and
/// `Hashable` conformances are synthesized from it: errors of the same kind compare equal,
/// whatever their messages and causes.
package struct ErrorParts<Code: Hashable & Sendable>: Hashable, Sendable {
    /// The kind.
    package let code: Code
    /// What is wrong, in words a person can act on.
    package let message: String
    /// The failure underneath (another module's error), when one was kept.
    package let cause: (any Error)?

    /// Parts of the kind `code`.
    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The same kind and cause with another message.
    package func with(message: String) -> ErrorParts { ErrorParts(code, message, cause: cause) }

    /// The same kind with another message and cause.
    package func with(message: String, cause: (any Error)?) -> ErrorParts { ErrorParts(code, message, cause: cause) }

    /// Same kind.
    package static func == (lhs: ErrorParts, rhs: ErrorParts) -> Bool { lhs.code == rhs.code }

    /// The kind only, consistent with `==`.
    package func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
