import Foundation
import Testing
import TriageCore
import TriageStore

extension Integration {
    /// Prompt tokens a provider serves from its prompt cache cost less, and Anthropic's cache
    /// writes more, than other input: a team is charged what the provider bills, whole answers and
    /// streams alike, through both adapters, and the client sees the cached count in `usage`.
    @Suite struct PromptCachePricingTests {
        typealias W = FaultWorld

        /// A long question (the rules send it to the cheap tier when asked for `auto`; these name tiers).
        static let question = "Summarise this note for me. " + String(repeating: "The quarterly report lists revenue by region and product line. ", count: 40)

        @Test func cachedAndWrittenPromptTokensAreChargedAtTheirPrices() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env, faults: [W.simple: #""cached_tokens": 384"#, W.medium: #""cached_tokens": 384, "cache_write_tokens": 64"#],
                                      configure: AnthropicFaultTests.anthropicMedium)
            let store = try w.cluster.store()
            var billedUsages: [Usage] = []

            for (tier, model, written) in [("simple", W.simple, 0), ("medium", W.medium, 64)] {
                let price = try #require(ClusterSpec.prices[tier])
                let r = try await w.cluster.http.post(w.cluster.chatURL, json: chatBody(Self.question, model: tier))
                #expect(r.status == 200 && r.headers["x-triage-model"] == model, "\(r.text)")
                let usage = try r.json()["usage"]
                let prompt = try #require(usage?["prompt_tokens"]?.intValue)
                #expect(prompt > 448, "the cache counts are part of a longer prompt: \(prompt)")
                #expect(usage?["prompt_tokens_details"]?["cached_tokens"]?.intValue == 384, "\(tier): \(usage.map { "\($0)" } ?? "nil")")
                let billed = Usage(promptTokens: prompt, completionTokens: W.answerTokens, cachedTokens: 384, cacheWriteTokens: written)
                let cost = price.cost(billed)
                #expect(cost < price.cost(promptTokens: prompt, completionTokens: W.answerTokens), "\(tier): cache reads are cheaper")
                #expect(r.headers["x-triage-cost-usd"] == cost.description, "\(tier): \(r.headers["x-triage-cost-usd"] ?? "nil") != \(cost)")
                let id = try #require(r.headers["x-triage-request-id"])
                let rows = try await store.ledgerRows(request: id, summingTo: cost.nanoUSD)
                #expect(rows.map(\.cost) == [cost.nanoUSD], "\(tier): the ledger charges what the header says")
                // The ledger and the request log keep the cache counts the charge was priced from.
                let kept = try store.read { db in
                    try db.queryFirst("SELECT cached_tokens, cache_write_tokens FROM ledger WHERE request_id = ?", [.text(id)]) { [$0.int(0), $0.int(1)] }
                }
                #expect(kept == [384, written], "\(tier) ledger: \(kept.map { "\($0)" } ?? "nil")")
                let logged = await eventually(timeout: .seconds(5)) { (try? store.request(id: id))?.cachedTokens == 384 }
                let loggedWrites = try store.request(id: id)?.cacheWriteTokens
                #expect(logged && loggedWrites == written, "\(tier) request log")
                billedUsages += [billed, billed]  // this answer, and the stream below with the same prompt

                var body = chatBody(Self.question, model: tier, stream: true)
                body["stream_options"] = .object(["include_usage": .bool(true)])
                let s = try await w.cluster.http.stream(w.cluster.chatURL, json: body)
                #expect(s.status == 200 && s.sawDone, "\(s.raw)")
                let streamed = s.chunks.compactMap { $0["usage"] }.last
                #expect(streamed?["prompt_tokens_details"]?["cached_tokens"]?.intValue == 384, "\(tier) stream: \(streamed.map { "\($0)" } ?? "nil")")
                #expect(s.trailer["x-triage-cost-usd"] == cost.description, "\(tier) stream: \(s.comments)")
            }

