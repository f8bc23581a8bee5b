import Foundation

// TriageBench: Triage's micro benchmarks, a plain release-mode harness (issue 9).
//
//   swift run -c release TriageBench [--quick] [--markdown] [classify] [wire] [json] [budget]
//
// Each case prints its time per operation and a ratio against a baseline measured in the same run.
// Benchmarks are not tests: nothing here asserts a speed.

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "budget-child" {
    do {
        try BudgetBench.child(Array(args.dropFirst()))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}
var options = BenchOptions()
if args.contains("--quick") { options = .quick }
if let i = args.firstIndex(of: "--seconds"), i + 1 < args.count, let s = Double(args[i + 1]) {
    options.secondsPerCase = s
    args.remove(at: i + 1)
}
options.markdown = args.contains("--markdown")
if args.contains("--help") || args.contains("-h") {
    print("usage: TriageBench [--quick] [--seconds S] [--markdown] [classify] [wire] [json] [budget]")
    exit(0)
}
let all = ["classify", "json", "wire", "budget"]
var suites = args.filter { !$0.hasPrefix("--") }
if suites.isEmpty { suites = all }
var results: [BenchResult] = []
do {
    for suite in suites {
        switch suite {
        case "classify": results += try ClassifyBench.run(options)
        case "json": results += try JSONBench.run(options)
        case "wire": results += try WireBench.run(options)
        case "budget": results += try BudgetBench.run(options)
        default: throw BenchError("unknown suite '\(suite)' (have: \(all.joined(separator: ", ")))")
        }
    }
} catch {
    FileHandle.standardError.write(Data("TriageBench: \(error)\n".utf8))
    exit(1)
}
printResults(results, markdown: options.markdown)
