import CommunityMailMessage
import Foundation
import MailAuth

/// Edits of a sealed message's header fields for the ARC tests, byte-exact elsewhere.
enum ARCMessageEditing {
    /// `message` with the first field matching `matches` replaced by `transform` of its raw
    /// text (nil from `transform` removes it). Nil when no field matches.
    static func editing(_ message: MailMessage, where matches: (HeaderField) -> Bool, _ transform: (String) -> String?) -> MailMessage? {
        guard let field = message.header.fields.first(where: matches) else { return nil }
        let replacement = transform(String(decoding: field.rawBytes, as: UTF8.self)).map { Array($0.utf8) } ?? []
        var bytes = message.bytes
        bytes.replaceSubrange(field.rawBytes.startIndex..<field.rawBytes.endIndex, with: replacement)
        return MailMessage(bytes)
    }

    /// The ARC field of `kind` (lowercased name) and `instance`.
    static func isARCField(_ name: String, instance: Int) -> (HeaderField) -> Bool {
        { field in
            field.lowercasedName == name
                && (field.unfoldedValue.hasPrefix("i=\(instance);") || field.unfoldedValue.contains(" i=\(instance);")
                    || field.unfoldedValue.contains(";i=\(instance);"))
        }
    }

    /// The ways the interop tests break a chain (each must give cv=fail on both sides).
    enum Breakage: String, CaseIterable, CustomStringConvertible {
        case changedSignedHeader, flippedBodyByte, tamperedAuthenticationResults, missingMessageSignature, wrongInstance, duplicatedSeal

        var description: String { rawValue }

        /// Why our verifier must fail a chain of `length` sets broken this way (RFC 8617 §5.2:
        /// structure first, then the newest AMS, then the seals newest first).
        func expectedFailure(length: Int) -> ARCFailureReason {
            switch self {
            case .changedSignedHeader: .messageSignatureInvalid(instance: length)
            case .flippedBodyByte: .bodyHashMismatch(instance: length)
            case .tamperedAuthenticationResults: .sealInvalid(instance: length)
            case .missingMessageSignature: .incompleteSet(instance: 1)
            case .wrongInstance: .instanceGap(missing: length)
            case .duplicatedSeal: .duplicateField(instance: length)
            }
        }

        /// `message` (a chain of `length` sets) broken this way.
        func apply(to message: MailMessage, length: Int) -> MailMessage? {
            switch self {
            case .changedSignedHeader:
                return ARCMessageEditing.editing(message, where: { $0.lowercasedName == "subject" }) { $0.replacingOccurrences(of: ":", with: ": Re:", options: [], range: $0.range(of: ":")) }
            case .flippedBodyByte:
                // The body's last visible byte flipped; an empty body gains one.
                var bytes = message.bytes
                guard let last = message.body.lastIndex(where: { $0 > 0x20 && $0 < 0x7f }) else {
                    return MailMessage(bytes + Array("x\r\n".utf8))
                }
                bytes[last] ^= 0x01
                return MailMessage(bytes)
            case .tamperedAuthenticationResults:
                return ARCMessageEditing.editing(message, where: isARCField("arc-authentication-results", instance: 1)) {
                    $0.replacingOccurrences(of: "spf=pass", with: "spf=fail")
                }
            case .missingMessageSignature:
                return ARCMessageEditing.editing(message, where: isARCField("arc-message-signature", instance: 1)) { _ in nil }
            case .wrongInstance:
                // The newest set claims the next instance up: a gap at `length`.
                var edited = message
                for name in ["arc-seal", "arc-message-signature", "arc-authentication-results"] {
                    guard
                        let next = ARCMessageEditing.editing(edited, where: isARCField(name, instance: length), {
                            $0.replacingOccurrences(of: "i=\(length);", with: "i=\(length + 1);")
                        })
                    else { return nil }
                    edited = next
                }
                return edited
            case .duplicatedSeal:
                guard let seal = message.header.fields.first(where: isARCField("arc-seal", instance: length)) else { return nil }
                return MailMessage(Array(seal.rawBytes) + message.bytes)
            }
        }
    }
}
