import Foundation
import Logging
import ServiceLifecycle
import TriageStore
import UnixSignals

/// SIGHUP to the coordinator (`triage coordinator` or `triage up`) asks for a config reload, as
/// `triage reload` does: the request goes through the store, where the coordinator takes it up.
struct ReloadSignal: Service {
    let store: Store
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do {
                    let generation = try store.requestConfigReload(by: "SIGHUP to pid \(getpid())")
                    logger.info("SIGHUP: config reload requested", metadata: ["generation": "\(generation)"])
                } catch {
                    logger.error("SIGHUP: could not request a config reload", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
