import TriageCore
import TriageWire

/// The first reply to a relayed request, and the rest of its reply stream.
struct RelayedReply {
    var first: WireMessage
    /// The rest of the replies; iterate it only after `relay` returned.
    var stream: AsyncStream<LinkEvent>
    var link: WorkerLink
}

extension WorkerPool {
    /// Sends a request to the least-loaded worker and waits for its first reply
    /// (`response`, `head` or `error`).
    ///
    /// If the worker is lost before it sent the request upstream, the request is retried once
    /// on another worker; once it has gone upstream, a lost worker is a clean `worker_lost`
    /// error: never a duplicate upstream call.
    func relay(_ request: WireRequest, onLink: (WorkerLink) -> Void = { _ in }) async throws(TriageError) -> RelayedReply {
        var excluded: Set<String> = []
        var retried = false
        while true {
            var picked = pick(excluding: excluded)
            if picked == nil { picked = await waitForWorker(excluding: excluded, timeout: .seconds(3)) }
            guard let link = picked else { throw .noWorkers }
            onLink(link)
            let stream = await link.send(request)
            var events = stream.makeAsyncIterator()
            var lostReason = "the worker closed the request without answering"
            var sentUpstream = false
            while let event = await events.next() {
                switch event {
                case .message(.sent):
                    continue
                case .chunks, .clientTooSlow:
                    // A worker sends a stream's head before its chunks: this one broke the protocol.
                    throw .workerLost("worker \(link.workerID) sent stream chunks before their head")
                case .message(let message):
                    return RelayedReply(first: message, stream: stream, link: link)
                case .lost(let sent, let reason):
                    lostReason = reason
                    sentUpstream = sent
                }
            }
            if sentUpstream || retried {
                throw .workerLost(lostReason)
            }
            retried = true
            excluded.insert(link.workerID)
        }
    }
}
