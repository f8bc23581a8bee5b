/// Backoff delays with jitter: `base × 2^(retry-1)`, capped at `max`, minus a random fraction
/// (up to `jitter`) of itself, and never below `floor`.
///
/// ```
/// retry 1: base      × (1 - jitter·r)   r drawn from the injected generator in [0, 1)
/// retry 2: base × 2  × (1 - jitter·r)
/// ...      capped at max before jitter; at least floor after it
/// ```
enum Backoff {
    static func delay(retry: Int, policy: FailoverPolicy, random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let raw = min(policy.backoffBase.inSeconds * Double(1 << exponent), policy.backoffMax.inSeconds)
        let r = Double.random(in: 0..<1, using: &random)
        let jittered = raw * (1 - min(max(policy.jitter, 0), 1) * r)
        return max(Duration.seconds(double: jittered), policy.backoffFloor)
    }
}
