import ArgumentParser
import Foundation
import TriageCore

/// Reads routing benchmark files given as `A.jsonl[,B.jsonl]`.
func loadRoutingData(_ list: String) throws -> [RoutingExample] {
    var all: [RoutingExample] = []
    for path in list.split(separator: ",").map(String.init) where !path.isEmpty {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read data file \(path)")
        }
        do {
            all += try RoutingExample.parseJSONL([UInt8](data))
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
    if all.isEmpty { throw ValidationError("no rows in \(list)") }
    return all
}

/// Progress lines: rewritten in place on a terminal, plain lines otherwise.
struct Progress {
    let terminal = isatty(STDOUT_FILENO) != 0

    func update(_ line: String) {
        if terminal {
            print("\r\u{1B}[2K" + line, terminator: "")
            fflush(nil)  // all streams: `stdout` itself is not concurrency-safe to name
        } else {
            print(line)
        }
    }

    func done(_ line: String) {
        if terminal { print("\r\u{1B}[2K" + line) } else { print(line) }
    }
}

/// Formatting helpers for the metric tables.
func pct(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "n/a" }
    return String(format: "%.1f%%", x * 100)
}

func fixed3(_ x: Double) -> String { String(format: "%.3f", x) }

/// Prints one report: the router's figures beside the random and oracle routers.
func printReport(_ r: BenchmarkReport, routerName: String, extra: String = "") {
    print("\(r.source): \(r.rows) rows\(extra); weak quality \(fixed3(r.router.weakQuality)), strong \(fixed3(r.router.strongQuality))")
    let withCost = r.allStrongCost != nil
    var rows: [[String]] = []
    for (name, curve) in [(routerName, r.router), ("random", r.random), ("oracle", r.oracle)] {
        var row = [name, fixed3(curve.apgr), pct(curve.cpt(0.5)), pct(curve.cpt(0.8))]
        if withCost, let all = r.allStrongCost, all > 0 {
            for f in [0.5, 0.8] {
                // Random and oracle curves carry no per-query costs: price their shares at the mean.
                let saved: Double?
                if let (share, cost) = curve.crossing(f) {
                    if let cost { saved = 1 - cost / all } else {
                        let weakAll = r.router.points.first(where: { $0.strongShare == 0 })?.cost
                        saved = weakAll.map { 1 - ($0 + share * (all - $0)) / all }
                    }
                } else { saved = nil }
                row.append(pct(saved))
            }
        }
        rows.append(row)
    }
    var header = ["router", "APGR", "CPT(50%)", "CPT(80%)"]
    if withCost { header += ["saved@50%", "saved@80%"] }
    printTable(header, rows)
}
