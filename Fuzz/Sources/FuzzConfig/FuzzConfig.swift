import TriageCore

/// Fuzzes the config loader (Yams, then `ConfigLoader`'s checks) on arbitrary YAML text.
///
/// Checked: no crash, hang or leak; a config it accepts has at least one tier, every tier
/// names a provider that exists, and positive limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let yaml = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let config = try? ConfigLoader.load(yaml: yaml, environment: [:], baseDirectory: "/nonexistent") else { return 0 }
    if config.tiers.isEmpty { fatalError("accepted a config without tiers") }
    for tier in config.tiers where config.providers[tier.provider] == nil {
        fatalError("tier \(tier.name) names a missing provider \(tier.provider)")
    }
    let l = config.limits
    if l.maxBodyBytes < 1024 || l.maxMessages < 1 || l.maxTokens < 1 || l.maxFrameBytes < l.maxBodyBytes + 65_536 {
        fatalError("accepted limits \(l)")
    }
    return 0
}
