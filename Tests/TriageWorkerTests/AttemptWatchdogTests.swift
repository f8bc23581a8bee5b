import Testing
import TriageCore
@testable import TriageWorker

@Suite struct AttemptWatchdogTests {
    /// The provider's id for a call comes from the header that provider uses; the latest response's wins.
    @Test func theProvidersRequestIdIsTakenFromItsResponseHead() {
        let w = AttemptWatchdog(limits: AttemptLimits(firstByte: .seconds(60), firstToken: .seconds(60), streamIdle: .seconds(60),
                                                      total: .seconds(60), deadline: .now + .seconds(60)),
                                stream: true)
        #expect(w.providerRequestID == nil)
        w.responseStarted(headers: ["content-type": "text/event-stream", "request-id": "req_011CAnthropic"])
        #expect(w.providerRequestID == "req_011CAnthropic")
        w.responseStarted(headers: ["x-request-id": "req_openai", "request-id": "other"])
        #expect(w.providerRequestID == "req_openai")
        w.responseStarted(headers: [:])
        #expect(w.providerRequestID == nil)
        #expect(AttemptWatchdog.providerRequestID(["x-request-id": String(repeating: "a", count: 500)])?.count == 128)
        #expect(AttemptWatchdog.providerRequestID(["x-request-id": ""]) == nil)
    }
}
