import Foundation
import Testing
import TriageCore

@Suite struct FixedDecimalTests {
    @Test func matchesPrintfForOrdinaryValues() {
        let values: [Double] = [0, 0.04, 0.05, 0.051, 1, 1.25, 12.345, 99.999, 1234.5678, -0.2, -3.456, 1e9 + 0.123, 0.9999]
        for v in values {
            for digits in [0, 1, 2, 3] {
                var printf = String(format: "%.\(digits)f", v)
                if printf.hasPrefix("-"), Double(printf) == 0 { printf.removeFirst() }  // printf's negative zero
                #expect(v.fixed(digits) == printf || Self.tie(v, digits), "\(v) with \(digits)")
            }
        }
        #expect(0.05.fixed(1) == "0.1")  // half away from zero
        #expect((-0.04).fixed(1) == "0.0")  // no negative zero
        #expect(Double.infinity.fixed(2) == "inf")
    }

    /// Binary values exactly halfway in decimal may round either way in printf (it uses the exact
    /// binary value); they are not compared.
    static func tie(_ v: Double, _ digits: Int) -> Bool {
        let scaled = abs(v) * pow(10, Double(digits))
        return abs(scaled - scaled.rounded(.down) - 0.5) < 1e-9
    }
}
