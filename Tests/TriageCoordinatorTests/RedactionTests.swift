import HTTPTypes
import Logging
import Testing
@testable import TriageCoordinator

struct RedactionTests {
    static let key = "tri_0a1b2c3d_" + String(repeating: "ab12", count: 12)

    @Test func credentialHeadersAreMasked() {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(Self.key)"
        fields[HTTPField.Name("x-api-key")!] = Self.key
        fields[.cookie] = "session=abc"
        fields[.contentType] = "application/json"
        let out = Redaction.headers(fields)
        #expect(out["authorization"] == Redaction.mask)
        #expect(out["x-api-key"] == Redaction.mask)
        #expect(out["cookie"] == Redaction.mask)
        #expect(out["content-type"] == "application/json")
        #expect(!out.values.joined().contains("ab12ab12"))
    }

    @Test func keysInFreeTextAreMasked() {
        #expect(Redaction.scrub("bad key \(Self.key) given") == "bad key \(Redaction.mask) given")
        #expect(Redaction.scrub("Authorization: Bearer abc.def-123") == "Authorization: Bearer \(Redaction.mask)")
        #expect(Redaction.scrub("basic dXNlcjpwYXNz") == "basic \(Redaction.mask)")
        #expect(Redaction.scrub("provider key sk-proj-abcdefghijkl1234 rejected") == "provider key \(Redaction.mask) rejected")
        #expect(Redaction.scrub("sk-ant-api03-abcdefgh") == Redaction.mask)
        #expect(Redaction.scrub("What is the capital of France?") == "What is the capital of France?")
    }

    @Test func theRequestLineScrubsEveryValue() {
        var r = FinishedRequest(id: "req_1", team: "ops", status: 401, stream: false, duration: .milliseconds(3))
        r.errorCode = "invalid key \(Self.key)"
        let m = RequestLogLine.metadata(r)
        #expect(!m.values.map(\.description).joined().contains(Self.key))
        #expect(m["triage.team"] == "ops")
        #expect(m["triage.status"]?.description == "401")
    }
}
