import Foundation

extension Date {
    /// Whole milliseconds since 1970, the unit stores and exports keep, so times survive
    /// SQLite and JSON unchanged.
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The date `milliseconds` after 1970.
    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `self` rounded to whole milliseconds.
    var truncatedToMilliseconds: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}
