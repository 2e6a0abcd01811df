import Foundation

/// One decoded JSON object from the web service, with typed field access that turns
/// absence, wrong types and the redaction marker into ``LaunchpadError`` values naming the
/// field. Unknown fields are simply never read.
struct LaunchpadJSONObject: @unchecked Sendable {
    // `[String: Any]` from JSONSerialization holds only immutable value types
    // (NSString, NSNumber, arrays, dictionaries, NSNull), so sharing it is safe.
    let fields: [String: Any]
    /// What the object is, for messages ("person entry", "collection page").
    let kind: String

    init(fields: [String: Any], kind: String) {
        self.fields = fields
        self.kind = kind
    }

    /// Decodes a JSON object from `data`.
    /// - Throws: ``LaunchpadError/malformedJSON``.
    init(data: Data, kind: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              let fields = object as? [String: Any]
        else {
            throw LaunchpadError.malformedJSON.with(message: "the \(kind) is not a JSON object")
        }
        self.init(fields: fields, kind: kind)
    }

    private func isRedacted(_ value: Any) -> Bool {
        (value as? String) == Redactable<Bool>.marker
    }

    private func missing(_ name: String) -> LaunchpadError {
        LaunchpadError.missingField.with(field: name, message: "the \(kind) has no `\(name)` field")
    }

    private func wrongType(_ name: String, _ expected: String) -> LaunchpadError {
        LaunchpadError.malformedField.with(field: name, message: "the \(kind)'s `\(name)` field is not \(expected)")
    }

    // MARK: Primitive extraction

    private func string(_ value: Any, _ name: String) throws -> String {
        guard let text = value as? String else { throw wrongType(name, "a string") }
        return text
    }

    private func bool(_ value: Any, _ name: String) throws -> Bool {
        // NSNumber bridges 0/1 to Bool too; insist on a real JSON boolean.
        guard let number = value as? NSNumber, Self.isBoolean(number) else { throw wrongType(name, "a boolean") }
        return number.boolValue
    }

    private func int(_ value: Any, _ name: String) throws -> Int {
        guard let number = value as? NSNumber, !Self.isBoolean(number),
              let exact = Int(exactly: number.doubleValue)
        else { throw wrongType(name, "an integer") }
        return exact
    }

    private func date(_ value: Any, _ name: String) throws -> Date {
        guard let text = value as? String, let date = LaunchpadDate.parse(text) else { throw wrongType(name, "a date") }
        return date
    }

    /// True when the number came from JSON `true`/`false` (Foundation marks those with
    /// the C type `c` on Linux and Darwin alike; JSON integers never get it).
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    // MARK: Required fields

    /// A required string; the redaction marker is refused.
    func requiredString(_ name: String) throws -> String {
        guard let value = fields[name], !(value is NSNull) else { throw missing(name) }
        if isRedacted(value) { throw wrongType(name, "visible (it is redacted)") }
        return try string(value, name)
    }

    /// A required boolean; the redaction marker is refused.
    func requiredBool(_ name: String) throws -> Bool {
        guard let value = fields[name], !(value is NSNull) else { throw missing(name) }
        if isRedacted(value) { throw wrongType(name, "visible (it is redacted)") }
        return try bool(value, name)
    }

    /// A required field that may be redacted.
    func requiredRedactable<T>(_ name: String, _ read: (LaunchpadJSONObject) -> (Any, String) throws -> T) throws -> Redactable<T> {
        guard let value = fields[name], !(value is NSNull) else { throw missing(name) }
        if isRedacted(value) { return .redacted }
        return .value(try read(self)(value, name))
    }

    // MARK: Optional fields (absent or null: nil)

    /// An optional field that may be redacted.
    func optionalRedactable<T>(_ name: String, _ read: (LaunchpadJSONObject) -> (Any, String) throws -> T) throws -> Redactable<T>? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        if isRedacted(value) { return .redacted }
        return .value(try read(self)(value, name))
    }

    /// An optional string (absent, null or redacted: nil).
    func optionalString(_ name: String) throws -> String? {
        guard let value = fields[name], !(value is NSNull), !isRedacted(value) else { return nil }
        return try string(value, name)
    }

    /// An optional integer (absent or null: nil).
    func optionalInt(_ name: String) throws -> Int? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        return try int(value, name)
    }

    /// An optional link as a URL (absent, null or redacted: nil).
    func optionalURL(_ name: String) throws -> URL? {
        guard let text = try optionalString(name) else { return nil }
        guard let url = URL(string: text), url.scheme != nil else { throw wrongType(name, "a URL") }
        return url
    }

    /// A required link as a URL.
    func requiredURL(_ name: String) throws -> URL {
        let text = try requiredString(name)
        guard let url = URL(string: text), url.scheme != nil else { throw wrongType(name, "a URL") }
        return url
    }

    /// An optional array of objects.
    func optionalObjects(_ name: String, kind elementKind: String) throws -> [LaunchpadJSONObject]? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let array = value as? [Any] else { throw wrongType(name, "an array") }
        return try array.map { element in
            guard let object = element as? [String: Any] else { throw wrongType(name, "an array of objects") }
            return LaunchpadJSONObject(fields: object, kind: elementKind)
        }
    }

    // Readers passed to the redactable accessors.
    static func readString(_ object: LaunchpadJSONObject) -> (Any, String) throws -> String { object.string }
    static func readBool(_ object: LaunchpadJSONObject) -> (Any, String) throws -> Bool { object.bool }
    static func readInt(_ object: LaunchpadJSONObject) -> (Any, String) throws -> Int { object.int }
    static func readDate(_ object: LaunchpadJSONObject) -> (Any, String) throws -> Date { object.date }
}
