import Foundation

/// The answer of a model in JSON mode (OpenAI's `response_format`): a JSON object, not prose, as
/// OpenAI's models give.
///
/// - `json_object`: `{"answer": TEXT}`, the text the model would have said.
/// - `json_schema`: an object with the schema's required properties (every property when none is
///   marked), valued as a tool call's arguments are (see ``SimToolCall``): `"sim"`, `1`, `1.5`, …
/// - `text`, or no format: the prose itself.
///
/// The `ignore_response_format` behaviour answers in prose whatever the format (the fault a weak
/// model makes); a fixed `answer` is sent as it is.
enum SimJSONAnswer {
    /// The text to send for `prose` under `format`.
    static func text(_ prose: String, format: ChatRequest.ResponseFormat?) -> String {
        switch format?.type {
        case "json_object"?:
            let data = (try? JSONEncoder().encode(["answer": prose])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        case "json_schema"?:
            let schema = format?.jsonSchema?.schema
            let arguments = SimToolCall.arguments(properties: schema?.properties ?? [], required: schema?.required)
            return SimToolCall(id: "", name: "", arguments: arguments).argumentsText(malformed: false)
        default:
            return prose
        }
    }
}
