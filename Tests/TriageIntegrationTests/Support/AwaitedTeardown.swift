import Synchronization
import Testing

/// Awaits each integration test's teardown once the test body has returned.
///
/// Tests tear down from `defer { env.tearDown() }`, and `defer` cannot await, so a teardown that
/// waited for its processes to stop blocked one of the test process's two cooperative threads
/// (on this project's 2-core machines) while the unit tests beside it ran on what was left. Under
/// this trait ``IntegrationEnv/tearDown()`` hands its work to the test's scope and returns; the scope
/// then awaits it, in the order it was handed over, before the test counts as finished. Without the
/// trait (a test run outside ``Integration``), `tearDown()` does the work at once, blocking.
struct AwaitedTeardown: SuiteTrait, TestTrait, TestScoping {
    /// The current test's pending teardowns; nil outside the trait's scope.
    @TaskLocal static var pending: Pending?

    /// Teardowns handed over during one test.
    final class Pending: Sendable {
        private let work = Mutex<[@Sendable () async -> Void]>([])

        func add(_ teardown: @escaping @Sendable () async -> Void) {
            work.withLock { $0.append(teardown) }
        }

        /// Runs the teardowns handed over so far, oldest first.
        func run() async {
            while let next = work.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { await next() }
        }
    }

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard !test.isSuite else { return try await function() }
        let pending = Pending()
        do {
            try await Self.$pending.withValue(pending) { try await function() }
        } catch {
            await pending.run()
            throw error
        }
        await pending.run()
    }
}

extension Trait where Self == AwaitedTeardown {
    /// Each test's `IntegrationEnv.tearDown()` is awaited after the test rather than blocking a thread.
    static var awaitedTeardown: Self { AwaitedTeardown() }
}
