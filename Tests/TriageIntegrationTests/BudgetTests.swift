import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Teams, keys and budgets through the real cluster: auth, exact spend under concurrency,
    /// refusals before any upstream call, soft-limit capping and the admin API.
    @Suite struct BudgetTests {
        static let question = "What is the capital of France?"

        @Test func keysAreRequiredCheckedAndRevocable() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            _ = try await cluster.cli(["team", "create", "research"])
            let key = try await cluster.createKey(team: "research")
            let body = chatBody(Self.question)

            let none = try await cluster.http.post(cluster.chatURL, json: body)
            #expect(none.status == 401)
            #expect((try? none.json())?["error"]?["type"]?.stringValue == "authentication_error")
            let wrong = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer tri_00000000_" + String(repeating: "0", count: 48)])
            #expect(wrong.status == 401)
            let bearer = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(key)"])
            #expect(bearer.status == 200, "\(bearer.text)")
            let xAPIKey = try await cluster.http.post(cluster.chatURL, json: body, headers: ["x-api-key": key])
            #expect(xAPIKey.status == 200)

            // The store holds only the key's hash.
            let store = try cluster.store()
            let row = try #require(try store.keys().first)
            #expect(row.hash == SHA256.hash(Array(key.utf8)))
            let dump = try store.read { db in try db.query("SELECT prefix, hash, coalesce(name,'') FROM api_keys") { "\($0.text(0))\($0.blob(1))\($0.text(2))" } }
            #expect(!dump.joined().contains(key))

            _ = try await cluster.cli(["key", "revoke", row.prefix])
            let revoked = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(key)"])
            #expect(revoked.status == 401)
            #expect(revoked.text.contains("revoked"))

            // A key with an expiry works until then, and is refused from then on.
            await #expect(throws: HarnessError.self, "an expiry in the past is refused") { try await cluster.cli(["key", "create", "--team", "research", "--expires", "2020-01-01"]) }
            let shortLived = try await cluster.createKey(team: "research", expires: "3s")
            let created = ContinuousClock.now
            let fresh = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(shortLived)"])
            #expect(fresh.status == 200, "\(fresh.text)")
            try await Task.sleep(until: created + .milliseconds(3_300))
            let expired = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(shortLived)"])
            #expect(expired.status == 401 && expired.text.contains("expired at"), "\(expired.status) \(expired.text)")
            #expect(try await cluster.cli(["key", "list", "--team", "research"]).contains("expired"))

            // Rotation: the new key works at once, the old one through its grace only.
            let current = try await cluster.createKey(team: "research")
            let currentPrefix = String(current.split(separator: "_")[1])
            let rotated = try JSONValue.parse(Array(try await cluster.cli(["key", "rotate", currentPrefix, "--grace", "3s", "--json"]).utf8))
            let rotatedAt = ContinuousClock.now
            let next = try #require(rotated["key"]?["key"]?.stringValue)
            #expect(rotated["old_prefix"]?.stringValue == currentPrefix)
            for k in [current, next] {
                let r = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(k)"])
                #expect(r.status == 200, "\(r.text)")
            }
            #expect(try await cluster.cli(["key", "list", "--team", "research"]).contains("rotated to key"))
            await #expect(throws: HarnessError.self, "a key is rotated once") { try await cluster.cli(["key", "rotate", currentPrefix]) }
            try await Task.sleep(until: rotatedAt + .milliseconds(3_300))
            let retired = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(current)"])
            #expect(retired.status == 401 && retired.text.contains("expired at"), "\(retired.status) \(retired.text)")
            let kept = try await cluster.http.post(cluster.chatURL, json: body, headers: ["Authorization": "Bearer \(next)"])
            #expect(kept.status == 200, "\(kept.text)")
        }

        /// With leases (the default: workers reserve several attempts at once) and without (each
        /// attempt its own reservation).
        @Test(arguments: ["{reservation_ttl_s: 4}", "{reservation_ttl_s: 4, lease_attempts: 0}"])
        func concurrentClientsNeverOverspendAndTheLedgerMatchesWhatClientsWereCharged(budgets: String) async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            // A short reservation TTL so the killed worker's reservations lapse within the test.
            // (A TTL must exceed the request budget.)
            let cluster = try await env.startCluster(ClusterSpec(workers: 4, ttftMs: 40, failover: "{request_budget_s: 3}",
                                                                 authRequired: true, budgets: budgets))
            let simple = ClusterSpec.prices["simple"]!
            // The simulated provider reports exact usage; learn one request's cost, then allow about 100.
            _ = try await cluster.cli(["team", "create", "probe"])
            let probeKey = try await cluster.createKey(team: "probe")
            let probe = try await cluster.http.post(cluster.chatURL, json: maxTokensBody(), headers: ["Authorization": "Bearer \(probeKey)"])
            #expect(probe.status == 200, "\(probe.text)")
            let one = try #require(Money(decimalString: probe.headers["x-triage-cost-usd"] ?? ""))
            #expect(one.nanoUSD > 0)
            let budget = Money(nanoUSD: one.nanoUSD * 100)
            _ = try await cluster.cli(["team", "create", "tight", "--budget", budget.description, "--period", "monthly"])
            let key = try await cluster.createKey(team: "tight")
            let store = try cluster.store()
            let team = try #require(try store.team(named: "tight"))
            let simBase = try #require(cluster.simBase)
            let before = try await cluster.http.get(simBase + "/sim/attempts")
            let attemptsBefore = (try before.json())["gpt-4o-mini"]?.intValue ?? 0

            // 64 clients, 4 requests each; a worker is SIGKILLed in the middle.
            typealias Outcome = (status: Int, cost: Money?, code: String?)
            let victim = try #require(try store.workers().first { $0.id == "w1" })
            let all: [Outcome] = try await withThrowingTaskGroup(of: [Outcome].self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        var mine: [Outcome] = []
                        for _ in 0..<4 {
                            let r = try await cluster.http.post(cluster.chatURL, json: maxTokensBody(), timeout: .seconds(20),
                                                                headers: ["Authorization": "Bearer \(key)"])
                            mine.append((r.status, r.headers["x-triage-cost-usd"].flatMap(Money.init(decimalString:)), r.errorCode))
                        }
                        return mine
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(600))
                    kill(victim.pid, SIGKILL)
                    return []
                }
                var out: [Outcome] = []
                for try await part in group { out += part }
                return out
            }
            #expect(all.count == 256)
            let ok = all.filter { $0.status == 200 }
            let refused = all.filter { $0.status == 429 }
            let lost = all.filter { $0.status == 502 }
            #expect(ok.count + refused.count + lost.count == all.count, "unexpected statuses: \(Set(all.map(\.status)))")
            #expect(refused.allSatisfy { $0.code == "budget_exceeded" })
            #expect(lost.allSatisfy { $0.code == "worker_lost" })
            #expect(ok.count >= 50 && ok.count <= 100, "served \(ok.count)")
            #expect(refused.count > 0)

            // Nothing stays reserved: the dead worker's reservations are reclaimed, and what it answered
            // and journaled but never committed is charged by the same pass, before the ledger is read.
            let drained = await reservationsDrain(store, timeout: .seconds(8))
            #expect(drained, "reservations left: \((try? store.activeReservationCount(now: Date())) ?? -1)")
            let journals = SettlementJournal.directory(forStore: store.path)
            let replayed = await eventually(timeout: .seconds(8), interval: .milliseconds(100)) {
                ((try? store.unchargedSettlements(journals: journals)) ?? 1) == 0
            }
            #expect(replayed, "the dead worker's journaled settlements were never charged")
            // The budget holds: settled spend never passes it by more than one worst case.
            let worstCase = CostEstimate.worstCase(try ChatRequest(body: maxTokensBody()), price: simple, defaultMaxTokens: 4096)
            let ledger = Money(nanoUSD: try store.ledgerTotalNano(teamID: team.id))
            #expect(ledger.nanoUSD <= budget.nanoUSD + worstCase.nanoUSD, "ledger \(ledger) budget \(budget)")
            // What clients were charged is in the ledger, to the nano-dollar; a request lost with its worker
            // may have been settled without reaching its client, never the other way round.
            let charged = ok.reduce(Money.zero) { $0 + ($1.cost ?? .zero) }
            #expect(ledger >= charged)
            #expect(ledger.nanoUSD - charged.nanoUSD <= Int64(lost.count) * one.nanoUSD, "ledger \(ledger) charged \(charged)")
            // Refused requests made no upstream call.
            let after = try await cluster.http.get(simBase + "/sim/attempts")
            let upstreamCalls = ((try after.json())["gpt-4o-mini"]?.intValue ?? 0) - attemptsBefore
            #expect(upstreamCalls <= ok.count + lost.count && upstreamCalls >= ok.count, "upstream \(upstreamCalls) ok \(ok.count)")
            #expect(try store.integrityCheck() == "ok")
            // Once the budget is spent, refusals say who, how much and when it resets. What the flood
            // left of the budget allows at most `room` more answers, so a refusal comes within that many.
            let room = Int((budget.nanoUSD - (try store.ledgerTotalNano(teamID: team.id))) / one.nanoUSD) + 2
            var refusal: HTTPResult?
            for _ in 0..<max(room, 1) {
                let r = try await cluster.http.post(cluster.chatURL, json: maxTokensBody(), headers: ["x-api-key": key])
                if r.status == 429 { refusal = r; break }
            }
            let message = try #require(refusal)
            let text = (try? message.json())?["error"]?["message"]?.stringValue ?? ""
            #expect(text.contains("tight") && text.contains(budget.description) && text.contains("resets at"), "\(text)")
            #expect(Money(nanoUSD: try store.ledgerTotalNano(teamID: team.id)).nanoUSD <= budget.nanoUSD + worstCase.nanoUSD)
        }

        @Test func streamedAndWholeAnswersCostTheSameAndPastTheSoftLimitRequestsAreCapped() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true))
            _ = try await cluster.cli(["team", "create", "s", "--budget", "10", "--soft-limit", "0.5"])
            let key = try await cluster.createKey(team: "s")
            let auth = ["Authorization": "Bearer \(key)"]
            let whole = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question, model: "complex"), headers: auth)
            #expect(whole.status == 200)
            #expect(whole.headers["x-triage-tier"] == "complex")
            #expect(whole.headers["x-triage-budget-remaining-usd"] != nil)
            let streamed = try await cluster.http.stream(cluster.chatURL, json: chatBody(Self.question, model: "complex", stream: true), headers: auth)
            #expect(streamed.data.last == "[DONE]")
            let comment = try #require(streamed.comments.first { $0.hasPrefix("x-triage-cost-usd=") })
            #expect(comment.hasPrefix("x-triage-cost-usd=\(whole.headers["x-triage-cost-usd"] ?? "?") "))
            let store = try cluster.store()
            let team = try #require(try store.team(named: "s"))
            func costs() throws -> [Int64] {
                try store.read { db in try db.query("SELECT cost_nano FROM ledger WHERE team_id = ?", [.integer(team.id)]) { $0.int64(0) } }
            }
            _ = await eventually(timeout: .seconds(5)) { ((try? costs()) ?? []).count >= 2 }
            let rows = try costs()
            #expect(rows.count == 2 && rows[0] == rows[1], "\(rows)")

            // Spend the team past its soft limit, then ask for the top tier: it is capped at the cheapest.
            _ = try await cluster.cli(["team", "set", "s", "--budget", Money(nanoUSD: rows[0] * 3).description])
            try await Task.sleep(for: .milliseconds(200))  // the worker reads the change within budgets.status_cache_ms (100)
            var cappedBody = chatBody(Self.question, model: "complex")
            cappedBody["max_tokens"] = .int(32)  // a worst case that fits what is left
            let capped = try await cluster.http.post(cluster.chatURL, json: cappedBody, headers: auth)
            #expect(capped.status == 200)
            #expect(capped.headers["x-triage-budget-capped"] == "true")
            #expect(capped.headers["x-triage-tier"] == "simple")
        }

        @Test func adminAPIDoesWhatTheCLIDoesAndRefusesWithoutTheAdminKey() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let adminKey = "admin-" + UUID().uuidString
            let cluster = try await env.startCluster(ClusterSpec(workers: 1, authRequired: true, environment: ["TRIAGE_ADMIN_KEY": adminKey]))
            let admin = ["Authorization": "Bearer \(adminKey)"]
            let denied = try await cluster.http.get(cluster.base + "/admin/teams")
            #expect(denied.status == 401)
            let wrong = try await cluster.http.get(cluster.base + "/admin/teams", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)

            let created = try await cluster.http.post(cluster.base + "/admin/teams", json: .object([
                "name": .string("ops"), "budget_usd": .double(2.5), "period": .string("daily"), "soft_limit": .double(0.8),
                "rpm": .int(120), "tpm": .int(50_000)]), headers: admin)
            #expect(created.status == 201, "\(created.text)")
            #expect((try created.json())["budget_usd"]?.stringValue == "2.500000000")
            #expect((try created.json())["rpm"]?.intValue == 120)
            #expect((try created.json())["tpm"]?.intValue == 50_000)
            let badTokens = try await cluster.http.post(cluster.base + "/admin/teams", json: .object(["name": .string("x"), "tpm": .int(0)]), headers: admin)
            #expect(badTokens.status == 400, "\(badTokens.text)")
            #expect((try badTokens.json())["error"]?["param"]?.stringValue == "tpm", "\(badTokens.text)")
            let badRate = try await cluster.http.post(cluster.base + "/admin/teams", json: .object(["name": .string("x"), "rpm": .double(1.5)]), headers: admin)
            #expect(badRate.status == 400, "\(badRate.text)")
            #expect((try badRate.json())["error"]?["param"]?.stringValue == "rpm", "\(badRate.text)")
            let dup = try await cluster.http.post(cluster.base + "/admin/teams", json: .object(["name": .string("ops")]), headers: admin)
            #expect(dup.status == 409)
            let newKey = try await cluster.http.post(cluster.base + "/admin/keys", json: .object(["team": .string("ops")]), headers: admin)
            #expect(newKey.status == 201)
            let key = try #require((try newKey.json())["key"]?.stringValue)
            let served = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: ["x-api-key": key])
            #expect(served.status == 200)
            #expect(served.headers["x-ratelimit-remaining-requests"] == "119")
            #expect(served.headers["x-ratelimit-limit-tokens"] == "50000")

            // The CLI sees what the API made, and the API what the CLI made.
            #expect(try await cluster.cli(["team", "list"]).contains("ops"))
            _ = try await cluster.cli(["team", "create", "cli-made"])
            let teams = try await cluster.http.get(cluster.base + "/admin/teams", headers: admin)
            let names = (try teams.json()).arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(Set(names).isSuperset(of: ["ops", "cli-made"]))  // (`triage up` also made its demo team)
            let spend = try await cluster.http.get(cluster.base + "/admin/spend?team=ops&by=model", headers: admin)
            let rows = try #require((try spend.json()).arrayValue)
            #expect(rows.first?["group"]?.stringValue == "gpt-4o-mini")
            #expect(rows.first?["requests"]?.intValue == 1)
            let patched = try await cluster.http.request("PATCH", cluster.base + "/admin/teams/ops", json: .object(["budget_usd": .null, "rpm": .null, "tpm": .null]),
                                                         headers: admin.merging(["x-triage-actor": "ops-bot"]) { a, _ in a })
            #expect(patched.status == 200)
            #expect((try patched.json())["budget_usd"] == nil)
            let unlimited = try patched.json()
            #expect(unlimited["rpm"] == nil && unlimited["tpm"] == nil, "the rate limits are removed")
            let rotation = try await cluster.http.post(cluster.base + "/admin/keys/\(String(key.split(separator: "_")[1]))/rotate",
                                                       json: .object(["grace": .string("1h")]), headers: admin)
            #expect(rotation.status == 201, "\(rotation.text)")
            let rotatedKey = try #require((try rotation.json())["key"]?["key"]?.stringValue)
            let badGrace = try await cluster.http.post(cluster.base + "/admin/keys/\(String(rotatedKey.split(separator: "_")[1]))/rotate",
                                                       json: .object(["grace": .int(5)]), headers: admin)
            #expect(badGrace.status == 400, "\(badGrace.text)")
            // A key's own budget: set, refused when not a number, and for a key that does not exist.
            let rotatedPrefix = String(rotatedKey.split(separator: "_")[1])
            let budgeted = try await cluster.http.request("PATCH", cluster.base + "/admin/keys/\(rotatedPrefix)",
                                                          json: .object(["budget_usd": .double(5)]), headers: admin)
            let budgetedView = try budgeted.json()
            #expect(budgeted.status == 200 && budgetedView["budget_usd"]?.stringValue == "5.000000000", "\(budgeted.text)")
            #expect(budgetedView["spent_usd"]?.stringValue == served.headers["x-triage-cost-usd"],
                    "what the key it replaced spent this period counts: \(budgeted.text)")
            let badBudget = try await cluster.http.request("PATCH", cluster.base + "/admin/keys/\(rotatedPrefix)",
                                                           json: .object(["budget_usd": .string("lots")]), headers: admin)
            #expect(badBudget.status == 400 && badBudget.errorCode == "invalid_field", "\(badBudget.text)")
            let noKey = try await cluster.http.request("PATCH", cluster.base + "/admin/keys/ffffffff", json: .object(["budget_usd": .null]), headers: admin)
            #expect(noKey.status == 404, "\(noKey.text)")
            for k in [key, rotatedKey] {
                let revoke = try await cluster.http.request("DELETE", cluster.base + "/admin/keys/\(String(k.split(separator: "_")[1]))", headers: admin)
                #expect(revoke.status == 200)
                let after = try await cluster.http.post(cluster.chatURL, json: chatBody(Self.question), headers: ["x-api-key": k])
                #expect(after.status == 401)
            }

            // The audit trail names who made each change: the admin API's caller by address (and the
            // name it gives), the CLI's user; it needs the admin key too.
            #expect(try await cluster.http.get(cluster.base + "/admin/audit").status == 401)
            let audit = try await cluster.http.get(cluster.base + "/admin/audit?team=ops", headers: admin)
            #expect(audit.status == 200, "\(audit.text)")
            let entries = try #require((try audit.json()).arrayValue)
            #expect(entries.compactMap { $0["action"]?.stringValue } == ["key.revoke", "key.revoke", "key.update", "key.rotate", "team.update", "key.create", "team.create"],
                    "\(audit.text)")
            #expect(entries.compactMap { $0["actor"]?.stringValue } == ["admin-api 127.0.0.1", "admin-api 127.0.0.1", "admin-api 127.0.0.1",
                                                                      "admin-api 127.0.0.1", "admin-api 127.0.0.1 (ops-bot)", "admin-api 127.0.0.1",
                                                                      "admin-api 127.0.0.1"])
            #expect(entries[2]["detail"]?.stringValue?.hasSuffix(": budget none → $5") == true, "\(entries[2])")
            #expect(entries[4]["detail"]?.stringValue == "budget $2.5 → unlimited, rpm 120 → none, tpm 50000 → none")
            let newest = try await cluster.http.get(cluster.base + "/admin/audit?team=ops&limit=1", headers: admin)
            #expect((try newest.json()).arrayValue?.count == 1)
            #expect(try await cluster.http.get(cluster.base + "/admin/audit?limit=many", headers: admin).status == 400)
            let cliAudit = try #require(try JSONValue.parse(Array(try await cluster.cli(["audit", "--team", "cli-made", "--json"]).utf8)).arrayValue)
            #expect(cliAudit.count == 1)
            #expect(cliAudit.first?["action"]?.stringValue == "team.create")
            #expect(cliAudit.first?["actor"]?.stringValue?.hasPrefix("cli ") == true, "\(cliAudit)")
        }
    }
}

/// The France question with a small `max_tokens`, so the worst-case reservation is small.
private func maxTokensBody() -> JSONValue {
    var b = chatBody(Integration.BudgetTests.question)
    b["max_tokens"] = .int(32)
    return b
}
