/// What the simulated provider does with one chat request. Decided by ``SimAction/decide(behaviour:attempt:elapsed:)``,
/// a pure function, so fault logic is tested without sockets or clocks.
enum SimAction: Equatable, Sendable {
    /// Answer with an HTTP error status and an OpenAI-style error body.
    case fail(status: Int, retryAfter: Int?, code: String? = nil)
    /// Reset the connection before any response byte.
    case reset
    /// Never answer.
    case hang
    /// Answer normally; delays and stream faults come from the behaviour.
    case answer

    /// Decides what to do with a request.
    /// - Parameters:
    ///   - behaviour: The behaviour in force for the requested model.
    ///   - attempt: 1-based number of this request for the model since behaviours were last set or reset.
    ///   - elapsed: Time since behaviours were last set or reset (drives `down_for_seconds` cycles).
    static func decide(behaviour: SimBehaviour, attempt: Int, elapsed: Duration) -> SimAction {
        if behaviour.hang == true { return .hang }
        let inWindow = behaviour.failFirst.map { attempt <= $0 } ?? true
        if behaviour.reset == true, inWindow { return .reset }
        if let code = behaviour.failCode, inWindow {
            return .fail(status: behaviour.failStatus ?? 400, retryAfter: behaviour.retryAfter, code: code)
        }
        if let status = behaviour.failStatus, inWindow {
            return .fail(status: status, retryAfter: behaviour.retryAfter)
        }
        if let down = behaviour.downForSeconds, down > 0,
           isDown(elapsed: elapsed, down: down, up: behaviour.upForSeconds) {
            return .fail(status: behaviour.failStatus ?? 503, retryAfter: behaviour.retryAfter)
        }
        return .answer
    }

    private static func isDown(elapsed: Duration, down: Double, up: Double?) -> Bool {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard let up, up > 0 else { return seconds < down }
        return seconds.truncatingRemainder(dividingBy: down + up) < down
    }
}
