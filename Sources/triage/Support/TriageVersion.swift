/// The version of this build.
enum TriageVersion {
    static let string = "0.1.0"
}
