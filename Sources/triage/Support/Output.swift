import ArgumentParser
import Foundation
import TriageCoordinator
import TriageCore

/// Prints a value as pretty JSON.
func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try e.encode(value), as: UTF8.self))
}

/// Prints rows as an aligned table.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        print(row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
    if rows.isEmpty { print("(none)") }
}

extension ClusterOptions {
    /// Team administration on this cluster's store.
    func admin() throws -> TeamAdmin {
        let config = try load()
        return TeamAdmin(store: try openStore(config), tiers: config.tiers.map(\.name))
    }
}
