import Foundation
import TriageCore
import TriageStore

extension TeamAdmin {
    /// A config reload as the admin API shows it (snake_case JSON).
    public struct ConfigReloadView: Sendable, Equatable {
        public var generation: Int64
        public var requestedAt: Date
        public var requestedBy: String
        /// `pending` (no coordinator took it up yet), `running`, `applied` or `failed`.
        public var status: String
        public var detail: String?

        public var json: JSONValue {
            let time = ISO8601DateFormatter()
            return .object(["generation": .int(generation), "requested_at": .string(time.string(from: requestedAt)),
                            "requested_by": .string(requestedBy), "status": .string(status), "detail": detail.map(JSONValue.string) ?? .null])
        }
    }

    /// Asks the running coordinator to apply its config file again (as `triage reload` does,
    /// without checking the file here: the coordinator does, and a file that does not load fails
    /// the reload and changes nothing).
    public func requestConfigReload() throws(TriageError) -> ConfigReloadView {
        do {
            let generation = try store.requestConfigReload(by: actor, now: now())
            return try configReload(generation: generation)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }

    /// One config reload by its number.
    public func configReload(generation: Int64) throws(TriageError) -> ConfigReloadView {
        do {
            guard let r = try store.configReload(generation: generation) else { throw TriageError.notFound("No config reload \(generation).") }
            return ConfigReloadView(generation: r.generation, requestedAt: r.requestedAt, requestedBy: r.requestedBy, status: r.status, detail: r.detail)
        } catch let e as TriageError { throw e } catch { throw .internalError("\(error)") }
    }
}
