import Foundation

/// A worker's budget leases: money it has reserved in the shared store ahead of its attempts,
/// one lease per team, so that most attempts take no store transaction for their reservation and
/// settle with no reservation to delete.
///
/// A lease is a reservation row like any other: it counts against the team's budget in every
/// process (spent + reserved + need ≤ budget still holds), lapses with its process (owner pid) or
/// after the reservation TTL, and is topped up in the transaction a reservation would take. An
/// attempt draws its worst case from the lease here; its settlement writes the ledger row and the
/// spend, and leaves the row alone. What settled attempts drew stays on the row (counted twice:
/// as spend and as reserved, so budgets err on the safe side) until the lease's next top-up or
/// return takes it off; that is at most one lease's worth. What a worker holds and has not drawn
/// goes back when the team's traffic stops for `idleAfter`.
///
/// The book is bookkeeping only, no I/O: the worker keeps it behind a lock and runs the store
/// transactions it asks for. At most one top-up per team is in flight; an attempt that finds one
/// running takes a reservation of its own instead of waiting.
public struct LeaseBook: Sendable {
    /// A lease's reservation row, and the key it was made under (rows are matched by both, so a
    /// reused row id never gives away another row's money).
    public struct Row: Sendable, Hashable {
        public var id: Int64
        public var key: String

        public init(id: Int64, key: String) {
            self.id = id
            self.key = key
        }
    }

    /// One team's lease as this worker sees it.
    public struct Lease: Sendable, Equatable {
        public var row: Row
        /// Reserved on the row and not drawn by any attempt.
        public var available: Int64
        /// The team's budget at the last top-up: a change voids the lease.
        public var budgetNano: Int64
        /// The last top-up, which renewed the row's expiry.
        public var renewedAt: Date
        public var lastDraw: Date
    }

    /// What an attempt does about its reservation.
    public enum Draw: Sendable, Equatable {
        /// Drawn from the lease on this row.
        case leased(Row)
        /// The lease cannot cover it: top it up in the store under `key`, first taking `returns`
        /// (everything owed back so far: settled draws, leases given up) off their rows; then call
        /// ``toppedUp(team:key:rowID:granted:inserted:drawn:budgetNano:now:)``, or ``topUpEnded(team:returns:)``
        /// when the top-up did not commit.
        case topUp(key: String, returns: [Return])
        /// Another attempt is topping the lease up: take a reservation of its own.
        case single
    }

    /// Money to give back to the store: take `amountNano` off `row`.
    public struct Return: Sendable, Equatable {
        public var row: Row
        public var amountNano: Int64

        public init(row: Row, amountNano: Int64) {
            self.row = row
            self.amountNano = amountNano
        }
    }

    /// How many worst-case attempts a top-up reserves at most.
    public let attempts: Int
    /// Draws stop this long after a top-up renewed the row, so that an attempt drawn last still
    /// ends before the row could lapse (see `TriageConfig.leaseWindowSeconds`).
    public let window: TimeInterval
    /// Idle this long, a lease goes back to the store.
    public let idleAfter: TimeInterval
    /// Makes a fresh lease key (unique across processes and leases).
    private let makeKey: @Sendable () -> String

    public private(set) var leases: [Int64: Lease] = [:]
    /// What rows hold that no attempt will use: settled draws, and leases given up.
    public private(set) var owed: [Row: Int64] = [:]
    private var toppingUp: Set<Int64> = []

    public init(attempts: Int, window: TimeInterval, idleAfter: TimeInterval = 1, makeKey: @escaping @Sendable () -> String) {
        self.attempts = attempts
        self.window = window
        self.idleAfter = idleAfter
        self.makeKey = makeKey
    }

    /// What a top-up reserves: `attempts` worst cases, but never more than a sixteenth of what
    /// the team has left, so the leases of many workers leave room for each other; never less
    /// than the attempt needs; nil when even that does not fit.
    public static func grant(need: Int64, attempts: Int, headroom: Int64) -> Int64? {
        guard need <= headroom else { return nil }
        let (many, overflow) = need.multipliedReportingOverflow(by: Int64(max(attempts, 1)))
        return max(need, min(overflow ? Int64.max : many, headroom / 16))
    }

