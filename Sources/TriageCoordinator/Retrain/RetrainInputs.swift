import Foundation
import Synchronization
import TriageStore

/// What a scheduled retraining run trains on: the logged labels (``LabelMark``) and the base data
/// files (size and modification time). The same inputs train the same candidate (the run is
/// seeded), so a candidate the guardrail kept out is not trained again until they change.
struct RetrainInputs: Sendable, Equatable {
    var labels: LabelMark
    /// Per data file: its path, size and modification time (nil when it cannot be read).
    var data: [DataFile]

    struct DataFile: Sendable, Equatable {
        var path: String
        var size: Int?
        var modified: Date?
    }

    /// The inputs as they are now.
    static func current(store: Store, data paths: [String]) throws(StoreError) -> RetrainInputs {
        let files = paths.map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            return DataFile(path: path, size: (attributes?[.size] as? NSNumber)?.intValue, modified: attributes?[.modificationDate] as? Date)
        }
        return RetrainInputs(labels: try store.labelMark(), data: files)
    }

    /// The inputs of the last candidate the guardrail kept out, and its verdict; cleared when a
    /// candidate is installed.
    final class KeptOut: Sendable {
        private let last = Mutex<(inputs: RetrainInputs, verdict: String)?>(nil)

        /// The verdict of the candidate kept out on exactly these inputs, if any.
        func verdict(for inputs: RetrainInputs) -> String? {
            last.withLock { $0.flatMap { $0.inputs == inputs ? $0.verdict : nil } }
        }

        /// Records a run's outcome: kept out (`installed` false) on `inputs`, or installed.
        func record(_ inputs: RetrainInputs, verdict: String, installed: Bool) {
            last.withLock { $0 = installed ? nil : (inputs, verdict) }
        }
    }
}
