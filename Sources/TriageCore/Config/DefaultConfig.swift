/// The configuration `triage` uses when no `--config`, `TRIAGE_CONFIG` or `cluster/triage.yaml`
/// is found: the simulated provider behind a three-tier ladder, so the quick start answers
/// without any API key. `cluster/triage.yaml` holds the same text.
public enum DefaultConfig {
    public static let yaml = """
    listen: 127.0.0.1:8080
    data_dir: ./data                 # SQLite store; sockets go under run_dir (default: data_dir/run)
    providers:
      sim: {kind: sim, port: 8090, ttft_ms: 120, tpot_ms: 8}   # started by `triage up`
      # openai:    {kind: openai, base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
      # anthropic: {kind: anthropic, base_url: "https://api.anthropic.com", api_key_env: ANTHROPIC_API_KEY}
      # ollama:    {kind: openai, base_url: "http://127.0.0.1:11434/v1"}
    tiers:                           # cheapest first; climbing goes down this list
      - {name: simple,  provider: sim, model: gpt-4o-mini,       input_per_mtok: 0.15,  output_per_mtok: 0.60}
      - {name: medium,  provider: sim, model: claude-sonnet-4-5, input_per_mtok: 3.00,  output_per_mtok: 15.00}
      - {name: complex, provider: sim, model: claude-opus-4-1,   input_per_mtok: 15.00, output_per_mtok: 75.00}
    classifier: {kind: rules, simple_max_words: 20, complex_min_words: 100}
    limits: {max_body_bytes: 4194304, max_frame_bytes: 8388608}
    workers: {count: 2, capacity: 256, heartbeat_s: 1, stale_s: 5}
    auth: {required: true, admin_key_env: TRIAGE_ADMIN_KEY}    # team API keys on /v1/; admin key for /admin/
    budgets: {default_max_tokens: 4096, reservation_ttl_s: 600}   # worst case reserved per attempt
    shutdown_grace_s: 30
    shadow: {sample_rate: 0.0, max_usd_per_day: 1.0, max_concurrent: 2}   # compare sampled cheaper answers with the top tier; > 0 needs a judge: section
    """
}
