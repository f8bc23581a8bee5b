import TriageCore

// Prototypes measured next to the current code, as evidence for the recommended hot-path changes.
// They are not used by Triage; when the real code adopts the idea, drop the prototype.

/// Returns its argument through an opaque call, so loop-invariant work is not hoisted out of a benchmark loop.
@inline(never)
func opaque<T>(_ value: T) -> T { value }
