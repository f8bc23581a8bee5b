import Foundation

/// A team's budget period. Daily, weekly (from Monday) and monthly periods are calendar-aligned
/// in UTC; `total` never resets.
public enum BudgetPeriod: String, Sendable, Codable, CaseIterable {
    case daily, weekly, monthly, total

    private static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        c.firstWeekday = 2  // Monday
        return c
    }()

    /// The start of the period that contains `date`.
    public func start(containing date: Date) -> Date {
        let c = Self.calendar
        switch self {
        case .daily:
            return c.startOfDay(for: date)
        case .weekly:
            return c.dateInterval(of: .weekOfYear, for: date)!.start
        case .monthly:
            return c.dateInterval(of: .month, for: date)!.start
        case .total:
            return Date(timeIntervalSince1970: 0)
        }
    }

    /// When the period containing `date` ends and the next starts; nil for `total`.
    public func end(containing date: Date) -> Date? {
        let c = Self.calendar
        switch self {
        case .daily: return c.date(byAdding: .day, value: 1, to: start(containing: date))
        case .weekly: return c.date(byAdding: .day, value: 7, to: start(containing: date))
        case .monthly: return c.date(byAdding: .month, value: 1, to: start(containing: date))
        case .total: return nil
        }
    }
}
