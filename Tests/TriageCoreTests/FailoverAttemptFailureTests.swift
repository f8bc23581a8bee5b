import Testing
import TriageCore

/// The classification of provider errors, and the backbone's ``FallbackPolicy`` kept as it was.
@Suite struct FailoverAttemptFailureTests {
    @Test func httpStatusesAndCodesClassify() {
        func kind(_ status: Int, code: String? = nil, message: String = "m") -> AttemptFailure.Kind {
            AttemptFailure.http(status: status, message: message,
                                providerError: code.map { OpenAIErrorBody(message: message, type: "invalid_request_error", code: $0) }).kind
        }
        #expect(kind(429) == .rateLimited)
        #expect(kind(401) == .authError)
        #expect(kind(403) == .authError)
        #expect(kind(503) == .serverError)
        #expect(kind(529) == .serverError)
        #expect(kind(400) == .clientError)
        #expect(kind(400, code: "context_length_exceeded") == .contextLengthExceeded)
        #expect(kind(400, message: "prompt is too long: 210000 tokens > 200000 maximum") == .contextLengthExceeded)
        #expect(kind(400, message: "This model's maximum context length is 8192 tokens") == .contextLengthExceeded)
        #expect(kind(400, code: "content_policy_violation") == .contentFilter)
        #expect(kind(400, code: "content_filter") == .contentFilter)
        #expect(kind(404, code: "model_not_found") == .clientError)
    }

    @Test func fallbackPolicyIsUnchangedForTheBackbone() {
        for kind in [AttemptFailure.Kind.connect, .timeout, .reset, .rateLimited, .serverError, .authError, .malformed, .unsupported,
                     .firstByteTimeout, .firstTokenTimeout, .streamStalled, .streamCut] {
            #expect(FallbackPolicy.next(after: AttemptFailure(kind: kind, message: "x")) == .climb)
        }
        let provider = OpenAIErrorBody(message: "bad", type: "invalid_request_error", code: "bad")
        #expect(FallbackPolicy.next(after: .http(status: 400, message: "bad", providerError: provider)) == .fail(status: 400, error: provider))
        if case .fail(let status, let error) = FallbackPolicy.next(after: AttemptFailure(kind: .streamCut, message: "x", deliveredToClient: true)) {
            #expect(status == 502)
            #expect(error.code == "stream_interrupted")
        } else {
            Issue.record("expected a failure")
        }
    }
}
