import Testing
import TriageCore

@Suite struct ConfigReloadPlanTests {
    static let base = try! ConfigLoader.load(yaml: DefaultConfig.yaml)

    @Test func anUnchangedFileChangesNothing() {
        let plan = ConfigReloadPlan(from: Self.base, to: Self.base)
        #expect(plan.isEmpty && plan.needsCoordinatorRestart.isEmpty && plan.refused.isEmpty)
    }

    @Test func pricesTiersAliasesAndRequestLimitsApplyWithoutACoordinatorRestart() {
        var new = Self.base
        new.tiers[0].price = Price(inputPerMTok: 1.5, outputPerMTok: 6)
        new.limits.maxBodyBytes = 4096
        new.failover.holdBackTokens = 8
        new.aliases = ["gpt-4o": "auto"]
        let plan = ConfigReloadPlan(from: Self.base, to: new)
        #expect(plan.changed == ["tiers", "aliases", "limits.max_body_bytes", "failover"])
        #expect(plan.needsCoordinatorRestart.isEmpty && plan.refused.isEmpty)

        let applied = ConfigReloadPlan.coordinatorConfig(Self.base, applying: new)
        #expect(applied.tiers == new.tiers && applied.limits.maxBodyBytes == 4096 && applied.failover == new.failover)
        #expect(applied.ladder.aliases == ["gpt-4o": "auto"])
    }

    @Test func whatTheCoordinatorUsesItselfWaitsForItsRestartAndKeepsTheOldValueMeanwhile() {
        var new = Self.base
        new.listen = HostPort(host: "0.0.0.0", port: 9000)
        new.auth.required = false
        new.limits.maxFrameBytes = 1 << 20
        new.workers.capacity = 8
        let plan = ConfigReloadPlan(from: Self.base, to: new)
        #expect(plan.needsCoordinatorRestart == ["listen", "limits.max_frame_bytes", "workers", "auth"])
        #expect(plan.refused.isEmpty)

        let applied = ConfigReloadPlan.coordinatorConfig(Self.base, applying: new)
        #expect(applied.listen == Self.base.listen && applied.auth == Self.base.auth)
        #expect(applied.limits.maxFrameBytes == Self.base.limits.maxFrameBytes && applied.workers == Self.base.workers)
    }

    @Test func aSimulatedProviderIsAProcessOfItsOwnAndTakesChangesWhenItRestarts() throws {
        var new = Self.base
        let sim = try #require(new.providers.first { $0.value.kind == .sim }?.key)
        new.providers[sim]?.tpotMs = 99
        let plan = ConfigReloadPlan(from: Self.base, to: new)
        #expect(plan.changed == ["providers.\(sim)"] && plan.needsCoordinatorRestart == ["providers.\(sim)"])
    }

    @Test func anotherStoreOrSocketDirectoryRefusesTheReload() {
        var new = Self.base
        new.dataDir = "/elsewhere"
        new.runDir = "/elsewhere/run"
        new.tiers[0].price = Price(inputPerMTok: 1, outputPerMTok: 1)
        let plan = ConfigReloadPlan(from: Self.base, to: new)
        #expect(plan.refused == ["data_dir", "run_dir"])
    }
}
