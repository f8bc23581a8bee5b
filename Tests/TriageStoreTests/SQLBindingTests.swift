import Foundation
import Testing

/// Every SQL statement of TriageStore takes its values as bound parameters (`?`), never spliced
/// into the text: this reads the module's sources and fails on any string literal that looks like
/// SQL and interpolates anything but the constant fragments allowed below.
@Suite struct SQLBindingTests {
    /// Interpolations allowed inside SQL text, each a constant the module builds itself.
    static let allowed: Set<String> = [
        // `static let …Columns = "a, b, c"`: column lists, checked below to be plain literals.
        "Self.keyColumns", "Self.requestColumns", "Self.requestLogColumns", "Self.teamColumns", "Self.workerColumns", "Self.reloadColumns",
        // Store+Spend.swift: `key` is one of four literal expressions picked by an enum, and
        // `whereClause` joins literal "t.name = ?" / "l.created_at >= ?" conditions.
        "key", "whereClause",
    ]
    static let sqlWords = ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", "ALTER ", "DROP ", "PRAGMA ", " WHERE ", " VALUES", " FROM ", " SET "]

    static let sources: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/TriageStore")

    static func files() throws -> [(name: String, text: String)] {
        try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }.sorted().map {
            ($0, try String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8))
        }
    }

    @Test func sqlTextInterpolatesOnlyAllowedConstants() throws {
        let files = try Self.files()
        #expect(files.count > 10, "read the module's sources at \(Self.sources.path)")
        var sqlLiterals = 0
        for (name, text) in files {
            for literal in stringLiterals(in: text) {
                let plain = literal.segments.joined(separator: " ")
                guard Self.isSQL(plain) else { continue }
                sqlLiterals += 1
                for expression in literal.interpolations {
                    #expect(Self.allowed.contains(expression),
                            "\(name): SQL text interpolates `\(expression)`; bind it as a `?` parameter instead: \(plain.prefix(120))")
                }
            }
        }
        #expect(sqlLiterals > 30, "found the module's SQL (\(sqlLiterals) literals)")
    }

    @Test func allowedColumnListsAreConstantLiterals() throws {
        let all = try Self.files().map(\.text).joined(separator: "\n")
        for name in Self.allowed where name.hasPrefix("Self.") {
            let declaration = "static let \(name.dropFirst(5)) ="
            let rest = try #require(all.range(of: declaration).map { String(all[$0.upperBound...]) }, "\(declaration) not found")
            let value = try #require(stringLiterals(in: rest).first)
            #expect(value.interpolations.isEmpty && rest.prefix(while: { $0 != "\"" }).allSatisfy(\.isWhitespace),
                    "\(name) is a plain string literal")
        }
    }

    @Test func theScannerFindsInterpolationInSQL() {
        let bad = #"try db.run("DELETE FROM teams WHERE name = '\(name)'", [])"#
        let literals = stringLiterals(in: bad)
        #expect(literals.count == 1 && Self.isSQL(literals[0].segments.joined()))
        #expect(literals.first?.interpolations == ["name"])
        let multi = "let sql = \"\"\"\n    SELECT a FROM t\n    WHERE id = \\(id.description) AND x = ?\n    \"\"\"\n"
        #expect(stringLiterals(in: multi).first?.interpolations == ["id.description"])
        #expect(stringLiterals(in: #"let s = "a \"quoted\" \(f(g(1), "x")) b""#).first?.interpolations == [#"f(g(1), "x")"#])
    }

    /// Whether literal text reads as SQL (keywords in upper case, as this module writes them).
    static func isSQL(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return sqlWords.contains { text.contains($0) || trimmed.hasPrefix($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// A string literal of Swift source: its literal text pieces and the interpolated expressions.
struct StringLiteral {
    var segments: [String] = []
    var interpolations: [String] = []
}

/// The string literals of Swift source (`"…"` and `"""…"""`, with `\(…)` interpolations), skipping
/// comments. Enough of Swift's lexical grammar for this module's sources; raw strings (`#"…"#`)
/// are read as literals without interpolation.
func stringLiterals(in source: String) -> [StringLiteral] {
    let s = Array(source.unicodeScalars)
    var i = 0
    var out: [StringLiteral] = []
    func at(_ text: String, _ j: Int) -> Bool {
        let t = Array(text.unicodeScalars)
        return j + t.count <= s.count && Array(s[j..<(j + t.count)]) == t
    }
    /// Reads a literal whose opening delimiter ended just before `j`; returns it and the index after it.
    func literal(from j: Int, close: String, raw: Bool) -> (StringLiteral, Int) {
        var lit = StringLiteral()
        var current = ""
        var j = j
        while j < s.count {
            if at(close, j) {
                lit.segments.append(current)
                return (lit, j + close.unicodeScalars.count)
            }
            if !raw, s[j] == "\\", j + 1 < s.count {
                if s[j + 1] == "(" {
                    lit.segments.append(current)
                    current = ""
                    var depth = 1
                    var k = j + 2
                    var expression = ""
                    while k < s.count, depth > 0 {
                        if s[k] == "\"" {  // a string literal inside the interpolation
                            let (_, end) = literal(from: k + 1, close: "\"", raw: false)
                            expression += String(String.UnicodeScalarView(s[k..<end]))
                            k = end
                            continue
                        }
                        if s[k] == "(" { depth += 1 }
                        if s[k] == ")" { depth -= 1; if depth == 0 { break } }
                        expression.unicodeScalars.append(s[k])
                        k += 1
                    }
                    lit.interpolations.append(expression.trimmingCharacters(in: .whitespaces))
                    j = k + 1
                    continue
                }
                current.unicodeScalars.append(s[j + 1])
                j += 2
                continue
            }
            current.unicodeScalars.append(s[j])
            j += 1
        }
        lit.segments.append(current)
        return (lit, j)
    }
    while i < s.count {
        if at("//", i) {
            while i < s.count, s[i] != "\n" { i += 1 }
        } else if at("/*", i) {
            i += 2
            while i < s.count, !at("*/", i) { i += 1 }
            i += 2
        } else if at("#\"\"\"", i) {
            let (lit, end) = literal(from: i + 4, close: "\"\"\"#", raw: true); out.append(lit); i = end
        } else if at("#\"", i) {
            let (lit, end) = literal(from: i + 2, close: "\"#", raw: true); out.append(lit); i = end
        } else if at("\"\"\"", i) {
            let (lit, end) = literal(from: i + 3, close: "\"\"\"", raw: false); out.append(lit); i = end
        } else if s[i] == "\"" {
            let (lit, end) = literal(from: i + 1, close: "\"", raw: false); out.append(lit); i = end
        } else {
            i += 1
        }
    }
    return out
}
