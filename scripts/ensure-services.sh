#!/usr/bin/env bash
# Makes sure the local services named as arguments (redis, postgres) answer, starting a
# locally installed server when one is down. Stops with a one-line hint when it cannot.
set -euo pipefail

answers() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_for() { # name host port
  for _ in $(seq 1 50); do answers "$2" "$3" && return 0; sleep 0.2; done
  echo "$1 did not come up on $2:$3" >&2
  return 1
}

ensure_redis() {
  local url="${REDIS_URL:-redis://127.0.0.1:6379}"
  local hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
  local host="${hostport%:*}" port="${hostport##*:}"
  [ "$host" = "$hostport" ] && port=6379
  answers "$host" "$port" && return 0
  case "$host" in
    127.0.0.1|localhost) ;;
    *) echo "Redis at $host:$port does not answer (REDIS_URL); start it or point REDIS_URL elsewhere" >&2; return 1 ;;
  esac
  if ! command -v redis-server >/dev/null; then
    echo "Redis is not running and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL" >&2
    return 1
  fi
  echo "starting a local redis-server on port $port"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no >/dev/null
  wait_for Redis 127.0.0.1 "$port"
}

ensure_postgres() {
  answers 127.0.0.1 5432 && return 0
  if ! command -v pg_ctlcluster >/dev/null || [ ! -d /etc/postgresql ]; then
    echo "PostgreSQL is not running on 127.0.0.1:5432 and no local cluster is installed: install postgresql" >&2
    return 1
  fi
  echo "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for PostgreSQL 127.0.0.1 5432
}

for service in "$@"; do
  case "$service" in
    redis) ensure_redis ;;
    postgres) ensure_postgres ;;
    *) echo "unknown service: $service" >&2; exit 2 ;;
  esac
done
