/// A BODYSTRUCTURE (RFC 9051 section 7.5.2): a single part or a multipart, with the
/// extension data BODYSTRUCTURE carries (BODY leaves it out).
public indirect enum IMAPBodyStructure: Sendable, Hashable {
    /// A leaf part (text, message/rfc822, or anything else).
    case single(IMAPBodyPart)
    /// A multipart: its parts and subtype.
    case multipart(IMAPMultipartBody)
}

/// One `name value` pair of a Content-Type or Content-Disposition, as sent.
public struct IMAPBodyParameter: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The value (quotes removed).
    public var value: String
    /// A parameter from its parts.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A Content-Disposition: its type and parameters.
public struct IMAPBodyDisposition: Sendable, Hashable {
    /// `inline`, `attachment`, ...
    public var type: String
    /// The parameters (`filename`).
    public var parameters: [IMAPBodyParameter]
    /// A disposition from its parts.
    public init(type: String, parameters: [IMAPBodyParameter]) {
        self.type = type
        self.parameters = parameters
    }
}

/// The extension data every part shares: disposition, language, location.
public struct IMAPBodyExtension: Sendable, Hashable {
    /// Content-Disposition.
    public var disposition: IMAPBodyDisposition?
    /// Content-Language tags.
    public var language: [String]?
    /// Content-Location.
    public var location: String?
    /// Extension data from its parts.
    public init(disposition: IMAPBodyDisposition? = nil, language: [String]? = nil, location: String? = nil) {
        self.disposition = disposition
        self.language = language
        self.location = location
    }
}

/// A leaf part.
public struct IMAPBodyPart: Sendable, Hashable {
    /// What follows the common fields.
    public enum Kind: Sendable, Hashable {
        /// Any other type.
        case basic
        /// text/*: the body's line count.
        case text(lines: UInt64)
        /// message/rfc822 (or message/global): the embedded message's envelope and structure,
        /// and the body's line count.
        case message(IMAPEnvelope, IMAPBodyStructure, lines: UInt64)
    }

    /// The media type (`text`), as sent.
    public var type: String
    /// The subtype (`plain`), as sent.
    public var subtype: String
    /// The Content-Type parameters.
    public var parameters: [IMAPBodyParameter]
    /// Content-ID.
    public var id: String?
    /// Content-Description.
    public var description: String?
    /// Content-Transfer-Encoding (`7bit` when absent).
    public var encoding: String
    /// The body's size in octets (as stored, encoded).
    public var size: UInt64
    /// Type-specific fields.
    public var kind: Kind
    /// Content-MD5.
    public var md5: String?
    /// Disposition, language, location.
    public var extensions: IMAPBodyExtension

    /// A part from its parts.
    public init(
        type: String, subtype: String, parameters: [IMAPBodyParameter] = [], id: String? = nil, description: String? = nil,
        encoding: String = "7bit", size: UInt64, kind: Kind = .basic, md5: String? = nil, extensions: IMAPBodyExtension = .init()
    ) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
        self.id = id
        self.description = description
        self.encoding = encoding
        self.size = size
        self.kind = kind
        self.md5 = md5
        self.extensions = extensions
    }
}

/// A multipart.
public struct IMAPMultipartBody: Sendable, Hashable {
    /// The parts, in order.
    public var parts: [IMAPBodyStructure]
    /// The subtype (`mixed`), as sent.
    public var subtype: String
    /// The Content-Type parameters (the boundary among them).
    public var parameters: [IMAPBodyParameter]
    /// Disposition, language, location.
    public var extensions: IMAPBodyExtension

    /// A multipart from its parts.
    public init(parts: [IMAPBodyStructure], subtype: String, parameters: [IMAPBodyParameter] = [], extensions: IMAPBodyExtension = .init()) {
        self.parts = parts
        self.subtype = subtype
        self.parameters = parameters
        self.extensions = extensions
    }
}
