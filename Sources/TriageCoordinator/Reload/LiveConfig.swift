import Synchronization
import TriageCore

/// The configuration the coordinator serves by. A config reload replaces it whole; each request
/// reads one snapshot, so it sees either the old configuration or the new one, never a mix.
final class LiveConfig: Sendable {
    /// One configuration, with the ladder routing reads from it.
    struct Snapshot: Sendable {
        let config: TriageConfig
        let ladder: Ladder
    }

    private let state: Mutex<Snapshot>

    init(_ config: TriageConfig) {
        state = Mutex(Snapshot(config: config, ladder: config.ladder))
    }

    /// The configuration now.
    var snapshot: Snapshot { state.withLock { $0 } }

    var config: TriageConfig { snapshot.config }

    /// Serves later requests by `config`.
    func replace(with config: TriageConfig) {
        let next = Snapshot(config: config, ladder: config.ladder)
        state.withLock { $0 = next }
    }
}
