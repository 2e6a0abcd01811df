import Foundation

/// The time prefix of `openid.response_nonce` (section 10.1): `YYYY-MM-DDTHH:MM:SSZ`
/// followed by up to 235 printable ASCII characters that make it unique.
enum NonceTimestamp {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// The nonce's time.
    /// - Throws: ``OpenIDError/invalidNonce`` when the format is wrong.
    static func parse(_ nonce: String) throws(OpenIDError) -> Date {
        let bytes = Array(nonce.utf8)
        guard bytes.count >= 20, bytes.count <= 255, bytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw OpenIDError.invalidNonce
        }
        func number(_ range: Range<Int>) throws(OpenIDError) -> Int {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw OpenIDError.invalidNonce }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")]
        for (index, character) in separators where bytes[index] != character.asciiValue {
            throw OpenIDError.invalidNonce
        }
        var components = DateComponents()
        components.year = try number(0..<4)
        components.month = try number(5..<7)
        components.day = try number(8..<10)
        components.hour = try number(11..<13)
        components.minute = try number(14..<16)
        components.second = try number(17..<19)
        guard (1...12).contains(components.month!), (1...31).contains(components.day!), components.hour! < 24,
              components.minute! < 60, components.second! < 61
        else { throw OpenIDError.invalidNonce }
        guard let date = utc.date(from: components) else { throw OpenIDError.invalidNonce }
        return date
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for `date`.
    static func format(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }
}
