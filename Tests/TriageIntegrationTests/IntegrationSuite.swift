import Testing

/// Every integration test runs under this suite, one test at a time: each starts real
/// `triage` processes, and the machine has two cores. Each test's teardown is awaited after it
/// (``AwaitedTeardown``).
@Suite(.serialized, .timeLimit(.minutes(1)), .awaitedTeardown)
struct Integration {}
