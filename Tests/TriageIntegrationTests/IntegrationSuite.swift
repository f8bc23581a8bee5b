import Testing

/// Every integration test runs under this suite, one test at a time: each starts real
/// `triage` processes, and the machine has two cores.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct Integration {}
