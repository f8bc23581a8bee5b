import NIOEmbedded
import Testing
import TriageCore
import TriageWire
@testable import TriageCoordinator

@Suite struct WorkerLinkChunkTests {
    private func link(maxStreamBuffer: Int = 1 << 20) -> (WorkerLink, EmbeddedChannel) {
        let channel = EmbeddedChannel()
        return (WorkerLink(hello: Hello(workerID: "w1", pid: 1, capacity: 8), socketPath: "/nowhere", channel: channel,
                           maxStreamBuffer: maxStreamBuffer), channel)
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
            case .clientTooSlow(let limit): "too slow \(limit)"
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

    @Test func aStreamWhoseClientFallsBehindByMoreThanTheLimitIsStopped() async throws {
        let (link, channel) = link(maxStreamBuffer: 10)
        let a = await link.send(request("a"))
        let b = await link.send(request("b"))
        link.receive(.head(id: "a", status: 200, headers: [:]))
        link.receive(.head(id: "b", status: 200, headers: [:]))
        link.receive(.chunk(id: "a", data: "aaaa"))
        link.receive(.chunk(id: "b", data: "bbbbbbbb"))
        link.readComplete()  // a: 4 bytes waiting, b: 8
        link.consumed(id: "b", bytes: 8)  // b's client took them
        link.receive(.chunk(id: "a", data: "aaaaaaa"))  // a: 11 waiting, past the limit
        link.receive(.chunk(id: "b", data: "bbbbbbbb"))  // b: 8 waiting
        link.readComplete()
        // a's worker is told to stop, as when a client goes away; b goes on.
        var written: [String] = []
        while let m = try channel.readOutbound(as: WireMessage.self) { written.append("\(m)") }
        #expect(written.filter { $0.hasPrefix("cancel") }.count == 1 && written.contains("\(WireMessage.cancel(id: "a"))"), "\(written)")
        link.receive(.chunk(id: "a", data: "late"))  // what the worker sent before it stopped is dropped
        link.receive(.end(WireEnd(id: "b", usage: nil, costUSD: "0", attempts: 1)))
        link.readComplete()
        var seenA: [LinkEvent] = []
        for await e in a { seenA.append(e) }
        var seenB: [LinkEvent] = []
        for await e in b { seenB.append(e) }
        #expect(describe(seenA) == ["head", "chunks aaaa", "too slow 10"])
        #expect(describe(seenB) == ["head", "chunks bbbbbbbb", "chunks bbbbbbbb", "end"])
        #expect(link.inFlight == 0)
        _ = try? channel.finish()
    }
}
