import Foundation
import Testing
import TriageCore

@Suite struct RequestIDTests {
    @Test func idsAreTwentyFourHexDigitsAndSortByTime() {
        let base = Date(timeIntervalSince1970: 1_795_996_571.25)
        let ids = (0..<50).map { RequestID.make(now: base.addingTimeInterval(Double($0) * 0.001)) }
        for id in ids {
            #expect(id.hasPrefix("req_") && id.count == 28, "\(id)")
            #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
        }
        #expect(ids == ids.sorted(), "a later millisecond sorts after an earlier one")
        #expect(ids[0].dropFirst(4).prefix(12) == String(1_795_996_571_250, radix: 16).leftPadded(12))
    }

    @Test func idsOfOneMillisecondDiffer() {
        let now = Date()
        let ids = Set((0..<1000).map { _ in RequestID.make(now: now) })
        #expect(ids.count == 1000)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
