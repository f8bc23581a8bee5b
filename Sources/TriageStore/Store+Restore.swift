import CSQLite
import Foundation

extension Store {
    /// What ``restore(backup:into:liveWorkerWindow:by:now:)`` did.
    public struct Restored: Sendable {
        /// The backup's files, as checked before they were put in place.
        public var files: [BackupFile]
        /// Where the store's previous files went (nothing is deleted); nil when there were none.
        public var setAside: String?
        /// The restored main file's schema version, after any migration.
        public var schemaVersion: Int
    }

    /// Puts a backup (``backup(into:)``) in place of the store at `storePath`, for a stopped cluster.
    ///
    /// Checks the backup's copies first, and refuses while a coordinator or worker has the store
    /// open (``StoreUseLock``) or a worker of the store has sent a heartbeat within
    /// `liveWorkerWindow` (the cluster is running, perhaps on another host). The store's current files, with
    /// their `-wal` and `-shm` (which SQLite would otherwise replay onto the restored file) and the
    /// settlement journals (which a reclaim pass would replay onto it), are moved into
    /// `replaced-<UTC time>/` beside them; then the copies are put in place and opened,
    /// which applies the migrations of a backup from an older version.
    /// - Parameters:
    ///   - directory: The backup's directory (`triage.sqlite`, and `triage-requests.sqlite` when present).
    ///   - storePath: The main file of the store to replace.
    ///   - liveWorkerWindow: How recent a heartbeat means a worker is alive (`workers.stale_s`).
    ///   - actor: Who restores, recorded in the restored store's audit trail (nil: not recorded).
    /// - Throws: a ``StoreError`` for a missing or unsound backup, a running cluster, or a failed move or copy.
    public static func restore(backup directory: String, into storePath: String, liveWorkerWindow: TimeInterval,
                               by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Restored {
        let fm = FileManager.default
        let names = [URL(fileURLWithPath: storePath).lastPathComponent, URL(fileURLWithPath: requestLogPath(forStore: storePath)).lastPathComponent]
        let targets = [storePath, requestLogPath(forStore: storePath)]
        var files: [BackupFile] = []
        for (index, name) in names.enumerated() {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            guard fm.fileExists(atPath: path) else {
                if index == 0 { throw failure("\(path) does not exist: not a backup of `triage backup`") }
                continue
            }
            let size = (try? fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            let schema: StoreSchema = index == 0 ? .main : .requestLog
            let check = try BackupCheck.read(path, schema: schema)
            guard check.integrity == "ok" else { throw failure("\(path) fails its integrity check: \(check.integrity)") }
            files.append(BackupFile(schema: schema, source: path, path: targets[index], bytes: size))
        }

        // Held until the restore is done: no coordinator or worker has the store open, and none
        // can start meanwhile.
        let inUse: StoreUseLock
        do { inUse = try StoreUseLock(storePath: storePath, exclusive: true) } catch {
            throw failure("the cluster is running: \(error.message)")
        }
        defer { withExtendedLifetime(inUse) {} }
        if fm.fileExists(atPath: storePath) {
            let live = try Store(path: storePath)
            let workers = try live.workers().filter { $0.state != .stopped && $0.heartbeatAt > now.addingTimeInterval(-liveWorkerWindow) }
            live.close()
            guard workers.isEmpty else {
                let list = workers.map { "\($0.id) (pid \($0.pid) on \($0.host))" }.joined(separator: ", ")
                throw failure("the cluster is running: worker \(list) sent a heartbeat within \(liveWorkerWindow) s; stop it first")
            }
        }

        var setAside: String?
        // Settlements journaled by workers killed before the stop belong to the store being replaced.
        let existing = (targets.flatMap { [$0, $0 + "-wal", $0 + "-shm"] } + [SettlementJournal.directory(forStore: storePath)])
            .filter { fm.fileExists(atPath: $0) }
        if !existing.isEmpty {
            let stamp = ISO8601DateFormatter().string(from: now).replacingOccurrences(of: ":", with: "")
            let aside = URL(fileURLWithPath: storePath).deletingLastPathComponent().appendingPathComponent("replaced-\(stamp)").path
            do {
                try fm.createDirectory(atPath: aside, withIntermediateDirectories: true)
                for path in existing {
                    try fm.moveItem(atPath: path, toPath: URL(fileURLWithPath: aside).appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path)
                }
            } catch {
                throw failure("could not move the current store aside into \(aside): \(error)")
            }
            setAside = aside
        }
        do {
            for file in files { try fm.copyItem(atPath: file.source, toPath: file.path) }
        } catch {
            throw failure("could not copy the backup into place: \(error)\(setAside.map { "; the previous files are in \($0)" } ?? "")")
        }
        let restored = try Store(path: storePath)
        defer { restored.close() }
        let version = try restored.schemaVersion()
        if files.count > 1 { _ = try restored.requestLog().schemaVersion() }
        if let actor {
            try restored.recordAudit(actor: actor, action: .storeRestore, target: storePath,
                                     detail: "from \(directory)" + (setAside.map { "; the replaced files kept in \($0)" } ?? ""), now: now)
        }
        return Restored(files: files, setAside: setAside, schemaVersion: version)
    }

    private static func failure(_ message: String) -> StoreError {
        StoreError(code: SQLITE_CANTOPEN, message: message, operation: "restore")
    }
}
