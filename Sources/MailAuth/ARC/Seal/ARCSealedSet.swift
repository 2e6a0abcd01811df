public import CommunityMailMessage

/// The three header fields a sealer adds, ready to prepend to the message.
public struct ARCSealedSet: Sendable, Hashable {
    /// The new set's instance.
    public var instance: Int
    /// The `cv=` the seal records.
    public var chainValidation: ARCChainValidation
    /// `ARC-Seal: ...` with its line ending.
    public var seal: String
    /// `ARC-Message-Signature: ...` with its line ending.
    public var messageSignature: String
    /// `ARC-Authentication-Results: ...` with its line ending.
    public var authenticationResults: String

    /// The fields newest first (seal, message signature, results): the order to prepend in.
    public var fields: [String] { [seal, messageSignature, authenticationResults] }

    /// The fields as bytes, in ``fields``' order.
    public var headerBytes: [UInt8] { Array(fields.joined().utf8) }

    /// `message` with the set prepended.
    public func prepended(to message: MailMessage) -> MailMessage { MailMessage(headerBytes + message.bytes) }
}
