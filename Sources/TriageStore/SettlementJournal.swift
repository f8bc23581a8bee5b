import CSQLite
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A worker's journal of settlements whose answers went out before their ledger transaction
/// committed, so that a worker killed in between still charges them.
///
/// A settlement's commit is the largest step of a lone request after the upstream's answer. To
/// send the answer first without ever letting a client hold an answer the ledger does not charge,
/// the worker appends the settlement here (one `write` of one line) before the answer, commits it
/// after, and then calls ``committed(_:)``. A worker that dies in between leaves the line behind,
/// and the next reclaim pass of any worker on the store (``Store/reclaim(now:host:isAlive:journals:)``)
/// writes it to the ledger, exactly once: a line whose ledger row is already in is skipped.
///
/// The journal is a directory beside the store (``directory(forStore:)``), one file (segment) per
/// worker at a time. Its owner holds a `flock` on each of its segments while it lives; the kernel
/// drops it when the process dies, however it dies, which is how a reclaim pass, in this container
/// or another on the same volume, tells an abandoned segment from a live one. A segment grown past
/// `segmentBytes` is replaced by a new one and deleted once everything in it has committed; so is
/// the last one when the worker stops.
///
/// A line reaches the page cache, not the disk, like the store's own commits
/// (`synchronous=NORMAL`): it survives the process, not the machine.
public final class SettlementJournal: Sendable {
    /// What ``append(_:)`` returns, to hand to ``committed(_:)`` once the settlement is in the store.
    public struct Ticket: Sendable {
        fileprivate let segment: Int
    }

    private struct Segment {
        var number: Int
        var fd: Int32
        var path: String
        var bytes = 0
        var pending = 0
    }

    private struct State {
        var current: Segment
        /// Replaced segments still holding settlements that have not committed.
        var retired: [Int: Segment] = [:]
        var closed = false
    }

    private let state: Mutex<State>
    private let directory: String
    private let owner: String
    private let segmentBytes: Int

    /// The journal directory of the store at `storePath`: `triage.sqlite` → `triage.sqlite.settlements`.
    public static func directory(forStore storePath: String) -> String { storePath + ".settlements" }

    /// Creates the directory when needed and opens a first segment named after `owner`.
    /// - Parameters:
    ///   - owner: the process's name in the segments' file names (`host-pid`).
    ///   - segmentBytes: the size past which a new segment replaces the current one.
    public init(storePath: String, owner: String, segmentBytes: Int = 4 << 20) throws(StoreError) {
        let directory = Self.directory(forStore: storePath)
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw StoreError(code: SQLITE_CANTOPEN, message: "cannot create \(directory): \(String(cString: strerror(errno)))", operation: "journal")
        }
        self.directory = directory
        self.owner = owner.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }.reduce(into: "") { $0.append($1) }
        self.segmentBytes = segmentBytes
        guard let first = Self.open(directory: directory, owner: self.owner, number: 1) else {
            throw StoreError(code: SQLITE_CANTOPEN, message: "cannot open a settlement journal in \(directory): \(String(cString: strerror(errno)))",
                             operation: "journal")
        }
        state = Mutex(State(current: first))
    }

    deinit {
        close()
    }

    /// Appends `record` in one `write`.
    /// - Returns: the ticket for ``committed(_:)``, or nil when the write failed (a full disk):
    ///   then nothing was journaled, and the caller must commit the settlement before it answers.
    public func append(_ record: SettlementRecord) -> Ticket? {
        let line = record.line
        return state.withLock { s -> Ticket? in
            guard !s.closed else { return nil }
            let n = line.withUnsafeBytes { Glibc.write(s.current.fd, $0.baseAddress, $0.count) }
            guard n == line.count else {
                // A line cut short would spoil the next one: cut it off.
                if n > 0 { _ = ftruncate(s.current.fd, off_t(s.current.bytes)) }
                return nil
            }
            s.current.bytes += n
            s.current.pending += 1
            let ticket = Ticket(segment: s.current.number)
            if s.current.bytes >= segmentBytes, let next = Self.open(directory: directory, owner: owner, number: s.current.number + 1) {
                s.retired[s.current.number] = s.current
                s.current = next
            }
            return ticket
        }
    }

    /// The settlement `ticket` stands for is in the store: its line is no longer needed.
    public func committed(_ ticket: Ticket) {
        state.withLock { s in
            if s.current.number == ticket.segment {
                s.current.pending -= 1
                if s.closed && s.current.pending == 0 { Self.remove(s.current) }
            } else if var old = s.retired[ticket.segment] {
                old.pending -= 1
                if old.pending == 0 {
                    s.retired[ticket.segment] = nil
                    Self.remove(old)
                } else {
                    s.retired[ticket.segment] = old
                }
            }
        }
    }

    /// How many appended settlements have not committed yet.
    public var pending: Int {
        state.withLock { s in s.current.pending + s.retired.values.reduce(0) { $0 + $1.pending } }
    }

    /// Stops journaling: deletes the segments whose settlements all committed. The others stay
    /// open, locked, until the process exits (a settlement still committing must not be replayed
    /// too); then a reclaim pass replays what never committed.
    public func close() {
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            for segment in [s.current] + s.retired.values where segment.pending == 0 { Self.remove(segment) }
            s.retired = s.retired.filter { $0.value.pending > 0 }
        }
    }

    private static func open(directory: String, owner: String, number: Int) -> Segment? {
        let path = "\(directory)/\(owner)-\(UInt32.random(in: 0...UInt32.max))-\(number).jsonl"
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            unlink(path)
            return nil
        }
        return Segment(number: number, fd: fd, path: path)
    }

    /// Deletes a segment (its lock still held, so no reclaim pass reads it meanwhile) and closes it.
    private static func remove(_ segment: Segment) {
        unlink(segment.path)
        Glibc.close(segment.fd)
    }
}
