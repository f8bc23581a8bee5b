extension StoreWriter {
    /// ``Store/release(reservationID:)`` on the writer: drops a reservation without charging anything.
    public func release(reservationID: Int64) async throws(StoreError) {
        try await write("release") { db throws(StoreError) in
            try Store.release(db, reservationID: reservationID)
        }
    }
}
