import NIOCore
import NIOPosix
import Testing
import TriageWire

@Suite struct EventLoopTaskExecutorTests {
    @Test func aTaskThatPrefersTheLoopRunsOnItAndResumesThereAfterEachAwait() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let seen = try await Task(executorPreference: executor) { () -> [Bool] in
            var onLoop = [loop.inEventLoop]
            try await Task.sleep(for: .milliseconds(5))  // resumed by a timer elsewhere
            onLoop.append(loop.inEventLoop)
            // Resumed by a future completed on another thread.
            let other = MultiThreadedEventLoopGroup.singleton.next()
            try await other.submit { () }.get()
            onLoop.append(loop.inEventLoop)
            return onLoop
        }.value
        try await group.shutdownGracefully()
        #expect(seen == [true, true, true])
    }

    @Test func childTasksInheritThePreference() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let onLoop = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
            await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<8 { tasks.addTask { loop.inEventLoop } }
                return await tasks.reduce(true) { $0 && $1 }
            }
        }
        try await group.shutdownGracefully()
        #expect(onLoop)
    }
}
