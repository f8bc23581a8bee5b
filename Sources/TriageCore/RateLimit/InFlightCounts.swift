/// Per-team limits on requests in flight (a team's `max_concurrent`): how many requests of each
/// team are running now, taken when one is admitted and given back when it ends. Pure.
public struct InFlightCounts: Sendable {
    private var counts: [Int64: Int] = [:]

    public init() {}

    /// The requests of `team` in flight now.
    public func count(team: Int64) -> Int { counts[team] ?? 0 }

    /// Takes a place for one more request of `team` if fewer than `limit` are in flight.
    /// - Returns: whether it was taken.
    public mutating func take(team: Int64, limit: Int) -> Bool {
        let n = counts[team] ?? 0
        guard n < max(1, limit) else { return false }
        counts[team] = n + 1
        return true
    }

    /// Gives back the place a request of `team` took; a team with none left is forgotten.
    public mutating func release(team: Int64) {
        guard let n = counts[team] else { return }
        counts[team] = n > 1 ? n - 1 : nil
    }

    /// The number of teams with requests in flight.
    public var busyTeams: Int { counts.count }
}
