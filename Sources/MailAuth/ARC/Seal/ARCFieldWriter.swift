/// Writes ARC header fields: tags joined with `; `, folded before a tag or inside `h=` and
/// base64 values so that lines stay near 78 characters (folding never changes what a
/// relaxed signature covers).
struct ARCFieldWriter {
    private(set) var text: String
    private var lineLength: Int
    private let lineEnding: String
    private static let width = 76

    init(name: String, lineEnding: String) {
        text = name + ":"
        lineLength = text.count
        self.lineEnding = lineEnding
    }

    /// Appends `piece`, starting a new line first when it would not fit (never on an empty
    /// line's start).
    private mutating func append(_ piece: String, separator: String) {
        if lineLength + separator.count + piece.count > Self.width, lineLength > 1 {
            text += separator.trimmingTrailingSpaces + lineEnding + " "
            lineLength = 1
        } else {
            text += separator
            lineLength += separator.count
        }
        text += piece
        lineLength += piece.count
    }

    /// Appends one `name=value` tag (the first one after the colon, the rest after `;`).
    mutating func tag(_ name: String, _ value: String, first: Bool = false) {
        append("\(name)=\(value)", separator: first ? " " : "; ")
    }

    /// Appends `name=` then `parts` joined with `joiner`, folding between parts.
    mutating func foldedTag(_ name: String, parts: [String], joiner: String, first: Bool = false) {
        append("\(name)=" + (parts.first ?? ""), separator: first ? " " : "; ")
        for part in parts.dropFirst() { append(part, separator: joiner) }
    }

    /// Appends raw text (no separator) that may be split at `chunk` characters.
    mutating func folded(_ value: String, chunk: Int) {
        var rest = Substring(value)
        while !rest.isEmpty {
            let room = max(Self.width - lineLength, 0)
            if room == 0 {
                text += lineEnding + " "
                lineLength = 1
                continue
            }
            let piece = rest.prefix(min(room, chunk))
            text += piece
            lineLength += piece.count
            rest = rest.dropFirst(piece.count)
        }
    }

    /// Appends a space and `value`, folding at one of its spaces where needed (each space
    /// kept, so the unfolded value is unchanged).
    mutating func words(_ value: String) {
        for word in value.split(separator: " ", omittingEmptySubsequences: false) { append(String(word), separator: " ") }
    }

    /// The field with its final line ending.
    var field: String { text + lineEnding }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
