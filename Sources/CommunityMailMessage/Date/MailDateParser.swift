public import Foundation

/// Parses RFC 5322 dates leniently, obsolete forms included: optional day name, two-digit
/// years, named zones (UT, GMT, EST...), comments, missing seconds, extra spaces.
public enum MailDateParser {
    /// Years a date may have: wide enough for any real mail, narrow enough that no
    /// arithmetic on it can overflow.
    package static let validYears = 1...9999
    package static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zoneNames: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5 * 60, "edt": -4 * 60, "cst": -6 * 60, "cdt": -5 * 60,
        "mst": -7 * 60, "mdt": -6 * 60, "pst": -8 * 60, "pdt": -7 * 60,
    ]

    /// The instant `text` names (an RFC 5322 `Date:` value, obsolete forms included), or
    /// nil when it is not a date: a wrong day, month, year (outside 1...9999) or time.
    public static func parse(_ text: String) -> Date? {
        // Drop comments, then split on spaces and commas.
        var cleaned = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) } else if depth == 0 {
                cleaned.append(character == "," ? " " : character)
            }
        }
        var tokens = cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map { String($0).lowercased() }
        if let first = tokens.first, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(String(first.prefix(3))) {
            tokens.removeFirst()
        }
        guard tokens.count >= 4 else { return nil }
        var day: Int?
        var month: Int?
        // "3 Jan 2026" or, from some mailers, "Jan 3 2026".
        if let number = Int(tokens[0]), let named = monthNames.firstIndex(of: String(tokens[1].prefix(3))) {
            day = number
            month = named + 1
        } else if let named = monthNames.firstIndex(of: String(tokens[0].prefix(3))), let number = Int(tokens[1]) {
            day = number
            month = named + 1
        }
        guard let day, let month, (1...31).contains(day), var year = Int(tokens[2]), year >= 0 else { return nil }
        if tokens[2].count <= 2 { year += year < 50 ? 2000 : 1900 } else if tokens[2].count == 3 { year += 1900 }
        guard validYears.contains(year) else { return nil }
        let clock = tokens[3].split(separator: ":").map { Int($0) }
        guard clock.count == 2 || clock.count == 3, let hour = clock[0], let minute = clock[1],
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let second = clock.count == 3 ? (clock[2] ?? -1) : 0
        guard (0...60).contains(second) else { return nil }
        var offsetMinutes = 0
        if tokens.count > 4 {
            let zone = tokens[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let value = Int(zone.dropFirst()) {
                offsetMinutes = (value / 100) * 60 + value % 100
                if sign == "-" { offsetMinutes = -offsetMinutes }
            } else if let named = zoneNames[zone] {
                offsetMinutes = named
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetMinutes * 60)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `seconds` since 1970 as (year, month, day, hour, minute, second, weekday 0 = Sunday), UTC.
    package static func civil(fromSeconds seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        let weekday = Int(((days % 7) + 11) % 7)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, weekday)
    }
}
