import Synchronization
import TriageCore

/// The judge quality check of one attempt (`quality_judge` on a tier): the judge grades
/// (question, answer) on ``GradeRubric``; a grade below the threshold is a quality issue. A judge
/// that fails, times out or answers no grade never fails the request: the check records why and
/// passes. The call is paid for from the team's budget (see ``JudgeBudget``): a team that cannot
/// afford its worst case gets no check (`skipped: …`); an answer is charged whether or not it
/// holds a grade.
final class QualityJudge: Sendable {
    let client: JudgeClient
    let threshold: Double
    /// Pays for the call; its ledger row (outcome `judge`) is charged under `tier`.
    let budget: JudgeBudget
    let tier: String
    private let state = Mutex(State())

    /// The longest answer a grade asks for.
    static let maxTokens = 100

    struct State {
        var usage: Usage?
        var cost = Money.zero
        /// `7/10`, or why there is no grade (`unavailable: judge timed out after 1500 ms`,
        /// `skipped: the team's budget cannot cover the judge call`).
        var note: String?
    }

    init(client: JudgeClient, threshold: Double, budget: JudgeBudget, tier: String) {
        self.client = client
        self.threshold = threshold
        self.budget = budget
        self.tier = tier
    }

    /// What the judge calls of this attempt came to (already charged to the team).
    var result: State { state.withLock { $0 } }

    /// Grades the answer. - Returns: the issue when the grade is below the threshold, else nil.
    func check(question: String, answer: String) async -> QualityIssue? {
        let user = GradeRubric.messages(question: question, answer: answer)[1]["content"]?.stringValue ?? ""
        guard let hold = await budget.reserve(client.cost(system: GradeRubric.system, user: user, maxTokens: Self.maxTokens), tier: tier) else {
            state.withLock { $0.note = "skipped: \(JudgeBudget.refusal)" }
            return nil
        }
        do throws(JudgeError) {
            let reply = try await client.ask(system: GradeRubric.system, user: user, maxTokens: Self.maxTokens)
            await budget.settle(hold, reply, outcome: "judge")
            let grade = GradeRubric.parseGrade(reply.text)
            state.withLock { s in
                s.usage = reply.usage
                s.cost += reply.cost
                s.note = grade.map { "\(Self.format($0))/10" } ?? "unavailable: no grade in the judge's reply"
            }
            guard let grade, grade < threshold else { return nil }
            return QualityIssue(.judgeLowGrade, "judge graded \(Self.format(grade))/10, below \(Self.format(threshold))")
        } catch {
            // The judge answered, uselessly: billed all the same, so charged like a grade.
            if let billed = await budget.close(hold, failure: error, outcome: "judge") {
                state.withLock { s in
                    s.usage = billed.usage
                    s.cost += billed.cost
                }
            }
            state.withLock { $0.note = "unavailable: \(error)" }
            return nil
        }
    }

    private static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String((x * 10).rounded() / 10)
    }
}
