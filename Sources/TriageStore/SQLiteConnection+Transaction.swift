import CSQLite

extension SQLiteConnection {
    /// Runs `body` inside a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// Writers should pass `immediate: true` (`BEGIN IMMEDIATE`): the write lock is taken up
    /// front, waiting up to the busy timeout, instead of failing with `SQLITE_BUSY` when a
    /// read transaction later tries to upgrade.
    /// - Parameters:
    ///   - immediate: `BEGIN IMMEDIATE` when `true`, `BEGIN DEFERRED` otherwise.
    ///   - body: The work to do inside the transaction.
    /// - Returns: What `body` returned.
    @discardableResult
    public func transaction<T>(immediate: Bool, _ body: () throws -> T) throws -> T {
        // BEGIN and COMMIT go through the statement cache (`run`), not `exec`, which parses them on every call.
        try run(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        let result: T
        do {
            result = try body()
        } catch {
            // A failed ROLLBACK (for example after SQLite already rolled back) must not hide `error`.
            if !isAutocommit { try? exec("ROLLBACK") }
            throw error
        }
        do {
            try run("COMMIT")
        } catch {
            if !isAutocommit { try? exec("ROLLBACK") }
            throw error
        }
        return result
    }

    /// ``transaction(immediate:_:)`` for a body that throws only ``StoreError``.
    func typedTransaction<T>(immediate: Bool,
                               _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        do {
            return try transaction(immediate: immediate) { () throws -> T in try body() }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: SQLITE_ERROR, message: "\(error)", operation: "transaction")
        }
    }
}
