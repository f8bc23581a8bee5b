# Sourced by cluster/bench and cluster/bench-ab: the nginx upstream (cluster/bench-lib/nginx.conf.in).

# bench_nginx_available: nginx is installed, or is installed now (Debian's nginx-light).
bench_nginx_available() {
  command -v nginx >/dev/null || triage_ensure_packages nginx-light || true
  command -v nginx >/dev/null
}

# bench_start_nginx DIR: starts nginx on a free loopback port with its files under DIR; sets
# NGINX_PORT and NGINX_PID (the master, which runs in the foreground of a background job).
bench_start_nginx() {
  local dir="$1" i
  NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  sed "s#@DIR@#$dir#g; s#@PORT@#$NGINX_PORT#g" "$TRIAGE_ROOT/cluster/bench-lib/nginx.conf.in" >"$dir/nginx.conf"
  nginx -c "$dir/nginx.conf" -p "$dir" 2>"$dir/error.log" &
  NGINX_PID=$!
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" -d '{}' && return 0
    sleep 0.05
  done
  echo "nginx did not start:" >&2; cat "$dir/error.log" >&2
  return 1
}
