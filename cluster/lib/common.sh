# Shared by the cluster/ scripts: repo root, Debian packages, Swift on PATH.
TRIAGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"

# Installs the Debian packages Triage builds against when any is missing.
triage_ensure_packages() {
  local need=()
  for pkg in libsqlite3-dev libcurl4-openssl-dev "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  echo "triage: installing ${need[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

# triage_pick_pid PICK TRIES COMMAND...: prints the pid numbered PICK (modulo their count) among the
# pids COMMAND lists, one a line; while it lists none (a killed worker not yet restarted), retries
# every 0.1 s, TRIES times in all. Returns 1 when it never listed one.
triage_pick_pid() {
  local pick="$1" tries="$2" i
  shift 2
  local pids=()
  for ((i = 0; i < tries; i++)); do
    mapfile -t pids < <("$@")
    if [ "${#pids[@]}" -gt 0 ]; then
      echo "${pids[$((pick % ${#pids[@]}))]}"
      return 0
    fi
    sleep 0.1
  done
  return 1
}
