/// A configuration problem, naming the field (`tiers[1].input_per_mtok`) and what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.isEmpty ? "config: \(problem)" : "config: \(field): \(problem)"
    }
}
