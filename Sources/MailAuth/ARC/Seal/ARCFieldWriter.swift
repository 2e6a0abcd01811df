/// Writes the ARC-Authentication-Results field: its text after the colon, folded at one of
/// its own spaces where a line would pass 78 columns (the signature fields are folded by
/// the shared `SignatureFieldFolding`).
struct ARCFieldWriter {
    private(set) var text: String
    private var lineLength: Int
    private let lineEnding: String
    private static let width = 78

    init(name: String, lineEnding: String) {
        text = name + ":"
        lineLength = text.count
        self.lineEnding = lineEnding
    }

    /// Appends a space and `value`, breaking the line at one of its spaces where needed
    /// (each space kept, so the unfolded value is unchanged).
    mutating func words(_ value: String) {
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if lineLength + 1 + word.count > Self.width, lineLength > 1 {
                text += lineEnding + " "
                lineLength = 1
            } else {
                text += " "
                lineLength += 1
            }
            text += word
            lineLength += word.count
        }
    }

    /// The field with its final line ending.
    var field: String { text + lineEnding }
}
