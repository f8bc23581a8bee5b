import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on a file beside the store (`triage.sqlite.inuse`) that every serving process,
/// coordinator or worker, holds shared for as long as it runs. `triage restore` takes it
/// exclusively, so it can tell that any such process still has the store open, even a coordinator
/// running without workers (which sends no heartbeat), in this or another container on the same
/// data volume. The kernel releases a `flock` when its process exits, however it exits, so a crashed
/// process never leaves the store looking busy.
public final class StoreUseLock: Sendable {
    private let fd: Int32

    /// The lock file of the store at `storePath`.
    public static func path(forStore storePath: String) -> String { storePath + ".inuse" }

    /// Takes the lock for a serving process (shared with the others), or for a restore
    /// (`exclusive`: no serving process may run meanwhile).
    /// - Throws: ``StoreError`` when another holder excludes it: a restore in progress, or (for
    ///   `exclusive`) a serving process that has the store open.
    public init(storePath: String, exclusive: Bool = false) throws(StoreError) {
        let path = Self.path(forStore: storePath)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(code: SQLITE_CANTOPEN, message: "cannot open \(path): \(String(cString: strerror(errno)))", operation: "lock")
        }
        guard flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            throw StoreError(code: SQLITE_BUSY, message: busy
                ? (exclusive ? "a coordinator or worker has the store open (it holds \(path)); stop it first"
                             : "a restore of the store is in progress (it holds \(path)); start again once it is done")
                : "cannot lock \(path): \(reason)", operation: "lock")
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
