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
        // Each configured field as often as it is present, the oversigned ones once more.
        let names = SignedHeaders.namesToSign(
            configuration.signedFields, overSigning: configuration.oversignedFields, in: message.header.fields)
        let tags = ["i=\(instance)", "a=\(algorithm.rawValue)", "c=relaxed/relaxed", "d=\(key.domain)", "s=\(key.selector)", "t=\(timestamp)"]
        var field = SignatureFieldFolding.fold(prefix: "ARC-Message-Signature:", tags: tags, headerNames: names)
        field += ";\r\n bh=\(Data(bodyHash).base64EncodedString());\r\n b="
        let data = try ARCSignedData.messageSignatureHeaders(
            message.header, signedFields: names, canonicalization: .relaxed, signatureField: Array((field + "\r\n").utf8)[...])
        return Self.ending(field + SignatureFieldFolding.wrap(try sign(data), firstLineUsed: 3) + "\r\n", with: lineEnding)
    }

    /// The ARC-Seal with `b=` empty (no line ending): what its signature covers.
    func unsignedSeal(instance: Int, chainValidation: ARCChainValidation, timestamp: String, algorithm: SignatureAlgorithm) -> String {
        let tags = ["i=\(instance)", "cv=\(chainValidation.rawValue)", "a=\(algorithm.rawValue)", "d=\(key.domain)", "s=\(key.selector)", "t=\(timestamp)"]
        return SignatureFieldFolding.fold(prefix: "ARC-Seal:", tags: tags, headerNames: nil) + ";\r\n b="
    }

    /// `field` (written with CRLF) with the message's line ending: relaxed canonicalization
    /// drops line breaks, so the signatures stay valid.
    static func ending(_ field: String, with lineEnding: String) -> String {
        lineEnding == "\r\n" ? field : field.replacingOccurrences(of: "\r\n", with: lineEnding)
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
