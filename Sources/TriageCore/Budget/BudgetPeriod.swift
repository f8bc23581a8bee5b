import Foundation

/// A team's budget period. Daily, weekly (from Monday) and monthly periods are calendar-aligned
/// in UTC; `total` never resets.
///
/// The boundaries are worked out with plain integer arithmetic on days since 1970-01-01 (the
/// proleptic Gregorian calendar, as Foundation's `Calendar(identifier: .gregorian)` in UTC gives
/// them for any date after 1582), not with `Calendar`: that costs microseconds a call and loads the
/// ICU time-zone data into every process that asks (about 1 MB resident).
public enum BudgetPeriod: String, Sendable, Codable, CaseIterable {
    case daily, weekly, monthly, total

    private static let secondsPerDay = 86_400.0

    /// The start of the period that contains `date`.
    public func start(containing date: Date) -> Date {
        let day = Self.day(of: date)
        switch self {
        case .daily:
            return Self.date(ofDay: day)
        case .weekly:
            // 1970-01-01 was a Thursday: days since the Monday before it, 0 on a Monday.
            let sinceMonday = Self.floorMod(day + 3, 7)
            return Self.date(ofDay: day - sinceMonday)
        case .monthly:
            let (y, m, _) = Self.civil(fromDay: day)
            return Self.date(ofDay: Self.day(year: y, month: m, day: 1))
        case .total:
            return Date(timeIntervalSince1970: 0)
        }
    }

    /// When the period containing `date` ends and the next starts; nil for `total`.
    public func end(containing date: Date) -> Date? {
        switch self {
        case .daily: return start(containing: date).addingTimeInterval(Self.secondsPerDay)
        case .weekly: return start(containing: date).addingTimeInterval(7 * Self.secondsPerDay)
        case .monthly:
            let (y, m, _) = Self.civil(fromDay: Self.day(of: date))
            return Self.date(ofDay: m == 12 ? Self.day(year: y + 1, month: 1, day: 1) : Self.day(year: y, month: m + 1, day: 1))
        case .total: return nil
        }
    }

    /// Whole days since 1970-01-01 UTC, rounded down.
    private static func day(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / secondsPerDay).rounded(.down))
    }

    private static func date(ofDay day: Int64) -> Date {
        Date(timeIntervalSince1970: Double(day) * secondsPerDay)
    }

    private static func floorMod(_ a: Int64, _ n: Int64) -> Int64 {
        let r = a % n
        return r < 0 ? r + n : r
    }

    private static func floorDiv(_ a: Int64, _ n: Int64) -> Int64 {
        (a - floorMod(a, n)) / n
    }

    /// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's `days_from_civil`).
    static func day(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The Gregorian date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(fromDay day: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = day + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
