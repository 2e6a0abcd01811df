import CommunityMailCrypto
import CommunityMailMessage
import Foundation

extension ARCSealer {
    /// The ARC-Message-Signature field (relaxed/relaxed, like DKIM's but with `i=` the
    /// instance and no `v=`), signed.
    func messageSignature(of message: MailMessage, instance: Int, timestamp: String, algorithm: SignatureAlgorithm, lineEnding: String)
        throws(MailAuthError) -> String
    {
        let bodyHash = try ARCSignedData.bodyHash(message.body, canonicalization: .relaxed, length: nil, hash: algorithm.hash)
        // Each configured field as often as it is present, then the oversigned ones once more.
        var counts: [String: Int] = [:]
        for field in message.header.fields { counts[field.lowercasedName, default: 0] += 1 }
        let configuredCount = configuration.signedFields.count
        var names: [String] = []
        for (index, name) in signedFieldNames.enumerated() {
            if index < configuredCount {
                if !names.contains(name) { names += Array(repeating: name, count: counts[name, default: 0]) }
            } else {
                names.append(name)
            }
        }
        var writer = ARCFieldWriter(name: "ARC-Message-Signature", lineEnding: lineEnding)
        writer.tag("i", "\(instance)", first: true)
        writer.tag("a", algorithm.rawValue)
        writer.tag("c", "relaxed/relaxed")
        writer.tag("d", key.domain)
        writer.tag("s", key.selector)
        writer.tag("t", timestamp)
        writer.foldedTag("h", parts: names, joiner: ":")
        writer.foldedTag("bh", parts: [Data(bodyHash).base64EncodedString()], joiner: "")
        writer.tag("b", "")
        let data = try ARCSignedData.messageSignatureHeaders(
            message.header, signedFields: names, canonicalization: .relaxed, signatureField: Array(writer.field.utf8)[...])
        writer.folded(try sign(data), chunk: 72)
        return writer.field
    }

    /// The base64 signature of `data` with our key.
    func sign(_ data: [UInt8]) throws(MailAuthError) -> String {
        do {
            let digest = try HashFunction.sha256.hash(data)
            return Data(try key.signingKey.signature(forDigest: digest, hash: .sha256)).base64EncodedString()
        } catch {
            throw .cryptoFailure.with(message: "signing the ARC set failed", cause: error)
        }
    }

    /// The line ending the message's header uses (CRLF unless its first line ends in a bare
    /// LF), so the new fields match it.
    static func lineEnding(of message: MailMessage) -> String {
        guard let newline = message.header.rawBytes.firstIndex(of: 0x0a) else { return "\r\n" }
        return newline > message.header.rawBytes.startIndex && message.header.rawBytes[newline - 1] == 0x0d ? "\r\n" : "\n"
    }

    /// True for an RFC 2045 token: printable ASCII without spaces or specials.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255
            && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && !Array("()<>@,;:\\\"/[]?=".utf8).contains($0) }
    }
}
