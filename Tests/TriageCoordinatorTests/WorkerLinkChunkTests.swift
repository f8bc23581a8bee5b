import NIOEmbedded
import Testing
import TriageCore
import TriageWire
@testable import TriageCoordinator

@Suite struct WorkerLinkChunkTests {
    private func link() -> (WorkerLink, EmbeddedChannel) {
        let channel = EmbeddedChannel()
        return (WorkerLink(hello: Hello(workerID: "w1", pid: 1, capacity: 8), socketPath: "/nowhere", channel: channel), channel)
    }

    private func request(_ id: String) -> WireRequest {
        WireRequest(id: id, caller: Caller(), body: .object(["model": .string("auto")]))
    }

    private func describe(_ events: [LinkEvent]) -> [String] {
        events.map { event in
            switch event {
            case .chunks(let c): "chunks " + c.joined(separator: ",")
            case .message(.head): "head"
            case .message(.end): "end"
            case .message: "message"
            case .lost(_, let reason): "lost " + reason
            }
        }
    }

    @Test func theChunksOfOneReadBurstArriveTogetherInOrderAndBeforeTheirRequestsNextMessage() async throws {
        let (link, channel) = link()
        let a = await link.send(request("a"))
        let b = await link.send(request("b"))
        link.receive(.head(id: "a", status: 200, headers: [:]))
        link.receive(.chunk(id: "a", data: "a1"))
        link.receive(.chunk(id: "b", data: "b1"))
        link.receive(.chunk(id: "a", data: "a2"))
        link.readComplete()
        link.receive(.chunk(id: "a", data: "a3"))
        link.receive(.end(WireEnd(id: "a", usage: nil, costUSD: "0", attempts: 1)))  // a3 goes out before the end
        link.receive(.chunk(id: "b", data: "b2"))
        link.closed(reason: "gone")  // b2 goes out before the loss
        var seenA: [LinkEvent] = []
        for await e in a { seenA.append(e) }
        var seenB: [LinkEvent] = []
        for await e in b { seenB.append(e) }
        #expect(describe(seenA) == ["head", "chunks a1,a2", "chunks a3", "end"])
        #expect(describe(seenB) == ["chunks b1", "chunks b2", "lost gone"])
        _ = try? channel.finish()
    }
}
