import Foundation

/// Writes the JSON values the simulator builds (dictionaries with sorted keys, arrays,
/// strings, integers, booleans, null) quickly and deterministically; Foundation's writer
/// with sorted keys is too slow for pages of 300 entries.
enum LaunchpadJSONWriter {
    /// The UTF-8 JSON text of `value`.
    static func data(_ value: Any) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(4096)
        write(value, into: &out)
        return Data(out)
    }

    private static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let text as String:
            writeString(text, into: &out)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                writeString(key, into: &out)
                out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                write(object[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let flag as Bool:
            out.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case let number as Int:
            out.append(contentsOf: Array(String(number).utf8))
        default:
            out.append(contentsOf: Array("null".utf8))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0a: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
