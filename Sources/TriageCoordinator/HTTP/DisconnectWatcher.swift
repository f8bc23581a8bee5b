import NIOCore
import Synchronization

/// Calls back when a client connection closes, for the requests running on it.
///
/// One close callback per connection (not per request), so keep-alive connections that carry
/// many requests do not pile up callbacks.
final class DisconnectWatcher: Sendable {
    typealias Action = @Sendable () -> Void
    private let watched = Mutex<[ObjectIdentifier: [String: Action]]>([:])

    /// Runs `action` if `channel` closes before `unwatch` is called for `id`.
    func watch(_ channel: any Channel, id: String, action: @escaping Action) {
        let key = ObjectIdentifier(channel)
        let isNew = watched.withLock { w -> Bool in
            let isNew = w[key] == nil
            w[key, default: [:]][id] = action
            return isNew
        }
        if isNew {
            channel.closeFuture.whenComplete { _ in
                let actions = self.watched.withLock { $0.removeValue(forKey: key) } ?? [:]
                actions.values.forEach { $0() }
            }
        }
        if !channel.isActive {
            let actions = watched.withLock { $0.removeValue(forKey: key) } ?? [:]
            actions.values.forEach { $0() }
        }
    }

    func unwatch(_ channel: any Channel, id: String) {
        let key = ObjectIdentifier(channel)
        watched.withLock { w in
            guard w[key] != nil else { return }
            w[key]![id] = nil
        }
    }
}
