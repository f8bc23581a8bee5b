import Foundation
import Testing

extension Integration {
    /// The helpers of the cluster scripts (`cluster/lib/common.sh`), run by bash as the scripts run them.
    @Suite struct ChaosScriptTests {
        static func bash(_ script: String, env: IntegrationEnv) async throws -> (status: Int32, output: String) {
            try await ChildProcess.run(executable: "/bin/bash", arguments: ["-c", "set -uo pipefail; source \"$0\"; " + script,
                                                                      TriageBinary.repoRoot + "/cluster/lib/common.sh"],
                                 logPath: env.dir.file("bash-\(UUID().uuidString.prefix(8)).log"), timeout: .seconds(20))
        }

        /// cluster/chaos picks the worker to kill with `triage_pick_pid`: with no worker process at
        /// that moment it waits for one (it divided by zero, and the kill silently did not happen).
        @Test func pickingAPidWaitsForOneAndFailsCleanlyWhenThereIsNone() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let some = try await Self.bash("triage_pick_pid 4 1 printf '11\\n22\\n33\\n'", env: env)
            #expect(some.status == 0 && some.output == "22\n", "\(some)")

            let t0 = ContinuousClock.now
            let none = try await Self.bash("triage_pick_pid 4 5 true", env: env)
            #expect(none.status == 1 && none.output.isEmpty, "no pid, no division by zero: \(none)")
            #expect(t0.duration(to: .now) >= .milliseconds(500), "it retried")

            // Listed from the fourth try on: it waits, then picks.
            let counter = env.dir.file("tries")
            let late = try await Self.bash("""
                lister() { local n; n=$(cat '\(counter)' 2>/dev/null || echo 0); echo $((n + 1)) >'\(counter)'; [ "$n" -ge 3 ] && echo 77; true; }
                triage_pick_pid 9 50 lister
                """, env: env)
            #expect(late.status == 0 && late.output == "77\n", "\(late)")
            #expect((try? String(contentsOfFile: counter, encoding: .utf8)) == "4\n")
        }
    }
}
