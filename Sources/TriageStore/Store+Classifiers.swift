import Foundation

/// A stored classifier version (its model file's bytes are fetched separately).
public struct ClassifierVersion: Sendable, Equatable, Codable {
    public var version: Int64
    public var name: String
    public var createdAt: Date
    public var active: Bool
    public var bytes: Int
}

extension Store {
    /// Stores a model file as a new version and, unless told otherwise, makes it the active one;
    /// with an `actor`, the audit trail records who did.
    /// - Returns: the new version number.
    public func installClassifier(name: String, model: [UInt8], activate: Bool = true, by actor: String? = nil,
                                  now: Date = Date()) throws(StoreError) -> Int64 {
        try locked(writing: "installClassifier") { db throws(StoreError) in
            let previous = try Self.activeVersion(db)
            if activate { _ = try db.run("UPDATE classifier_models SET active = 0 WHERE active = 1") }
            _ = try db.run("INSERT INTO classifier_models(name, created_at, model, active) VALUES (?, ?, ?, ?)",
                           [.text(name), SQLiteValue(now), .blob(model), SQLiteValue(activate)])
            let version = db.lastInsertRowID
            try Self.audit(db, actor, .classifierInstall, target: "classifier v\(version)",
                           detail: "'\(name)', " + (activate ? "active, replacing \(previous.map { "v\($0)" } ?? "none")" : "installed inactive"), at: now)
            return version
        }
    }

    /// Makes an installed version the active one (a rollback, say); with an `actor`, the audit trail
    /// records who did. - Returns: false when there is no such version.
    @discardableResult
    public func activateClassifier(version: Int64, by actor: String? = nil, now: Date = Date()) throws(StoreError) -> Bool {
        try locked(writing: "activateClassifier") { db throws(StoreError) in
            guard try db.queryFirst("SELECT 1 FROM classifier_models WHERE version = ?", [.integer(version)], { $0.int(0) }) != nil else {
                return false
            }
            let previous = try Self.activeVersion(db)
            try Self.audit(db, actor, .classifierActivate, target: "classifier v\(version)",
                           detail: "replacing \(previous.map { "v\($0)" } ?? "none")", at: now)
            _ = try db.run("UPDATE classifier_models SET active = (version = ?)", [.integer(version)])
            return true
        }
    }

    private static func activeVersion(_ db: SQLiteConnection) throws(StoreError) -> Int64? {
        try db.queryFirst("SELECT version FROM classifier_models WHERE active = 1", [], { $0.int64(0) })
    }

    /// The active version's number, or nil when none is installed (cheap: polled by workers).
    public func activeClassifierVersion() throws(StoreError) -> Int64? {
        try locked("activeClassifierVersion") { db throws(StoreError) in
            try db.queryFirst("SELECT version FROM classifier_models WHERE active = 1", [], { $0.int64(0) })
        }
    }

    /// A version's model file bytes.
    public func classifierModel(version: Int64) throws(StoreError) -> [UInt8]? {
        try locked("classifierModel") { db throws(StoreError) in
            try db.queryFirst("SELECT model FROM classifier_models WHERE version = ?", [.integer(version)], { $0.blob(0) })
        }
    }

    /// Every installed version, newest first.
    public func classifierVersions() throws(StoreError) -> [ClassifierVersion] {
        try locked("classifierVersions") { db throws(StoreError) in
            try db.query("SELECT version, name, created_at, active, length(model) FROM classifier_models ORDER BY version DESC", []) { r in
                ClassifierVersion(version: r.int64(0), name: r.text(1), createdAt: r.date(2), active: r.bool(3), bytes: r.int(4))
            }
        }
    }
}
