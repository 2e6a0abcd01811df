import Foundation

/// The two-character day stamp of an SRS0 address: the day number since 1970 (UTC) modulo
/// 1024, as two base32 digits (`A`–`Z`, `2`–`7`, most significant first). The counter wraps
/// every 1024 days (about 2.8 years), so a stamp's age is taken modulo 1024.
struct SRSDayStamp: Equatable {
    /// The alphabet of RFC 4648's base32, used here as plain 5-bit digits.
    static let digits: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    /// How many distinct stamps there are.
    static let slots = 1024
    static let secondsPerDay: Double = 86_400

    /// The day number modulo ``slots``.
    let slot: Int

    /// The stamp of the day `date` falls on (UTC).
    init(date: Date) {
        let day = Int((date.timeIntervalSince1970 / Self.secondsPerDay).rounded(.down))
        // A positive modulo, so dates before 1970 still give a stamp.
        slot = ((day % Self.slots) + Self.slots) % Self.slots
    }

    /// The stamp two characters spell, either case; nil for anything else.
    init?<Bytes: Collection<UInt8>>(text: Bytes) {
        guard text.count == 2 else { return nil }
        var value = 0
        for byte in text {
            let upper = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) ? byte - 32 : byte
            guard let digit = Self.digits.firstIndex(of: upper) else { return nil }
            value = value << 5 | digit
        }
        slot = value
    }

    /// The two characters, upper case.
    var text: [UInt8] { [Self.digits[(slot >> 5) & 31], Self.digits[slot & 31]] }

    /// How many days `self` lies before `today`, modulo 1024 (0 for today, 1023 for
    /// tomorrow).
    func age(on today: SRSDayStamp) -> Int {
        ((today.slot - slot) % Self.slots + Self.slots) % Self.slots
    }
}
