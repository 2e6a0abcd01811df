import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The OpenID 2.0 services of a Yadis XRDS document (section 7.3.2), parsed safely: a
/// document that declares a DTD or entities is refused before the XML parser sees it, and
/// external entity resolution stays off.
struct XRDSDocument {
    /// The OP identifier service type.
    static let serverType = "http://specs.openid.net/auth/2.0/server"
    /// The claimed identifier service type.
    static let signonType = "http://specs.openid.net/auth/2.0/signon"

    /// One `Service` element of the final XRD.
    struct Service {
        var types: [String] = []
        var uris: [(uri: String, priority: Int)] = []
        var localID: String?
        var priority: Int = Int.max
    }

    /// The services of the last XRD element, in document order.
    let services: [Service]

    /// Parses `data`, which must be UTF-8: the DTD refusal below reads bytes, so a document
    /// in UTF-16 or UCS-4 (by BOM, by NUL bytes, by its XML declaration's `encoding=` or by
    /// the HTTP `charset`) is refused before anything else.
    /// - Parameter contentType: the HTTP Content-Type, lowercased, for its `charset`.
    /// - Throws: ``OpenIDError/unsafeDocument`` for other encodings, DTDs, entities or
    ///   malformed XML.
    init(data: Data, contentType: String = "") throws(OpenIDError) {
        try Self.requireUTF8(data, contentType: contentType)
        // XRDS never needs a DTD; refusing one closes external entities and entity expansion
        // ("billion laughs") before libxml2 is involved.
        // The whole buffer is scanned: a declaration after any prefix still reaches libxml2.
        guard !Self.containsIgnoringASCIICase(data, "<!doctype"), !Self.containsIgnoringASCIICase(data, "<!entity") else {
            throw OpenIDError.unsafeDocument.with(message: "the XRDS document declares a DTD or entities")
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        let collector = Collector()
        parser.delegate = collector
        // A truncated document can parse "successfully"; require the root element to close.
        guard parser.parse(), collector.depthLimitExceeded == false, collector.sawRoot, collector.depth == 0 else {
            throw OpenIDError.unsafeDocument.with(message: "the XRDS document is not well-formed XML")
        }
        services = collector.lastXRDServices
    }

    /// Refuses anything but UTF-8 (with or without its BOM): a UTF-16 or UCS-4 BOM, any NUL
    /// byte (which UTF-8 XML never holds, and every wider encoding of `<` does), a declared
    /// `encoding=` other than UTF-8, a `charset` other than UTF-8, or invalid UTF-8.
    /// True when `needle` (lowercase ASCII) occurs anywhere in `data`, ASCII letters compared
    /// without case.
    static func containsIgnoringASCIICase(_ data: Data, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, data.count >= pattern.count else { return false }
        return data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            let bytes = buffer.bindMemory(to: UInt8.self)
            func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
            var index = 0
            let last = bytes.count - pattern.count
            while index <= last {
                if bytes[index] == first {
                    var offset = 1
                    while offset < pattern.count, lower(bytes[index + offset]) == pattern[offset] { offset += 1 }
                    if offset == pattern.count { return true }
                }
                index += 1
            }
            return false
        }
    }

    static func requireUTF8(_ data: Data, contentType: String) throws(OpenIDError) {
        func refuse(_ why: String) -> OpenIDError { OpenIDError.unsafeDocument.with(message: "the XRDS document \(why)") }
        if let charset = contentType.split(separator: ";").dropFirst()
            .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { $0.hasPrefix("charset=") })
        {
            let name = charset.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
            guard name == "utf-8" || name == "utf8" else { throw refuse("is served in a charset other than UTF-8") }
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            throw refuse("is not UTF-8 (UTF-16 or UCS-4 byte order mark)")
        }
        guard !bytes.contains(0) else { throw refuse("is not UTF-8 (it contains NUL bytes)") }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw refuse("is not valid UTF-8") }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard body.starts(with: Array("<?xml".utf8)), let end = body.prefix(1024).firstIndex(of: UInt8(ascii: ">")) else { return }
        let declaration = String(decoding: body[..<end], as: UTF8.self).lowercased()
        guard let range = declaration.range(of: "encoding") else { return }
        let rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" || $0 == "\t" }
        let name = rest.prefix { $0 != "\"" && $0 != "'" && $0 != " " && $0 != "?" }
        guard name == "utf-8" || name == "utf8" else { throw refuse("declares an encoding other than UTF-8") }
    }

    /// The OpenID 2.0 services found, as ``OpenIDService`` values for `claimedIdentifier`:
    /// OP identifier services when any exist (section 7.3.2.2), else claimed identifier ones.
    func openIDServices(claimedIdentifier: String) -> [OpenIDService] {
        func expand(_ service: Service, isOPIdentifier: Bool) -> [OpenIDService] {
            service.uris.sorted { $0.priority < $1.priority }.map {
                OpenIDService(
                    endpoint: $0.uri, isOPIdentifier: isOPIdentifier,
                    claimedIdentifier: isOPIdentifier ? nil : claimedIdentifier,
                    localIdentifier: isOPIdentifier ? nil : service.localID, priority: service.priority)
            }
        }
        let ordered = services.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
        let servers = ordered.filter { $0.types.contains(Self.serverType) }
        if !servers.isEmpty { return servers.flatMap { expand($0, isOPIdentifier: true) } }
        return ordered.filter { $0.types.contains(Self.signonType) }.flatMap { expand($0, isOPIdentifier: false) }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var lastXRDServices: [Service] = []
        var depthLimitExceeded = false
        private var current: [Service] = []
        private var service: Service?
        private var text = ""
        private var uriPriority = Int.max
        private(set) var depth = 0
        private(set) var sawRoot = false

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            depth += 1
            sawRoot = true
            if depth > 32 {
                depthLimitExceeded = true
                parser.abortParsing()
                return
            }
            text = ""
            let priority = attributeDict["priority"].flatMap { Int($0) } ?? Int.max
            switch elementName {
            case "XRD": current = []
            case "Service": service = Service(priority: priority)
            case "URI": uriPriority = priority
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if text.utf8.count < 8192 { text += string }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            depth -= 1
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            text = ""
            switch elementName {
            case "Type": service?.types.append(value)
            case "URI": if !value.isEmpty { service?.uris.append((value, uriPriority)) }
            case "LocalID": if service?.localID == nil, !value.isEmpty { service?.localID = value }
            case "Service":
                if let service { current.append(service) }
                service = nil
            case "XRD": lastXRDServices = current
            default: break
            }
        }
    }
}
