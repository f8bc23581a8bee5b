import Testing
import TriageCore

@Suite struct AttemptFailureTests {
    @Test(arguments: [
        (429, AttemptFailure.Kind.rateLimited),
        (401, .authError), (403, .authError),
        (500, .serverError), (502, .serverError), (503, .serverError), (599, .serverError),
        (400, .clientError), (404, .clientError), (413, .clientError), (422, .clientError),
    ])
    func httpStatusesAreClassified(status: Int, kind: AttemptFailure.Kind) {
        let f = AttemptFailure.http(status: status, message: "m")
        #expect(f.kind == kind)
        #expect(f.status == status)
        #expect(!f.deliveredToClient)
    }

    @Test func httpKeepsRetryAfterAndTheProviderError() {
        let body = OpenAIErrorBody(message: "slow down", type: "rate_limit_error", code: "rate_limited")
        let f = AttemptFailure.http(status: 429, message: "m", retryAfter: 2.5, providerError: body)
        #expect(f.retryAfter == 2.5)
        #expect(f.providerError == body)
    }

    @Test func descriptionNamesKindAndStatus() {
        #expect(AttemptFailure.http(status: 503, message: "busy").description == "server_error (HTTP 503): busy")
        #expect(AttemptFailure(kind: .timeout, message: "after 30s").description == "timeout: after 30s")
    }
}
