import Foundation
import Testing
import TriageCore

/// `constantTimeEquals`, which compares key hashes, and that the code paths checking keys use it.
@Suite struct ConstantTimeEqualsTests {
    @Test func equalOnlyForTheSameBytes() {
        let a = SHA256.hash(Array("tri_0123abcd_secret".utf8))
        #expect(constantTimeEquals(a, a))
        #expect(constantTimeEquals([], []))
        for i in [0, a.count / 2, a.count - 1] {  // a difference anywhere counts, first byte or last
            var b = a
            b[i] ^= 0x01
            #expect(!constantTimeEquals(a, b), "a difference at byte \(i)")
            b[i] ^= 0x81
            #expect(!constantTimeEquals(a, b), "a difference in the top bit at byte \(i)")
        }
        #expect(!constantTimeEquals(a, Array(a.dropLast())), "a prefix is not equal")
        #expect(!constantTimeEquals(a, a + [0]), "nor an extension")
        #expect(!constantTimeEquals([], [0]))
    }

    /// The comparison reads every byte whatever the first difference (no early exit): one
    /// that differs in byte 0 and one that differs in the last byte take the same path. Timing
    /// is too noisy to measure in a test, so this checks the code instead: no `==` on the bytes.
    @Test func keyChecksUseItAndNoOtherComparison() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sha = try String(contentsOf: root.appendingPathComponent("Sources/TriageCore/Auth/SHA256.swift"), encoding: .utf8)
        let body = try #require(sha.range(of: "public func constantTimeEquals").map { String(sha[$0.upperBound...].prefix(300)) })
        #expect(body.contains("diff |= a[i] ^ b[i]") && !body.contains("return false\n    }\n    return"),
                "constantTimeEquals accumulates the differences of all bytes")

        let auth = try String(contentsOf: root.appendingPathComponent("Sources/TriageCoordinator/Auth/Authenticator.swift"), encoding: .utf8)
        #expect(auth.components(separatedBy: "constantTimeEquals(").count - 1 >= 2, "both client keys and the admin key are checked with it")
        // Nowhere in the sources is a hash compared with == or !=.
        let pattern = try Regex(#"\b\w*[hH]ash\b\s*[!=]=|[!=]=\s*[\w.]*\b\w*[hH]ash\b(?!\w)"#)
        let files = FileManager.default.enumerator(atPath: root.appendingPathComponent("Sources").path)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 50)
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent("Sources/" + file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains(pattern) {
                Issue.record("Sources/\(file) compares a hash with == instead of constantTimeEquals: \(line)")
            }
        }
    }
}
