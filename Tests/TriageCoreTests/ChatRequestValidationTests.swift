import Testing
import TriageCore

/// A malformed request is refused before any provider sees it, naming the field as OpenAI does.
@Suite struct ChatRequestValidationTests {
    static let user = #"{"role":"user","content":"hi"}"#

    @Test(arguments: [
        (#"[{"role":"wizard","content":"hi"}]"#, "messages[0].role"),
        (#"[{"content":"hi"}]"#, "messages[0].role"),
        (#"[{"role":"user"}]"#, "messages[0].content"),
        (#"[{"role":"system","content":null},\#(user)]"#, "messages[0].content"),
        (#"[\#(user),{"role":"assistant"}]"#, "messages[1].content"),
        (#"[{"role":"user","content":42}]"#, "messages[0].content"),
        (#"[{"role":"user","content":{"text":"hi"}}]"#, "messages[0].content"),
        (#"[{"role":"user","content":["hi"]}]"#, "messages[0].content[0]"),
        (#"[\#(user),{"role":"tool","content":"42"}]"#, "messages[1].tool_call_id"),
    ])
    func aMalformedMessageIsRefusedByItsPath(messages: String, param: String) {
        expectRefused(#"{"model":"auto","messages":\#(messages)}"#, param: param)
    }

    @Test(arguments: [
        (#""n":0"#, "n"), (#""n":129"#, "n"), (#""n":"2""#, "n"), (#""n":1.5"#, "n"),
        (#""temperature":"hot""#, "temperature"), (#""temperature":2.5"#, "temperature"), (#""temperature":-0.1"#, "temperature"),
        (#""top_p":1.5"#, "top_p"), (#""presence_penalty":3"#, "presence_penalty"), (#""frequency_penalty":"x""#, "frequency_penalty"),
        (#""stop":5"#, "stop"), (#""stop":["a",1]"#, "stop"),
        (#""tools":{"type":"function"}"#, "tools"), (#""tools":["get"]"#, "tools"),
        (#""tool_choice":1"#, "tool_choice"),
        (#""response_format":"json""#, "response_format"), (#""response_format":{}"#, "response_format"),
        (#""stream_options":true"#, "stream_options"),
        (#""logprobs":"yes""#, "logprobs"), (#""parallel_tool_calls":1"#, "parallel_tool_calls"), (#""store":"no""#, "store"),
        (#""logprobs":true,"top_logprobs":21"#, "top_logprobs"), (#""logprobs":true,"top_logprobs":-1"#, "top_logprobs"),
        (#""top_logprobs":5"#, "top_logprobs"), (#""logprobs":false,"top_logprobs":5"#, "top_logprobs"),
        (#""seed":"42""#, "seed"), (#""seed":4.2"#, "seed"), (#""user":7"#, "user"),
    ])
    func anOutOfRangeParameterIsRefusedByName(field: String, param: String) {
        expectRefused(#"{"model":"auto","messages":[\#(Self.user)],\#(field)}"#, param: param)
    }

    @Test func wellFormedRequestsPass() throws {
        for body in [
            #"{"model":"auto","messages":[\#(Self.user)],"n":128,"temperature":0,"top_p":1,"presence_penalty":-2,"frequency_penalty":2,"stop":["a","b"],"tools":[],"tool_choice":"auto","response_format":{"type":"text"},"stream_options":{"include_usage":true},"logprobs":true,"top_logprobs":20,"seed":-7,"user":"u-1","parallel_tool_calls":false,"store":false}"#,
            #"{"model":"auto","messages":[\#(Self.user)],"n":null,"temperature":null,"stop":null,"tools":null,"stream_options":null}"#,
            #"{"model":"auto","messages":[{"role":"developer","content":[{"type":"text","text":"be brief"}]},\#(Self.user),{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"42"},{"role":"assistant","refusal":"no"}]}"#,
        ] {
            _ = try ChatRequest(bytes: Array(body.utf8))
        }
    }

    private func expectRefused(_ body: String, param: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ChatRequest(bytes: Array(body.utf8))
            Issue.record("accepted: \(body)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == 400, sourceLocation: sourceLocation)
            #expect(error.body.param == param, "\(error.body.message)", sourceLocation: sourceLocation)
        }
    }
}
