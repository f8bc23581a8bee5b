import Foundation
import Logging
import TriageCore
import TriageStore
import TriageWire

extension LadderRunner {
    /// Hands an answered request to the shadow runner (it returns at once; the comparison, if
    /// sampled, runs after the client has its answer, on a task of its own).
    func offerShadow(request: WireRequest, chat: ChatRequest, outcome: Outcome) {
        guard let shadow else { return }
        shadow.offer(status: outcome.status, outcome.answer.flatMap { answer in
            outcome.tierIndex.map { i in
                ShadowRunner.Answered(request: request, chat: chat, tierIndex: i, answer: answer,
                                      answerTokens: outcome.usage?.completionTokens ?? (answer.utf8.count + 3) / 4,
                                      score: outcome.decision?.score)
            }
        }, tierIndex: outcome.tierIndex)
    }
}
