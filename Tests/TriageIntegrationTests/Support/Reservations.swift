import Foundation
import TriageStore

/// Whether every reservation is gone within `timeout`: settled or released, and what workers
/// leased ahead given back (a lease goes back after a second without traffic).
func reservationsDrain(_ store: Store, timeout: Duration = .seconds(5)) async -> Bool {
    await eventually(timeout: timeout, interval: .milliseconds(100)) {
        ((try? store.activeReservationCount(now: Date())) ?? 1) == 0
    }
}
