import Foundation
import Testing
import TriageCore

@Suite struct MoneyTests {
    @Test func descriptionHasNineDecimals() {
        #expect(Money(nanoUSD: 5_400).description == "0.000005400")
        #expect(Money(nanoUSD: 0).description == "0.000000000")
        #expect(Money(nanoUSD: 1).description == "0.000000001")
        #expect(Money(nanoUSD: 12_300).description == "0.000012300")
        #expect(Money(nanoUSD: 3_000_000_000).description == "3.000000000")
        #expect(Money(nanoUSD: 1_234_567_890_123).description == "1234.567890123")
    }

    @Test func negativeAmountsKeepTheirSign() {
        #expect(Money(nanoUSD: -5_400).description == "-0.000005400")
        #expect(Money(nanoUSD: -2_500_000_000).description == "-2.500000000")
        #expect(Money(nanoUSD: .min).description == "-9223372036.854775808")
    }

    @Test func decimalStringRoundTrips() {
        for n: Int64 in [0, 1, 5_400, 12_300, 999_999_999, 1_000_000_000, 3_000_000_000, 1_234_567_890_123, -5_400, -2_500_000_000, .max] {
            let m = Money(nanoUSD: n)
            #expect(Money(decimalString: m.description) == m, "\(m)")
        }
    }

    @Test func decimalStringAcceptsShortForms() {
        #expect(Money(decimalString: "1") == Money(nanoUSD: 1_000_000_000))
        #expect(Money(decimalString: "0.5") == Money(nanoUSD: 500_000_000))
        #expect(Money(decimalString: ".25") == Money(nanoUSD: 250_000_000))
        #expect(Money(decimalString: "2.") == Money(nanoUSD: 2_000_000_000))
        #expect(Money(decimalString: "-0.000000001") == Money(nanoUSD: -1))
    }

    @Test func decimalStringRejectsGarbage() {
        #expect(Money(decimalString: "") == nil)
        #expect(Money(decimalString: "abc") == nil)
        #expect(Money(decimalString: "1.2.3") == nil)
        #expect(Money(decimalString: "0.0000000001") == nil) // ten decimals
        #expect(Money(decimalString: "1.5e3") == nil)
        #expect(Money(decimalString: "1.-5") == nil)
        #expect(Money(decimalString: "--5") == nil)
        #expect(Money(decimalString: "1.+5") == nil)
        // Out of range: nil rather than a crash.
        #expect(Money(decimalString: "10000000000") == nil)
        #expect(Money(decimalString: "9223372036.854775808") == nil)
    }

    @Test func fromDollarsRoundsToTheNearestNanoDollar() {
        #expect(Money(usd: 0.15) == Money(nanoUSD: 150_000_000))
        #expect(Money(usd: 0.0000054) == Money(nanoUSD: 5_400))
        #expect(Money(usd: 1e-10) == .zero)
        #expect(Money(usd: 6e-10) == Money(nanoUSD: 1))
        #expect(Money(nanoUSD: 2_500_000_000).usd == 2.5)
    }

    @Test func arithmeticAndOrder() {
        let a = Money(nanoUSD: 700), b = Money(nanoUSD: 300)
        #expect(a + b == Money(nanoUSD: 1_000))
        #expect(a - b == Money(nanoUSD: 400))
        #expect(b - a == Money(nanoUSD: -400))
        #expect(b < a)
        var c = Money.zero
        c += a
        #expect(c == a)
    }

    @Test func codableKeepsTheNanoDollars() throws {
        let m = Money(nanoUSD: 5_400)
        let data = try JSONEncoder().encode(m)
        #expect(try JSONDecoder().decode(Money.self, from: data) == m)
    }
}
