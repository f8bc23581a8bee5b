import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SettlementJournal {
    /// A segment whose owner is gone, locked by the reclaim pass that read it.
    struct Abandoned {
        var path: String
        var fd: Int32
        /// Its whole lines; a line cut short (the owner died writing it, before it answered) is left out.
        var records: [SettlementRecord]

        /// Deletes the segment (its settlements are in the store) and lets go of it.
        func discard() {
            unlink(path)
            Glibc.close(fd)
        }

        /// Lets go of the segment, left for a later pass.
        func keep() {
            Glibc.close(fd)
        }
    }

    /// The segments in `directory` whose owners are gone: those a `flock` can be taken on, since
    /// a live owner holds its own. Each stays locked until ``Abandoned/discard()`` or ``Abandoned/keep()``.
    /// - Parameter shared: take a shared lock, for a look (`triage status`); a reclaim pass takes an
    ///   exclusive one, so that two passes never replay one segment at once.
    static func abandoned(in directory: String, shared: Bool = false) -> [Abandoned] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var found: [Abandoned] = []
        for name in names.sorted() where name.hasSuffix(".jsonl") {
            let path = directory + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            guard flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
                Glibc.close(fd)
                continue
            }
            found.append(Abandoned(path: path, fd: fd, records: readLines(fd).compactMap { SettlementRecord(line: $0) }))
        }
        return found
    }

    private static func readLines(_ fd: Int32) -> [ArraySlice<UInt8>] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        // Only lines with their newline: the writer ends every whole line with one.
        guard let last = bytes.lastIndex(of: 0x0A) else { return [] }
        return bytes[...last].split(separator: 0x0A)
    }
}
