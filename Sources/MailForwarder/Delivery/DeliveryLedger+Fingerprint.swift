import CommunityMailCrypto

extension DeliveryLedger {
    /// What identifies one message across a sender's attempts: SHA-256 over the envelope
    /// sender as the client gave it and the message bytes as the client sent them.
    ///
    /// Computed as SHA-256(length of the sender's UTF-8 as 8 bytes big-endian ‖ sender ‖
    /// SHA-256(content)), so the sender and the content cannot be traded for each other
    /// and the message is hashed in place.
    public struct Fingerprint: Sendable, Hashable {
        /// The 32-byte digest.
        public let digest: [UInt8]

        /// The fingerprint of a message from `sender` (empty for `<>`) with `content` (as
        /// received, before our `Received:` field); nil only when libcrypto fails.
        public init?(sender: String, content: [UInt8]) {
            let senderBytes = Array(sender.utf8)
            let length = UInt64(senderBytes.count)
            let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * (7 - $0))) }
            guard let contentDigest = try? SHA256.hash(content),
                let digest = try? SHA256.hash(lengthBytes + senderBytes + contentDigest)
            else { return nil }
            self.digest = digest
        }
    }
}
