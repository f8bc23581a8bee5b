# Shared by cluster/docker-build, docker-up, docker-scale, docker-down and docker-test (sourced, not run).
TRIAGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
TRIAGE_IMAGE="${TRIAGE_IMAGE:-triage:local}"
TRIAGE_COMPOSE_PROJECT="${TRIAGE_COMPOSE_PROJECT:-triage}"
TRIAGE_HTTP_PORT="${TRIAGE_HTTP_PORT:-8080}"
export TRIAGE_IMAGE TRIAGE_COMPOSE_PROJECT TRIAGE_HTTP_PORT

triage_docker_log() { echo "docker: $*" >&2; }

# Makes sure a Docker engine answers; where none runs, ../shared/tools/docker-up starts one.
triage_docker_engine() {
  if ! docker info >/dev/null 2>&1; then
    local up="$TRIAGE_ROOT/../shared/tools/docker-up"
    [ -x "$up" ] || { triage_docker_log "no Docker engine answers 'docker info' (and no $up)"; return 1; }
    "$up" >/dev/null || { triage_docker_log "$up failed"; return 1; }
  fi
  triage_docker_compose_cmd
}

# The local Debian 12 base image made by ../shared/tools/docker-up (for machines without a registry).
# That image is a `docker import` of a debootstrap tree whose root directory is mode 0700 (mktemp -d),
# which a non-root container user cannot traverse, and no image layer can change the mode of /. So
# when / is not 0755 this re-imports it once as <image>-rootfix, with / at 0755 and PATH set.
triage_local_base_image() {
  local image fixed c
  image="$("$TRIAGE_ROOT/../shared/tools/docker-up" | tail -n1)" || return 1
  [ "$(docker run --rm --network none --user 0 --entrypoint /bin/stat "$image" -c %a /)" = 755 ] && { echo "$image"; return; }
  fixed="${image}-rootfix"
  if ! docker image inspect "$fixed" >/dev/null 2>&1; then
    triage_docker_log "re-importing $image as $fixed with / at mode 0755"
    c="$(docker create --network none "$image" /bin/true)" || return 1
    docker export "$c" | python3 -c '
import sys, tarfile
src = tarfile.open(fileobj=sys.stdin.buffer, mode="r|")
dst = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
for m in src:
    if m.name in (".", "./", ""):
        m.mode = 0o755
    dst.addfile(m, src.extractfile(m) if m.isreg() else None)
dst.close()' | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$fixed" >/dev/null
    docker rm "$c" >/dev/null
  fi
  echo "$fixed"
}

# `docker compose` (v2) when present, else `docker-compose` (v1 >= 1.28); TRIAGE_COMPOSE overrides.
triage_docker_compose_cmd() {
  if [ -z "${TRIAGE_COMPOSE:-}" ]; then
    if docker compose version >/dev/null 2>&1; then TRIAGE_COMPOSE="docker compose"
    elif command -v docker-compose >/dev/null 2>&1; then TRIAGE_COMPOSE="docker-compose"
    else triage_docker_log "neither 'docker compose' nor 'docker-compose' is installed"; return 1; fi
  fi
  export TRIAGE_COMPOSE
}

# Runs compose on docker/docker-compose.yml in project $TRIAGE_COMPOSE_PROJECT.
# TRIAGE_CONFIG_FILE, a single file earlier versions mounted, is refused rather than ignored: the
# config's directory is mounted now (TRIAGE_CONFIG_DIR, TRIAGE_CONFIG_NAME).
triage_compose() {
  if [ -n "${TRIAGE_CONFIG_FILE:-}" ]; then
    triage_docker_log "TRIAGE_CONFIG_FILE is no longer read: set TRIAGE_CONFIG_DIR=$(dirname "$TRIAGE_CONFIG_FILE") and TRIAGE_CONFIG_NAME=$(basename "$TRIAGE_CONFIG_FILE") (the directory is mounted, so edits saved by a rename are seen)"
    return 1
  fi
  # shellcheck disable=SC2086  # TRIAGE_COMPOSE is one or two words
  $TRIAGE_COMPOSE -p "$TRIAGE_COMPOSE_PROJECT" -f "$TRIAGE_ROOT/docker/docker-compose.yml" "$@"
}

# Does an image registry answer? (Decides the default build way of cluster/docker-build.)
triage_registry_reachable() {
  local code
  code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' https://registry-1.docker.io/v2/ 2>/dev/null)" || return 1
  [ "$code" = 401 ] || [ "$code" = 200 ]
}

# Prints the coordinator's workers_ready count (empty when it does not answer).
triage_workers_ready() {
  curl -s -m 3 "http://127.0.0.1:$TRIAGE_HTTP_PORT/readyz" 2>/dev/null \
    | grep -Eo '"workers_ready" *: *[0-9]+' | grep -Eo '[0-9]+$'
}

# Waits until the coordinator reports exactly N workers ready (timeout in seconds, default 90).
triage_wait_workers() {
  local want="$1" timeout="${2:-90}" got="" i
  for ((i = 0; i < timeout * 2; i++)); do
    got="$(triage_workers_ready)"
    [ "$got" = "$want" ] && return 0
    sleep 0.5
  done
  triage_docker_log "coordinator on port $TRIAGE_HTTP_PORT reports ${got:-no answer} workers ready, wanted $want"
  return 1
}
