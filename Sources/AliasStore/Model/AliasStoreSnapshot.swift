public import Foundation

/// Everything a store holds, for backups, moving between stores, and exports. JSON
/// round-trips it exactly: times are whole milliseconds since 1970.
public struct AliasStoreSnapshot: Sendable, Hashable, Codable {
    /// The format's version; 1.
    public var formatVersion: Int
    /// Every user, by id.
    public var users: [User]
    /// Every domain with its members, by name.
    public var domains: [Domain]
    /// Every alias, by id.
    public var aliases: [Alias]
    /// The whole change log, by sequence.
    public var changes: [ChangeLogEntry]
    /// The highest alias id ever assigned (ids of deleted aliases are not reused).
    public var lastAliasID: Int64

    /// The format version this code writes.
    public static let currentFormatVersion = 1

    /// A snapshot from its parts.
    public init(users: [User], domains: [Domain], aliases: [Alias], changes: [ChangeLogEntry], lastAliasID: Int64) {
        self.formatVersion = Self.currentFormatVersion
        self.users = users
        self.domains = domains
        self.aliases = aliases
        self.changes = changes
        self.lastAliasID = lastAliasID
    }

    /// The snapshot as JSON (keys sorted, times as integer milliseconds).
    public func jsonData() throws(AliasStoreError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.millisecondsSince1970)
        }
        do {
            return try encoder.encode(self)
        } catch {
            throw AliasStoreError.invalidSnapshot.with(message: "the snapshot cannot be encoded: \(error)")
        }
    }

    /// Reads a snapshot from ``jsonData()``'s format.
    /// - Throws: ``AliasStoreError/invalidSnapshot`` when it is not one.
    public init(jsonData data: Data) throws(AliasStoreError) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(millisecondsSince1970: try decoder.singleValueContainer().decode(Int64.self))
        }
        do {
            self = try decoder.decode(AliasStoreSnapshot.self, from: data)
        } catch {
            throw AliasStoreError.invalidSnapshot.with(message: "the JSON is not an alias store snapshot: \(error)")
        }
        guard formatVersion == Self.currentFormatVersion else {
            throw AliasStoreError.invalidSnapshot.with(message: "snapshot format \(formatVersion) is not supported")
        }
    }
}
