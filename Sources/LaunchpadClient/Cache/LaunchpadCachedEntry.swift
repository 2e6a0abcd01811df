public import Foundation

/// A cached entry: its entity tag and the body it tagged.
public struct LaunchpadCachedEntry: Sendable, Hashable {
    /// The `ETag` header the body came with.
    public var etag: String
    /// The JSON body.
    public var body: Data

    /// An entry.
    public init(etag: String, body: Data) {
        self.etag = etag
        self.body = body
    }
}
