/// Errors raised while setting up the simulated provider.
public enum SimError: Error, Equatable, CustomStringConvertible {
    /// The replay file could not be read.
    case replayFileUnreadable(path: String, reason: String)
    /// A line of the replay file is not a valid record (line numbers start at 1).
    case replayLineInvalid(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .replayFileUnreadable(let path, let reason):
            "cannot read replay file \(path): \(reason)"
        case .replayLineInvalid(let path, let line, let reason):
            "invalid record in replay file \(path) at line \(line): \(reason)"
        }
    }
}
