# Turns cluster/bench's raw TSV (one line per wrk run) into the compact table and a Markdown table.
# Input columns: mode conns target rps p50 p90 p99 requests errors non2xx cpu_coord cpu_w1 cpu_w2 cpu_sim cpu_wrk seconds rss_mb
# (latencies in µs, CPU in seconds). Run with -v md=1 for Markdown.
function ms(us) { return sprintf("%.2f", us / 1000) }
function add(a, b) { d = (a - b) / 1000; return sprintf("%+.2f", d) }
function percpu(cpu, n) { return n > 0 ? sprintf("%.0f", cpu * 1e6 / n) : "-" }
NR > 1 {
  key = $1 SUBSEP $2
  if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  for (i = 4; i <= NF; i++) v[key, $3, i] = $i
}
END {
  if (md) {
    print "| mode | conns | direct req/s | direct p50/p90/p99 ms | Triage req/s | Triage p50/p90/p99 ms | added p50/p90/p99 ms | req/s ratio | errors+non-2xx | CPU µs/req coord / w1+w2 / upstream / wrk | RSS coord+workers MB |"
    print "|---|---:|---:|---|---:|---|---|---:|---:|---|---:|"
  } else {
    printf "%-9s %5s | %9s %20s | %9s %20s | %20s | %6s | %7s | %-22s | %6s\n", "mode", "conns", "direct/s", "p50/p90/p99 ms", "triage/s", "p50/p90/p99 ms", "added p50/p90/p99", "ratio", "err", "cpu µs/req c/w/up/wrk", "RSS MB"
  }
  for (k = 1; k <= n; k++) {
    key = order[k]; split(key, parts, SUBSEP)
    d4 = v[key, "direct", 4]; t4 = v[key, "triage", 4]
    dlat = ms(v[key, "direct", 5]) "/" ms(v[key, "direct", 6]) "/" ms(v[key, "direct", 7])
    tlat = ms(v[key, "triage", 5]) "/" ms(v[key, "triage", 6]) "/" ms(v[key, "triage", 7])
    added = add(v[key, "triage", 5], v[key, "direct", 5]) "/" add(v[key, "triage", 6], v[key, "direct", 6]) "/" add(v[key, "triage", 7], v[key, "direct", 7])
    ratio = d4 > 0 ? sprintf("%.3f", t4 / d4) : "-"
    errs = (v[key, "triage", 9] + v[key, "triage", 10]) "/" (v[key, "direct", 9] + v[key, "direct", 10])
    nreq = v[key, "triage", 8]
    cpu = percpu(v[key, "triage", 11], nreq) "/" percpu(v[key, "triage", 12] + v[key, "triage", 13], nreq) "/" percpu(v[key, "triage", 14], nreq) "/" percpu(v[key, "triage", 15], nreq)
    rss = v[key, "triage", 17]
    if (md) {
      printf "| %s | %s | %.0f | %s | %.0f | %s | %s | %s | %s | %s | %s |\n", parts[1], parts[2], d4, dlat, t4, tlat, added, ratio, errs, cpu, rss
    } else {
      printf "%-9s %5s | %9.0f %20s | %9.0f %20s | %20s | %6s | %7s | %-22s | %6s\n", parts[1], parts[2], d4, dlat, t4, tlat, added, ratio, errs, cpu, rss
    }
  }
}
