import CommunityMailCrypto

/// Bytes from hex text with spaces, colons or newlines between digits.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    guard let bytes = Hex.decode(String(digits)) else { fatalError("bad hex in test vector") }
    return bytes
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

let sunscreen = bytes(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
