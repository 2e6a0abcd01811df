/// The text of one text part as BODY and TEXT keys search it: transfer encoding and
/// charset undone into UTF-8 once per message, and folded (lowercased, with or without
/// NFKD) at most once per folding, however many keys read it.
final class IMAPDecodedPart {
    /// The decoded text, UTF-8 (a slice of the stored bytes when nothing was to undo).
    let utf8: ArraySlice<UInt8>
    /// Whether the text has a character beyond ASCII (only then can folding make a match
    /// that an ASCII comparison misses).
    let hasNonASCII: Bool
    private var foldedForms: [Bool: [UInt8]] = [:]

    init(utf8: ArraySlice<UInt8>) {
        self.utf8 = utf8
        hasNonASCII = utf8.withUnsafeBufferPointer { IMAPTextNeedle.hasNonASCII($0) }
    }

    /// The text folded as a needle that decomposes (or not) is.
    func folded(decomposing: Bool) -> [UInt8] {
        if let folded = foldedForms[decomposing] { return folded }
        let folded = Array(IMAPTextNeedle.fold(String(decoding: utf8, as: UTF8.self), decomposing: decomposing).utf8)
        foldedForms[decomposing] = folded
        return folded
    }
}
