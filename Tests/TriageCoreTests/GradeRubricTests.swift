import Testing
import TriageCore

@Suite struct GradeRubricTests {
    @Test func gradesAreReadOnTheOneToTenScale() throws {
        #expect(GradeRubric.parseGrade("{\"rating\": 3, \"reason\": \"wrong\"}") == 3)
        #expect(GradeRubric.parseGrade("Rating: 8/10") == 8)
        #expect(GradeRubric.parseGrade("no idea") == nil)
        #expect(GradeRubric.parseGrade("42") == nil)
        let user = try #require(GradeRubric.messages(question: "Why is the sky blue?", answer: "Rayleigh scattering.")[1]["content"]?.stringValue)
        let s = try #require(GradeRubric.sections(of: user))
        #expect(s.question == "Why is the sky blue?" && s.answer == "Rayleigh scattering.")
    }
}
