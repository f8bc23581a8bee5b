// The product's process shape with none of its logic: a baseline for cluster/bench-ab --floor.
//
//   TriageFloor back SOCKET UPSTREAM_URL    a worker stand-in: frames in over a Unix socket, each
//                                           body POSTed upstream with Triage's own libcurl client,
//                                           the answer framed back
//   TriageFloor front PORT_FILE SOCKET      a coordinator stand-in: Hummingbird on 127.0.0.1:0,
//                                           each POST body framed to the worker stand-in and its
//                                           answer returned
//
// Both hops are the ones Triage has (HTTP → coordinator loop → Unix socket → worker loop → curl
// thread → upstream and back), with the same libraries and the same threads; what Triage adds
// on top (auth, limits, classification, budgets, ledger, logs, metrics) is what the floor leaves out.
import Foundation

let arguments = CommandLine.arguments
switch (arguments.count, arguments.count > 1 ? arguments[1] : "") {
case (4, "back"):
    try await FloorBack.run(socketPath: arguments[2], upstreamURL: arguments[3])
case (4, "front"):
    try await FloorFront.run(portFile: arguments[2], socketPath: arguments[3])
default:
    FileHandle.standardError.write(Data("usage: TriageFloor back SOCKET UPSTREAM_URL | front PORT_FILE SOCKET\n".utf8))
    exit(2)
}
