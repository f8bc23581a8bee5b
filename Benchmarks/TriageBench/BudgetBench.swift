import Foundation
import Synchronization
import TriageStore

/// Budget reserve-and-settle pairs per second with 1 and 4 processes on one store, and the
/// whole store work a worker does per request. The parent creates the store and a team, then
/// re-launches this executable as `budget-child` processes that start together.
enum BudgetBench {
    enum Mode: String {
        /// `Store.reserve` + `Store.settle`.
        case pair
        /// What a worker does per non-stream request: one `budgetStatus` read (BudgetGuard.status), then
        /// `reserve` and `settle` through its ``StoreWriter`` and the request log riding along, with
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
        for mode in [Mode.pair, .writer, .request] {
            var single: Double?
            for processes in [1, 4] {
                let (ops, errors) = try launch(processes: processes, path: path, teamID: team.id, seconds: options.budgetSeconds, mode: mode)
                let rate = Double(ops) / options.budgetSeconds
                let name = switch mode {
                case .pair: "reserve+settle pairs (Store, 1 at a time)"
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
        return results
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
            throw BenchError("usage: budget-child PATH TEAM_ID START_NS SECONDS pair|request")
        }
        let store = try Store(path: args[0])
        if mode != .pair {
            let writer = try StoreWriter(path: args[0])
            let (ops, errors) = concurrently(store: store, writer: writer, teamID: teamID, start: start, seconds: seconds, mode: mode)
            writer.close()
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
        while nowNanos() < deadline {
            let requestID = "req_\(pid)_\(ops)"
            let now = Date()
            do {
                let result = try store.reserve(teamID: teamID, requestID: requestID, amountNano: 2_500_000, periodStart: periodStart,
                                               now: now, ttl: 600, ownerPID: pid, ownerHost: host)
                guard case .reserved(let id, _) = result else { throw BenchError("reservation refused: \(result)") }
                try store.settle(reservationID: id, LedgerEntry(teamID: teamID, requestID: requestID, createdAt: now, tier: "simple",
                                                                model: "gpt-4o-mini", promptTokens: 12, completionTokens: 6,
                                                                usageEstimated: false, costNano: 5_400, outcome: "ok"),
                                 periodStart: periodStart)
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
    /// `writerConcurrency` tasks doing `mode` through `writer` until the deadline; returns operations and errors.
    static func concurrently(store: Store, writer: StoreWriter, teamID: Int64, start: UInt64, seconds: Double, mode: Mode) -> (Int, Int) {
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
                                guard case .reserved(let id, _) = result else { throw BenchError("reservation refused: \(result)") }
                                try await writer.settle(reservationID: id, LedgerEntry(
                                    teamID: teamID, requestID: requestID, createdAt: now, tier: "simple", model: "gpt-4o-mini", promptTokens: 12,
                                    completionTokens: 6, usageEstimated: false, costNano: 5_400, outcome: "ok"), periodStart: periodStart)
                                if mode == .request {
                                    writer.logRequestLater(RequestLogEntry(
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
