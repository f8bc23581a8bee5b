import Foundation
import Synchronization
import TriageCore
import TriageStore

/// Budget reserve-and-settle pairs per second with 1 and 4 processes on one store, and the
/// whole store work a worker does per request. The parent creates the store and a team, then
/// re-launches this executable as `budget-child` processes that start together.
enum BudgetBench {
    enum Mode: String {
        /// `Store.reserve` + `Store.settle`.
        case pair
        /// What a worker does with a budget lease (`lease_attempts: 32`): the attempt draws on the
        /// lease, one `Store.topUpLease` per 32 attempts, and `Store.settle` writes only the ledger
        /// row and the spend.
        case leased
        /// What a worker does per non-stream request: one `budgetStatus` read (BudgetGuard.status), then
        /// `reserve` and `settle` (each attempt its own reservation, as with `lease_attempts: 0`) through its
        /// ``StoreWriter`` and a request log row through the log file's, with
        /// `writerConcurrency` requests in flight per process (writes of concurrent requests share transactions).
        case request
        /// `reserve` + `settle` through a ``StoreWriter`` with `writerConcurrency` pairs in flight per process.
        case writer
    }

    /// Requests in flight per process in the `request` and `writer` modes.
    static let writerConcurrency = 16

    static func run(_ options: BenchOptions) throws -> [BenchResult] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/triage.sqlite"
        let store = try Store(path: path)
        let team = try store.createTeam(name: "bench", budgetNano: 1_000_000 * 1_000_000_000, period: "monthly", softLimit: nil)
        store.close()

