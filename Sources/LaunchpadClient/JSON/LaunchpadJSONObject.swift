import Foundation

/// One decoded JSON object from the web service, with typed field access that turns
/// absence, wrong types and the redaction marker into ``LaunchpadError`` values naming the
/// field. Unknown fields are simply never read.
struct LaunchpadJSONObject: Sendable {
    /// The fields.
    let fields: [String: LaunchpadJSONValue]
    /// What the object is, for messages ("person entry", "collection page").
    let kind: String

    init(fields: [String: LaunchpadJSONValue], kind: String) {
        self.fields = fields
        self.kind = kind
    }

    /// Decodes a JSON object from `data`.
    /// - Throws: ``LaunchpadError/malformedJSON``.
    init(data: Data, kind: String) throws {
        guard case .object(let fields)? = try? LaunchpadJSONValue.parse(data) else {
            throw LaunchpadError.malformedJSON.with(message: "the \(kind) is not a JSON object")
        }
        self.init(fields: fields, kind: kind)
    }

    /// A field's value; nil when absent or null.
    private func present(_ name: String) -> LaunchpadJSONValue? {
        switch fields[name] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    private func isRedacted(_ value: LaunchpadJSONValue) -> Bool {
        value == .string(Redactable<Bool>.marker)
    }

    private func missing(_ name: String) -> LaunchpadError {
        LaunchpadError.missingField.with(field: name, message: "the \(kind) has no `\(name)` field")
    }

    private func wrongType(_ name: String, _ expected: String) -> LaunchpadError {
        LaunchpadError.malformedField.with(field: name, message: "the \(kind)'s `\(name)` field is not \(expected)")
    }

    // MARK: Primitive extraction

    private func string(_ value: LaunchpadJSONValue, _ name: String) throws -> String {
        guard case .string(let text) = value else { throw wrongType(name, "a string") }
        return text
    }

    private func bool(_ value: LaunchpadJSONValue, _ name: String) throws -> Bool {
        guard case .bool(let flag) = value else { throw wrongType(name, "a boolean") }
        return flag
    }

    private func int(_ value: LaunchpadJSONValue, _ name: String) throws -> Int {
        guard case .integer(let number) = value else { throw wrongType(name, "an integer") }
        return number
    }

    private func url(_ value: LaunchpadJSONValue, _ name: String) throws -> URL {
        guard case .string(let text) = value, let url = URL(string: text), url.scheme != nil else { throw wrongType(name, "a URL") }
        return url
    }

    private func date(_ value: LaunchpadJSONValue, _ name: String) throws -> Date {
        guard case .string(let text) = value, let date = LaunchpadDate.parse(text) else { throw wrongType(name, "a date") }
        return date
    }

    // MARK: Required fields

    /// A required string; the redaction marker is refused (only `name` and links such as
    /// `self_link` are never redacted).
    func requiredString(_ name: String) throws -> String {
        guard let value = present(name) else { throw missing(name) }
        if isRedacted(value) { throw wrongType(name, "visible (it is redacted)") }
        return try string(value, name)
    }

    /// A required field that may be redacted.
    func requiredRedactable<T>(
        _ name: String, _ read: (LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> T
    ) throws -> Redactable<T> {
        guard let value = present(name) else { throw missing(name) }
        if isRedacted(value) { return .redacted }
        return .value(try read(self)(value, name))
    }

    // MARK: Optional fields (absent or null: nil)

    /// An optional field that may be redacted.
    func optionalRedactable<T>(
        _ name: String, _ read: (LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> T
    ) throws -> Redactable<T>? {
        guard let value = present(name) else { return nil }
        if isRedacted(value) { return .redacted }
        return .value(try read(self)(value, name))
    }

    /// An optional string (absent, null or redacted: nil).
    func optionalString(_ name: String) throws -> String? {
        guard let value = present(name), !isRedacted(value) else { return nil }
        return try string(value, name)
    }

    /// An optional integer (absent or null: nil).
    func optionalInt(_ name: String) throws -> Int? {
        guard let value = present(name) else { return nil }
        return try int(value, name)
    }

    /// An optional link as a URL (absent, null or redacted: nil).
    func optionalURL(_ name: String) throws -> URL? {
        guard let value = present(name), !isRedacted(value) else { return nil }
        return try url(value, name)
    }

    /// A required link as a URL; the redaction marker is refused.
    func requiredURL(_ name: String) throws -> URL {
        guard let value = present(name) else { throw missing(name) }
        if isRedacted(value) { throw wrongType(name, "visible (it is redacted)") }
        return try url(value, name)
    }

    /// An optional array of objects.
    func optionalObjects(_ name: String, kind elementKind: String) throws -> [LaunchpadJSONObject]? {
        guard let value = present(name) else { return nil }
        guard case .array(let array) = value else { throw wrongType(name, "an array") }
        return try array.map { element in
            guard case .object(let object) = element else { throw wrongType(name, "an array of objects") }
            return LaunchpadJSONObject(fields: object, kind: elementKind)
        }
    }

    // Readers passed to the redactable accessors.
    static func readString(_ object: LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> String { object.string }
    static func readBool(_ object: LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> Bool { object.bool }
    static func readInt(_ object: LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> Int { object.int }
    static func readDate(_ object: LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> Date { object.date }
    static func readURL(_ object: LaunchpadJSONObject) -> (LaunchpadJSONValue, String) throws -> URL { object.url }
}
