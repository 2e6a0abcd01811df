public import Foundation

/// A calendar date as SEARCH takes it (`1-Feb-1994`; RFC 9051 `date`): no time, no zone.
public struct IMAPDate: Sendable, Hashable, Comparable {
    /// The year (four digits).
    public var year: Int
    /// The month, 1 to 12.
    public var month: Int
    /// The day of the month, 1 to 31.
    public var day: Int

    /// A date from its parts.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Earlier dates first.
    public static func < (lhs: IMAPDate, rhs: IMAPDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The three-letter English month names IMAP uses, January first.
    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// A date and time with its zone, as APPEND and INTERNALDATE carry it
/// (`"17-Jul-1996 02:44:25 -0700"`; RFC 9051 `date-time`).
public struct IMAPDateTime: Sendable, Hashable {
    /// The date.
    public var date: IMAPDate
    /// Hours, 0 to 23.
    public var hour: Int
    /// Minutes, 0 to 59.
    public var minute: Int
    /// Seconds, 0 to 60.
    public var second: Int
    /// The zone's offset from UTC in minutes (`-0700` is -420).
    public var zoneMinutes: Int

    /// A date-time from its parts.
    public init(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// The instant, or nil for a date the calendar does not have (31-Feb).
    public var instant: Date? {
        var components = DateComponents()
        components.year = date.year
        components.month = date.month
        components.day = date.day
        components.hour = hour
        components.minute = minute
        components.second = second
        components.timeZone = TimeZone(secondsFromGMT: zoneMinutes * 60)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        guard let instant = calendar.date(from: components) else { return nil }
        // Calendar rolls 31-Feb over to March: refuse instead.
        let back = calendar.dateComponents(in: TimeZone(secondsFromGMT: zoneMinutes * 60) ?? calendar.timeZone, from: instant)
        return back.day == date.day && back.month == date.month ? instant : nil
    }

    /// `instant` in the zone `zoneMinutes` (the zone is kept as given, rounded to minutes).
    public init(_ instant: Date, zoneMinutes: Int = 0) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: zoneMinutes * 60) ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        self.init(
            date: IMAPDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1), hour: parts.hour ?? 0,
            minute: parts.minute ?? 0, second: parts.second ?? 0, zoneMinutes: zoneMinutes)
    }
}