        var results: [BenchResult] = []
        for mode in [Mode.pair, .leased, .writer, .request] {
            var single: Double?
            for processes in [1, 4] {
                let (ops, errors) = try launch(processes: processes, path: path, teamID: team.id, seconds: options.budgetSeconds, mode: mode)
                let rate = Double(ops) / options.budgetSeconds
                let name = switch mode {
                case .pair: "reserve+settle pairs (Store, 1 at a time)"
                case .leased: "draw+settle pairs on a lease of 32 (Store, 1 at a time)"
                case .writer: "reserve+settle pairs (StoreWriter, \(writerConcurrency) in flight)"
                case .request: "worker store work per request (\(writerConcurrency) in flight)"
                }
                let note = "\(processes) process\(processes == 1 ? "" : "es")" + (errors > 0 ? ", \(errors) errors" : "")
                    + (single.map { String(format: ", %.2f× the 1-process rate", $0 / (1e9 / max(rate, 1e-9))) } ?? "")
                var r = BenchResult(group: "budget", name: "\(name), \(processes) proc", nsPerOp: 1e9 / max(rate, 1e-9), note: note)
                if let single { r.baselineNs = single; r.baselineName = "1 proc" } else { single = r.nsPerOp }
                results.append(r)
            }
        }
        results.append(try journalLine(dir: dir, options: options, baselineNs: results.first?.nsPerOp))
        return results
    }

    /// One settlement journal line, appended and let go (``SettlementJournal/append(_:)`` and
    /// ``SettlementJournal/committed(_:)``): what every attempt pays for its checkpoint before its
    /// upstream call, and an answer sent before its settlement commits for that settlement. Compared
    /// with a reserve+settle pair in one process.
    static func journalLine(dir: String, options: BenchOptions, baselineNs: Double?) throws -> BenchResult {
        let journal = try SettlementJournal(storePath: dir + "/journal-bench.sqlite", owner: "bench-\(getpid())")
        defer { journal.close() }
        let entry = LedgerEntry(teamID: 1, requestID: "req_0123456789abcdef01234567", createdAt: Date(), tier: "simple", model: "gpt-4o-mini",
                                promptTokens: 250, completionTokens: 0, usageEstimated: true, costNano: 37_500, outcome: "worker_lost", keyID: 1)
        let record = SettlementRecord(hold: .lease(rowID: 7, key: "lease:host:123:9f8e7d6c5b4a", amountNano: 2_500_000), entry: entry,
                                      periodStart: Date(timeIntervalSince1970: 1_764_547_200), checkpoint: true)
        let ns = measure(seconds: options.secondsPerCase) { n in
            for _ in 0..<n {
                if let ticket = journal.append(record) { journal.committed(ticket) }
            }
        }
        return BenchResult(group: "budget", name: "journal line: append + committed (checkpoint or settlement)", nsPerOp: ns,
                           bytes: record.line.count, baselineNs: baselineNs, baselineName: baselineNs == nil ? nil : "reserve+settle pair")
    }

    /// Starts `processes` children that run `mode` together for `seconds`; returns total operations and errors.
    static func launch(processes: Int, path: String, teamID: Int64, seconds: Double, mode: Mode) throws -> (Int, Int) {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // Children open the store first, then start at the same instant (CLOCK_MONOTONIC is system-wide).
        let start = nowNanos() + 300_000_000
        var children: [(Process, Pipe)] = []
        for _ in 0..<processes {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = ["budget-child", path, String(teamID), String(start), String(seconds), mode.rawValue]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            children.append((p, out))
        }
        var ops = 0
        var errors = 0
        for (p, out) in children {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            guard fields.count == 2, p.terminationStatus == 0 else {
                throw BenchError("budget child failed (status \(p.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
            }
            ops += fields[0]
            errors += fields[1]
        }
        return (ops, errors)
    }

    /// The child: `budget-child PATH TEAM_ID START_NS SECONDS MODE`; prints `<ops> <errors>`.
    static func child(_ args: [String]) throws {
        guard args.count == 5, let teamID = Int64(args[1]), let start = UInt64(args[2]), let seconds = Double(args[3]),
              let mode = Mode(rawValue: args[4]) else {
            throw BenchError("usage: budget-child PATH TEAM_ID START_NS SECONDS pair|leased|writer|request")
        }
        let store = try Store(path: args[0])
        if mode == .writer || mode == .request {
            let writer = try StoreWriter(path: args[0])
            // The request log has a file of its own, as in a worker.
            let requestLog = try StoreWriter(path: Store.requestLogPath(forStore: args[0]), schema: .requestLog)
            let (ops, errors) = concurrently(store: store, writer: writer, requestLog: requestLog, teamID: teamID, start: start,
                                             seconds: seconds, mode: mode)
            writer.close()
            requestLog.close()
            store.close()
            print(ops, errors)
            return
        }
        let pid = getpid()
        let host = ProcessInfo.processInfo.hostName
        let periodStart = Date(timeIntervalSince1970: 1_764_547_200)  // any fixed period start
        while nowNanos() < start { usleep(200) }
        let deadline = start + UInt64(seconds * 1e9)
        var ops = 0
        var errors = 0
        var book = LeaseBook(attempts: 32, window: 300) { "lease:\(host):\(pid):\(UInt64.random(in: 0...UInt64.max))" }
        let budgetNano = try store.team(id: teamID)?.budgetNano ?? 0
        while nowNanos() < deadline {
            let requestID = "req_\(pid)_\(ops)"
            let now = Date()
            do {
                let hold = try mode == .pair
                    ? reserve(store, teamID: teamID, requestID: requestID, periodStart: periodStart, now: now, pid: pid, host: host)
                    : draw(&book, store, teamID: teamID, budgetNano: budgetNano, periodStart: periodStart, now: now, pid: pid, host: host)
                try store.settle(hold, LedgerEntry(teamID: teamID, requestID: requestID, createdAt: now, tier: "simple",
                                                   model: "gpt-4o-mini", promptTokens: 12, completionTokens: 6,
                                                   usageEstimated: false, costNano: 5_400, outcome: "ok"),
                                 periodStart: periodStart)
                if case .lease(let rowID, let key, let amount) = hold { book.settled(LeaseBook.Row(id: rowID, key: key), amount: amount) }
                ops += 1
            } catch {
                errors += 1
                FileHandle.standardError.write(Data("budget-child: \(error)\n".utf8))
            }
        }
        store.close()
        print(ops, errors)
    }
}

extension BudgetBench {
    static let worstCase: Int64 = 2_500_000

    /// One attempt's own reservation.
    static func reserve(_ store: Store, teamID: Int64, requestID: String, periodStart: Date, now: Date, pid: Int32,
                        host: String) throws -> ReservationHold {
        let result = try store.reserve(teamID: teamID, requestID: requestID, amountNano: worstCase, periodStart: periodStart,
                                       now: now, ttl: 600, ownerPID: pid, ownerHost: host)
        guard case .reserved(let id, _, _) = result else { throw BenchError("reservation refused: \(result)") }
        return .row(id)
    }