    /// Draws `amount` for one attempt of `team`, whose budget (read for this request) is `budgetNano`.
    public mutating func draw(team: Int64, amount: Int64, budgetNano: Int64, now: Date) -> Draw {
        if var lease = leases[team] {
            if lease.budgetNano != budgetNano || now.timeIntervalSince(lease.renewedAt) >= window {
                void(team)
            } else if lease.available >= amount {
                lease.available -= amount
                lease.lastDraw = now
                leases[team] = lease
                return .leased(lease.row)
            }
        }
        guard !toppingUp.contains(team) else { return .single }
        toppingUp.insert(team)
        return .topUp(key: leases[team]?.row.key ?? makeKey(), returns: takeOwed())
    }

    /// An attempt drawn from `row` settled (or was released): what it drew is owed back.
    public mutating func settled(_ row: Row, amount: Int64) {
        owed[row, default: 0] += amount
    }

    /// A top-up committed: the row `rowID` (made under `key`) grew by `granted`, of which the
    /// attempt that asked drew `drawn`. `inserted` says the row is new, so whatever the book held
    /// under that key before is no longer in the store.
    public mutating func toppedUp(team: Int64, key: String, rowID: Int64, granted: Int64, inserted: Bool, drawn: Int64,
                                  budgetNano: Int64, now: Date) {
        toppingUp.remove(team)
        let row = Row(id: rowID, key: key)
        if var lease = leases[team], lease.row == row, !inserted {
            lease.available += granted - drawn
            lease.budgetNano = budgetNano
            lease.renewedAt = now
            lease.lastDraw = now
            leases[team] = lease
            return
        }
        if let old = leases[team] {
            if old.row.key == key {
                // The old row lapsed and this one was made anew: nothing of the old one is left to return.
                leases[team] = nil
                owed[old.row] = nil
            } else {
                void(team)
            }
        }
        leases[team] = Lease(row: row, available: granted - drawn, budgetNano: budgetNano, renewedAt: now, lastDraw: now)
    }

    /// A top-up that did not commit (a store error): `returns`, taken for it, are still owed; the
    /// next attempt may try again. (A refused top-up committed its returns: pass none.)
    public mutating func topUpEnded(team: Int64, returns: [Return] = []) {
        toppingUp.remove(team)
        stillOwed(returns)
    }

    /// Returns whose transaction did not commit: owed again.
    public mutating func stillOwed(_ returns: [Return]) {
        for r in returns { owed[r.row, default: 0] += r.amountNano }
    }

    /// Gives up the leases idle since `idleAfter` before `now` (all of them when `all`) and
    /// returns what the store should take off which rows: what they hold undrawn, and what settled
    /// attempts drew from rows no longer leased.
    public mutating func returns(now: Date, all: Bool = false) -> [Return] {
        for (team, lease) in leases where all || (now.timeIntervalSince(lease.lastDraw) >= idleAfter && !toppingUp.contains(team)) {
            void(team)
        }
        guard !owed.isEmpty else { return [] }
        let leased = Set(leases.values.map(\.row))
        var out: [Return] = []
        for (row, amount) in owed where !leased.contains(row) {
            owed[row] = nil
            if amount > 0 { out.append(Return(row: row, amountNano: amount)) }
        }
        return out
    }

    /// Everything owed, taken out of the book (sorted, so transactions touch rows in one order).
    private mutating func takeOwed() -> [Return] {
        defer { owed.removeAll() }
        return owed.filter { $0.value > 0 }.map { Return(row: $0.key, amountNano: $0.value) }.sorted { $0.row.id < $1.row.id }
    }

    /// Drops the team's lease; what it had not drawn is owed back.
    private mutating func void(_ team: Int64) {
        guard let lease = leases.removeValue(forKey: team) else { return }
        owed[lease.row, default: 0] += lease.available
    }
}
