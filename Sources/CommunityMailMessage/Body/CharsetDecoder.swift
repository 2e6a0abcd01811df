import Foundation

#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// Turns bytes in a named charset into a string, never failing: an unknown charset or
/// bytes invalid in it fall back to UTF-8 when valid, else ISO-8859-1 (every byte is a character).
package enum CharsetDecoder {
    package static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        let name = (charset ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return fallback(bytes)
        case "iso-8859-1", "latin1", "latin-1":
            return String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
        default:
            if let encoding = encoding(named: name), let text = String(data: Data(bytes), encoding: encoding) {
                return text
            }
            return fallback(bytes)
        }
    }

    /// UTF-8 when the bytes are valid UTF-8, else ISO-8859-1.
    package static func fallback(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
    }

    private static func encoding(named name: String) -> String.Encoding? {
        #if canImport(CoreFoundation)
        // Toll-free bridging spelled so it compiles on Linux's Foundation too.
        let cfName = unsafeBitCast(NSString(string: name), to: CFString.self)
        let cfEncoding = CFStringConvertIANACharSetNameToEncoding(cfName)
        guard cfEncoding != kCFStringEncodingInvalidId else { return nil }
        return String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(cfEncoding))
        #else
        return nil
        #endif
    }
}
