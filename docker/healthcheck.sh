#!/bin/bash
# Container health check for the triage image (installed as /usr/local/bin/triage-healthcheck).
# Uses only bash, so the runtime image needs no curl.
#   triage-healthcheck [PORT [PATH]]   HTTP GET http://127.0.0.1:PORT/PATH answers 200
#                                      (defaults: $TRIAGE_PORT or 8080, /healthz)
#   triage-healthcheck --worker        this container's worker socket exists under $TRIAGE_RUN_DIR
#                                      (default /run/triage); worker ids are <hostname>-<pid>
set -u
if [ "${1:-}" = "--worker" ]; then
  for s in "${TRIAGE_RUN_DIR:-/run/triage}/worker-$(hostname)-"*.sock; do
    [ -S "$s" ] && exit 0
  done
  echo "no worker socket for $(hostname) in ${TRIAGE_RUN_DIR:-/run/triage}" >&2
  exit 1
fi
port="${1:-${TRIAGE_PORT:-8080}}"
path="${2:-/healthz}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
read -r -t 5 status_line <&3 || exit 1
case "$status_line" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "GET $path: ${status_line%$'\r'}" >&2; exit 1 ;;
esac
