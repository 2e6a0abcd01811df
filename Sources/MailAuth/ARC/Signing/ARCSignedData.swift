import CommunityMailCrypto
import CommunityMailMessage

/// What the two ARC signatures sign, as bytes to hash: the seal's chain of header fields
/// (RFC 8617 §5.1.1) and the message signature's DKIM-style header selection (§4.1.2),
/// built on the shared signing layer (``Canonicalization``, `SignedHeaders`).
enum ARCSignedData {
    /// The raw fields of one set, as the seal hashes them.
    typealias SetFields = (authenticationResults: ArraySlice<UInt8>, messageSignature: ArraySlice<UInt8>, seal: ArraySlice<UInt8>)

    /// The data an ARC-Seal of instance `sets.last` signs: every field of `sets`, in instance
    /// order and within an instance AAR, AMS, AS, canonicalized relaxed (the only
    /// canonicalization a seal has), the last seal with its `b=` emptied and without its
    /// final line ending. A sealer of a failed chain passes its own set alone (§5.1.2).
    /// - Throws: ``MailAuthError/invalidRecord`` when the last seal has no `b=` tag.
    static func seal(_ sets: [SetFields]) throws(MailAuthError) -> [UInt8] {
        var data: [UInt8] = []
        for (index, set) in sets.enumerated() {
            Canonicalization.relaxed.appendCanonicalHeader(set.authenticationResults, to: &data)
            Canonicalization.relaxed.appendCanonicalHeader(set.messageSignature, to: &data)
            if index == sets.count - 1 {
                try SignedHeaders.appendSignatureField(set.seal, canonicalization: .relaxed, to: &data)
            } else {
                Canonicalization.relaxed.appendCanonicalHeader(set.seal, to: &data)
            }
        }
        return data
    }

    /// The header data an ARC-Message-Signature signs: the fields `h=` names, each taken from
    /// the bottom of `header` up, then the signature field with `b=` emptied (RFC 6376 §3.7).
    /// - Throws: ``MailAuthError/invalidRecord`` when the signature field has no `b=` tag.
    static func messageSignatureHeaders(
        _ header: HeaderBlock, signedFields: [String], canonicalization: Canonicalization, signatureField: ArraySlice<UInt8>
    ) throws(MailAuthError) -> [UInt8] {
        try SignedHeaders.hashInput(
            selected: SignedHeaders.select(signedFields, from: header.fields), signatureField: signatureField,
            canonicalization: canonicalization)
    }

    /// The body hash for a message signature: the body canonicalized, cut to `length` octets
    /// when given, streamed through the shared ``BodyCanonicalizer``.
    /// - Throws: ``MailAuthError/cryptoFailure`` when hashing fails.
    static func bodyHash(_ body: ArraySlice<UInt8>, canonicalization: Canonicalization, length: Int?, hash: HashFunction)
        throws(MailAuthError) -> [UInt8]
    {
        let canonicalizer = try BodyCanonicalizer(canonicalization, hash: hash, limit: length)
        try canonicalizer.update(body)
        return try canonicalizer.finalize()
    }
}
