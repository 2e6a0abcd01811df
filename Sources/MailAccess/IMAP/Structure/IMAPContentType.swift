/// A Content-Type or Content-Disposition value split the way BODYSTRUCTURE shows it: the
/// type and subtype and each parameter as sent (case kept, quotes and comments removed,
/// RFC 2231 sections left as separate parameters).
struct IMAPContentType {
    var type: String
    var subtype: String
    var parameters: [IMAPBodyParameter]

    /// Nil when the value has no `type/subtype` (RFC 2045 section 5.2: then the default applies).
    init?(_ value: String) {
        let (main, parameters) = Self.split(value)
        guard let slash = main.firstIndex(of: "/") else { return nil }
        let type = main[..<slash].trimmingSpaces()
        let subtype = main[main.index(after: slash)...].trimmingSpaces()
        guard !type.isEmpty, !subtype.isEmpty, !type.contains(" "), !subtype.contains(" ") else { return nil }
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// A Content-Disposition value, or nil when it has no type.
    static func disposition(_ value: String) -> IMAPBodyDisposition? {
        let (main, parameters) = split(value)
        let type = main.trimmingSpaces()
        return type.isEmpty ? nil : IMAPBodyDisposition(type: type, parameters: parameters)
    }

    /// The part before the first `;` and the `name=value` pairs after it.
    static func split(_ value: String) -> (main: String, parameters: [IMAPBodyParameter]) {
        var segments: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var commentDepth = 0
        // Scalar by scalar (as Dovecot reads bytes; a quote followed by a combining mark is
        // still a quote), which is also much faster than by Character.
        for scalar in value.unicodeScalars {
            if escaped {
                current.unicodeScalars.append(scalar)
                escaped = false
            } else if quoted {
                if scalar == "\\" { escaped = true } else if scalar == "\"" { quoted = false } else { current.unicodeScalars.append(scalar) }
            } else if commentDepth > 0 {
                if scalar == "(" { commentDepth += 1 } else if scalar == ")" { commentDepth -= 1 }
            } else if scalar == "(" {
                commentDepth = 1
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == ";" {
                segments.append(current)
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        segments.append(current)
        var parameters: [IMAPBodyParameter] = []
        for segment in segments.dropFirst() {
            guard let equals = segment.firstIndex(of: "=") else { continue }
            let name = segment[..<equals].trimmingSpaces()
            let rawValue = String(segment[segment.index(after: equals)...])
            let value = rawValue.trimmingSpaces()
            guard !name.isEmpty else { continue }
            parameters.append(IMAPBodyParameter(name, value))
        }
        return (segments.first ?? "", joiningContinuations(parameters))
    }

    /// RFC 2231 section 3: `name*0`, `name*1`... joined into `name` (or `name*` when a
    /// section is charset-encoded, left encoded), after the other parameters, as Dovecot
    /// shows them. A lone `name*` stays as it is.
    static func joiningContinuations(_ parameters: [IMAPBodyParameter]) -> [IMAPBodyParameter] {
        var plain: [IMAPBodyParameter] = []
        var sections: [String: [(index: Int, value: String, extended: Bool)]] = [:]
        var order: [String] = []
        for parameter in parameters {
            guard let star = parameter.name.firstIndex(of: "*") else {
                plain.append(parameter)
                continue
            }
            let base = String(parameter.name[..<star])
            var rest = parameter.name[parameter.name.index(after: star)...]
            let extended = rest.hasSuffix("*")
            if extended { rest = rest.dropLast() }
            guard let index = Int(rest), index >= 0, index < 1000 else {
                plain.append(parameter)
                continue
            }
            if sections[base] == nil { order.append(base) }
            sections[base, default: []].append((index, parameter.value, extended))
        }
        for base in order {
            let parts = (sections[base] ?? []).sorted { $0.index < $1.index }
            let extended = parts.first?.extended ?? false
            plain.append(IMAPBodyParameter(extended ? base + "*" : base, parts.map(\.value).joined()))
        }
        return plain
    }
}