    /// One attempt's draw on the process's lease, topped up in the store when it runs out.
    static func draw(_ book: inout LeaseBook, _ store: Store, teamID: Int64, budgetNano: Int64, periodStart: Date, now: Date,
                     pid: Int32, host: String) throws -> ReservationHold {
        switch book.draw(team: teamID, amount: worstCase, budgetNano: budgetNano, now: now) {
        case .leased(let row):
            return .lease(rowID: row.id, key: row.key, amountNano: worstCase)
        case .topUp(let key, let returns):
            let result = try store.topUpLease(teamID: teamID, key: key, needNano: worstCase,
                                              returns: returns.map { LeaseReturn(rowID: $0.row.id, key: $0.row.key, amountNano: $0.amountNano) },
                                              periodStart: periodStart, now: now, ttl: 600, ownerPID: pid, ownerHost: host) {
                LeaseBook.grant(need: $0, attempts: 32, headroom: $1)
            }
            guard case .granted(let rowID, let granted, let inserted, _) = result else { throw BenchError("lease refused: \(result)") }
            book.toppedUp(team: teamID, key: key, rowID: rowID, granted: granted, inserted: inserted, drawn: worstCase,
                          budgetNano: budgetNano, now: now)
            return .lease(rowID: rowID, key: key, amountNano: worstCase)
        case .single:
            throw BenchError("a single process has no concurrent top-up")
        }
    }

    /// `writerConcurrency` tasks doing `mode` through `writer` until the deadline; returns operations and errors.
    static func concurrently(store: Store, writer: StoreWriter, requestLog: StoreWriter, teamID: Int64, start: UInt64, seconds: Double, mode: Mode) -> (Int, Int) {
        let pid = getpid()
        let host = ProcessInfo.processInfo.hostName
        let periodStart = Date(timeIntervalSince1970: 1_764_547_200)
        let deadline = start + UInt64(seconds * 1e9)
        let done = DispatchSemaphore(value: 0)
        let totals = Totals()
        while nowNanos() < start { usleep(200) }
        Task {
            await withTaskGroup(of: (Int, Int).self) { group in
                for lane in 0..<writerConcurrency {
                    group.addTask {
                        var ops = 0
                        var errors = 0
                        while nowNanos() < deadline {
                            let requestID = "req_\(pid)_\(lane)_\(ops)"
                            let now = Date()
                            do {
                                if mode == .request {
                                    _ = try store.budgetStatus(teamID: teamID, now: now) { _ in periodStart }
                                }
                                let result = try await writer.reserve(teamID: teamID, requestID: requestID, amountNano: 2_500_000,
                                                                      periodStart: periodStart, now: now, ttl: 600, ownerPID: pid, ownerHost: host)
                                guard case .reserved(let id, _, _) = result else { throw BenchError("reservation refused: \(result)") }
                                try await writer.settle(.row(id), LedgerEntry(
                                    teamID: teamID, requestID: requestID, createdAt: now, tier: "simple", model: "gpt-4o-mini", promptTokens: 12,
                                    completionTokens: 6, usageEstimated: false, costNano: 5_400, outcome: "ok"), periodStart: periodStart)
                                if mode == .request {
                                    requestLog.logRequestLater(RequestLogEntry(
                                        id: requestID, createdAt: now, teamID: teamID, workerID: "w1", tier: "simple", model: "gpt-4o-mini",
                                        provider: "sim", reason: "rules: short query (6 words < 20), no keyword, no context", stream: false,
                                        attempts: 1, attemptLog: #"[{"tier":"simple","model":"gpt-4o-mini","outcome":"ok","status":200,"ms":0.4}]"#,
                                        status: 200, errorType: nil, latencyMs: 0.9, upstreamMs: 0.4, promptTokens: 12, completionTokens: 6,
                                        usageEstimated: false, costNano: 5_400)) { error in
                                        FileHandle.standardError.write(Data("budget-child: \(error)\n".utf8))
                                    }
                                }
                                ops += 1
                            } catch {
                                errors += 1
                                FileHandle.standardError.write(Data("budget-child: \(error)\n".utf8))
                            }
                        }
                        return (ops, errors)
                    }
                }
                for await (ops, errors) in group { totals.value.withLock { $0.ops += ops; $0.errors += errors } }
            }
            await writer.flush()
            await requestLog.flush()
            done.signal()
        }
        done.wait()
        return totals.value.withLock { ($0.ops, $0.errors) }
    }

    final class Totals: Sendable {
        let value = Mutex((ops: 0, errors: 0))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
