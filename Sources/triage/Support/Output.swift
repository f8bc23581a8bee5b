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
        return TeamAdmin(store: try openStore(config), tiers: config.tiers.map(\.name), actor: Self.actor())
    }

    /// Who runs this command, as the audit trail names them: `cli alice@host` (the login behind
    /// `sudo` when there is one).
    static func actor(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let user = environment["SUDO_USER"] ?? getpwuid(getuid()).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "uid \(getuid())"
        return "cli \(user)@\(ProcessInfo.processInfo.hostName)"
    }
}

/// An option's number, or nil for `none` (a budget or limit removed).
/// - Throws: a `ValidationError` naming `option` when it is neither.
func numberOrNone(_ value: String, _ option: String) throws -> Double? {
    if value == "none" { return nil }
    guard let d = Double(value) else { throw ValidationError("\(option) expects a number or 'none'") }
    return d
}