            // The report prices "all on the top tier" with the top tier's cache prices for the same prompts.
            let allTop = billedUsages.reduce(Money.zero) { $0 + ClusterSpec.prices["complex"]!.cost($1) }
            let report = await eventually(timeout: .seconds(5)) {
                ((try? await w.cluster.cli(["report"])) ?? "").contains("would have cost $\(allTop)")
            }
            let out = try await w.cluster.cli(["report"])
            #expect(report, "expected $\(allTop) in:\n\(out)")
            #expect(out.contains("cached in"), "\(out)")

            // Metrics count what the provider's cache served and took, by tier (an answer and a stream each).
            let metrics = try await ObservabilityTests.scrape(w.cluster)
            #expect(metrics.sum("triage_prompt_cache_tokens_total", ["kind": "read", "tier": "simple"]) == 768)
            #expect(metrics.sum("triage_prompt_cache_tokens_total", ["kind": "read", "tier": "medium"]) == 768)
            #expect(metrics.sum("triage_prompt_cache_tokens_total", ["kind": "write", "tier": "medium"]) == 128)
            #expect(metrics.sum("triage_prompt_cache_tokens_total", ["kind": "write", "tier": "simple"]) == 0)
        }

        /// `prompt_cache: auto` on an Anthropic provider: a client in OpenAI's shape, which has no
        /// way to mark its prompt, gets Claude's prompt caching. The simulated Messages API caches
        /// marked prefixes as Anthropic does (written once, then read for five minutes).
        @Test func autoPromptCacheMakesARepeatedPrefixCheaperOnAnAnthropicTier() async throws {
            let env = try IntegrationEnv()
            defer { env.tearDown() }
            let w = try await W.start(env) { spec, sim in
                spec.extraProviders["anthropic"] = "{kind: anthropic, base_url: \"\(sim.base)\", prompt_cache: auto}"
                spec.tierProviders["medium"] = "anthropic"
            }
            let price = try #require(ClusterSpec.prices["medium"])
            let instructions = "You are the support agent for a bank. " + String(repeating: "Follow the policy on refunds, disputes and fees closely. ", count: 80)
            func ask(_ question: String, stream: Bool = false) -> JSONValue {
                var body = chatBody(question, model: "medium", stream: stream)
                body["messages"] = .array([.object(["role": .string("system"), "content": .string(instructions)])] + (body["messages"]?.arrayValue ?? []))
                if stream { body["stream_options"] = .object(["include_usage": .bool(true)]) }
                return body
            }

            let first = try await w.cluster.http.post(w.cluster.chatURL, json: ask("Can I get my card fee back?"))
            #expect(first.status == 200 && first.headers["x-triage-model"] == W.medium, "\(first.text)")
            let u1 = try #require(Usage(openAI: try first.json()["usage"]))
            #expect(u1.cacheWriteTokens >= 1024 && u1.cachedTokens == 0, "first: the instructions are written to the cache: \(u1)")
            #expect(first.headers["x-triage-cost-usd"] == price.cost(u1).description)

            let second = try await w.cluster.http.post(w.cluster.chatURL, json: ask("How do I dispute a payment?"))
            let u2 = try #require(Usage(openAI: try second.json()["usage"]))
            #expect(u2.cachedTokens >= 1024, "second: the instructions are read from the cache: \(u2)")
            #expect(second.headers["x-triage-cost-usd"] == price.cost(u2).description)
            let secondCost = try #require(second.headers["x-triage-cost-usd"].flatMap(Double.init))
            let uncached = Double(price.cost(promptTokens: u2.promptTokens, completionTokens: u2.completionTokens).nanoUSD) / 1e9
            #expect(secondCost < uncached * 0.5, "most of the prompt at a tenth of the price: \(secondCost) vs \(uncached)")

            let s = try await w.cluster.http.stream(w.cluster.chatURL, json: ask("Which fees can be refunded?", stream: true))
            #expect(s.status == 200 && s.sawDone, "\(s.raw)")
            let u3 = try #require(Usage(openAI: s.chunks.compactMap { $0["usage"] }.last))
            #expect(u3.cachedTokens >= 1024, "streamed too: \(u3)")
            #expect(s.trailer["x-triage-cost-usd"] == price.cost(u3).description, "\(s.comments)")
        }
    }
}
