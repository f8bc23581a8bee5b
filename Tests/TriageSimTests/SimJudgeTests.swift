import Foundation
import HummingbirdTesting
import NIOCore
import Testing
@testable import TriageSim

@Suite struct SimJudgeTests {
    static func judgeBody(_ query: String, system: String = "[triage-judge] triage.complexity.v1\nRate it.") -> ByteBuffer {
        let body: [String: Any] = ["model": "judge-mini", "messages": [["role": "system", "content": system], ["role": "user", "content": query]]]
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: body))
    }

    @Test func ratingsAreDerivedFromTheQuery() {
        #expect(SimJudge.rating("What is the capital of France?") == 1)
        #expect(SimJudge.rating("Prove that there are infinitely many primes.") == 4)
        #expect(SimJudge.rating(Substring(String(repeating: "word ", count: 45))) == 3)
        #expect(SimJudge.rating(Substring(String(repeating: "design ", count: 400))) == 10)
        #expect(SimJudge.rating("anything sim-rating=8 here") == 8)
        #expect(SimJudge.rating("sim-rating=0 is off the scale") == 1)
    }

    @Test func answersAsAJudgeOnlyWithTheMarker() async throws {
        try await SimTest.app().test(.router) { client in
            let judged = try SimTest.decode(Completion.self, try await SimTest.chat(client, Self.judgeBody("Prove Fermat's little theorem.")).body)
            #expect(judged.choices[0].message.content == "{\"rating\": 4}")
            let again = try SimTest.decode(Completion.self, try await SimTest.chat(client, Self.judgeBody("Prove Fermat's little theorem.")).body)
            #expect(again.choices[0].message.content == judged.choices[0].message.content)
            let plain = try SimTest.decode(Completion.self, try await SimTest.chat(client, Self.judgeBody("Prove Fermat's little theorem.", system: "You are helpful.")).body)
            #expect(!plain.choices[0].message.content.contains("rating"))
        }
    }

    @Test func aFixedAnswerOverridesTheRating() async throws {
        try await SimTest.app().test(.router) { client in
            try await SimTest.setBehaviours(client, #"{"judge-mini": {"answer": "no idea"}}"#)
            let judged = try SimTest.decode(Completion.self, try await SimTest.chat(client, Self.judgeBody("What is 2+2?")).body)
            #expect(judged.choices[0].message.content == "no idea")
        }
    }
}
