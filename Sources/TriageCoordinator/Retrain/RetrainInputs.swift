import Foundation
import TriageStore

/// What a scheduled retraining run trains on and is judged against: the logged labels
/// (``LabelMark``), the base data files (size and modification time), the active version and the
/// training settings. The same inputs train the same candidate (the run is seeded), so a candidate
/// the guardrail kept out is not trained again until they change. The record of the last one kept
/// out lives in the store (``RetrainKeptOut``), so a restarted coordinator remembers it too.
struct RetrainInputs: Sendable, Equatable {
    var labels: LabelMark
    /// Per data file: its path, size and modification time (nil when it cannot be read).
    var data: [DataFile]
    /// The version a candidate is compared with.
    var activeVersion: Int64?
    /// The retrainer's settings (``Retrainer/Options/settings``).
    var settings: String

    struct DataFile: Sendable, Equatable {
        var path: String
        var size: Int?
        var modified: Date?
    }

    /// The inputs as they are now.
    static func current(store: Store, data paths: [String], settings: String) throws(StoreError) -> RetrainInputs {
        let files = paths.map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            return DataFile(path: path, size: (attributes?[.size] as? NSNumber)?.intValue, modified: attributes?[.modificationDate] as? Date)
        }
        return RetrainInputs(labels: try store.labelMark(), data: files, activeVersion: try store.activeClassifierVersion(), settings: settings)
    }

    /// The inputs as one text, one line per kind, compared with the stored record: equal texts,
    /// equal inputs.
    var fingerprint: String {
        let l = labels
        var lines = ["labels \(l.misroutes)/\(l.lastMisrouteID) \(l.shadowVerdicts)/\(l.lastShadowID) \(l.feedback)/\(l.lastFeedbackID)"]
        for f in data {
            lines.append("data \(f.size.map(String.init) ?? "-") \(f.modified.map { "\($0.timeIntervalSince1970)" } ?? "-") \(f.path)")
        }
        lines.append("active \(activeVersion.map(String.init) ?? "-")")
        lines.append("settings \(settings)")
        return lines.joined(separator: "\n")
    }
}
