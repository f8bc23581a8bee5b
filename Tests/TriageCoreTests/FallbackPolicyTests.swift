import Testing
import TriageCore

@Suite struct FallbackPolicyTests {
    @Test(arguments: [
        AttemptFailure.Kind.connect, .timeout, .reset, .rateLimited, .serverError, .authError, .malformed, .unsupported,
    ])
    func transientAndProviderFailuresClimb(kind: AttemptFailure.Kind) {
        #expect(FallbackPolicy.next(after: AttemptFailure(kind: kind, message: "m")) == .climb)
    }

    @Test(arguments: [429, 500, 502, 503, 504, 401, 403])
    func httpFailuresThatClimb(status: Int) {
        #expect(FallbackPolicy.next(after: .http(status: status, message: "m")) == .climb)
    }

    @Test func aRejectedRequestGoesBackAsTheProviderSaidIt() {
        let provider = OpenAIErrorBody(message: "max_tokens is too large", type: "invalid_request_error", code: "invalid_value", param: "max_tokens")
        let action = FallbackPolicy.next(after: .http(status: 400, message: "bad", providerError: provider))
        #expect(action == .fail(status: 400, error: provider))
    }

    @Test func aRejectedRequestWithoutAProviderErrorGetsOurs() {
        guard case .fail(let status, let error) = FallbackPolicy.next(after: .http(status: 422, message: "nope")) else {
            Issue.record("expected fail")
            return
        }
        #expect(status == 422)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "upstream_rejected")
        #expect(error.message.contains("nope"))
        // A client error without a status is a 400.
        guard case .fail(let s, _) = FallbackPolicy.next(after: AttemptFailure(kind: .clientError, message: "x")) else {
            Issue.record("expected fail")
            return
        }
        #expect(s == 400)
    }

    @Test func aClientThatLeftMidStreamIs499NotAnUpstreamFailure() {
        let action = FallbackPolicy.next(after: AttemptFailure(kind: .cancelled, message: "gone", deliveredToClient: true))
        guard case .fail(let status, _) = action else { Issue.record("climbed"); return }
        #expect(status == 499)
    }

    @Test func aCancelledRequestFailsWith499() {
        let action = FallbackPolicy.next(after: AttemptFailure(kind: .cancelled, message: "gone"))
        #expect(action == .fail(status: 499, error: OpenAIErrorBody(message: "The client closed the request.", type: "cancelled", code: "cancelled")))
    }

    @Test(arguments: [
        AttemptFailure.Kind.connect, .timeout, .reset, .rateLimited, .serverError, .authError, .clientError, .malformed, .unsupported,
    ])
    func nothingClimbsOnceDeliveredToTheClient(kind: AttemptFailure.Kind) {
        let failure = AttemptFailure(kind: kind, message: "cut", status: 503, deliveredToClient: true)
        guard case .fail(let status, let error) = FallbackPolicy.next(after: failure) else {
            Issue.record("\(kind) climbed after delivery")
            return
        }
        #expect(status == 502)
        #expect(error.code == "stream_interrupted")
        #expect(error.type == "upstream_error")
        #expect(error.message.contains("cut"))
    }
}
