# Reads `perf script -F pid,tid,sym,dso` (with call graphs) and prints, per process, the share of its
# CPU samples whose stack contains each category of the hot path (inclusive, so shares overlap),
# plus the share whose leaf is in the kernel, malloc/free or the Swift runtime (self).
# Use: perf script -i perf.data -F pid,tid,sym,dso | awk -v names="PID=coordinator,PID=worker" -f attribute.awk
BEGIN {
  ncat = split("JSON decode (JSONDecoder, JSONValue.parse, wire frames included)|JSON encode (JSONEncoder, wire frames included)|SQLite (TriageStore, libsqlite3)|API key SHA-256 (Authenticator)|rule classifier|ChatRequest validation|logging (swift-log)|libcurl + upstream client|HTTP server (Hummingbird, NIOHTTP1)|Swift Mutex slow path", cat, "|")
  pat[1] = "JSONDecoder|JSONValueO5parse|JSONValueO4from"
  pat[2] = "JSONEncoder|JSONValueO7encoded|writeJSONEncodable"
  pat[3] = "TriageStore|libsqlite3"
  pat[4] = "SHA256"
  pat[5] = "RuleClassifier"
  pat[6] = "ChatRequestV4body"
  pat[7] = "7Logging|StreamLogHandler"
  pat[8] = "libcurl|TriageUpstream"
  pat[9] = "HummingbirdCore|NIOHTTP1"
  pat[10] = "_MutexHandle.*lockSlow"
  n = split(names, kv, ",")
  for (i = 1; i <= n; i++) { split(kv[i], q, "="); label[q[1]] = q[2] }
}
function flush() {
  if (pid == "") return
  total[pid]++
  for (c = 1; c <= ncat; c++) if (stack ~ pat[c]) hit[pid, c]++
  if (leafdso ~ /kernel/) kern[pid]++
  if (leafsym ~ /^(malloc|_int_malloc|_int_free|cfree|free|malloc_consolidate|unlink_chunk)/) mall[pid]++
  if (leafsym ~ /^(swift_retain|swift_release|swift_bridgeObjectRetain|swift_bridgeObjectRelease)/) rc[pid]++
  if (leafsym ~ /getGenericMetadata|getCache|ConcurrentReadableHashMap|swift_conformsTo/) meta[pid]++
  pid = ""; stack = ""; leafdso = ""; leafsym = ""
}
/^[^ \t]/ { flush(); split($1, a, "/"); pid = a[1]; next }
/^[ \t]+[0-9a-f]+ / {
  line = $0
  sub(/^[ \t]+[0-9a-f]+ /, "", line)
  if (leafsym == "") { leafsym = line; leafdso = line }
  stack = stack " " line
  next
}
/^$/ { flush() }
END {
  flush()
  for (pp in total) {
    name = (pp in label) ? label[pp] : "pid " pp
    printf "%s (%d samples)\n", name, total[pp]
    for (c = 1; c <= ncat; c++) printf "  %5.1f%%  %s\n", 100 * hit[pp, c] / total[pp], cat[c]
    printf "  %5.1f%%  self in the kernel (syscalls, scheduling, socket I/O)\n", 100 * kern[pp] / total[pp]
    printf "  %5.1f%%  self in malloc/free\n", 100 * mall[pp] / total[pp]
    printf "  %5.1f%%  self in retain/release\n", 100 * rc[pp] / total[pp]
    printf "  %5.1f%%  self in generic metadata / conformance lookups\n", 100 * meta[pp] / total[pp]
  }
}
