# Shared by the load scripts of test/load: build the binary, make a throwaway database,
# start `hexashop serve` on loopback, log in. Source it; then call load_setup.
# Needs wrk (Debian package; installed when missing and root) and a Postgres:
# LOAD_DATABASE_URL or the local server at postgres://postgres@127.0.0.1:5432.

PORT=${PORT:-18080}
BASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=http://127.0.0.1:$PORT

load_db_url() { local u=${BASE_URL%%\?*}; echo "${u%/*}/$1"; }
load_psql() { psql -q -v ON_ERROR_STOP=1 "$BASE_URL" -c "$1" >/dev/null; }

# load_setup: wrk present, binary built, fresh database migrated, admin created, server
# started (its environment: whatever the caller exported plus the settings below).
load_setup() {
  if ! command -v wrk >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
  LOAD_TMP=$(mktemp -d)
  BIN=$LOAD_TMP/hexashop
  LOG=$LOAD_TMP/server.log
  DB=hexashop_load_$$
  go build -o "$BIN" ./cmd/hexashop
  load_psql "CREATE DATABASE $DB"
  trap load_cleanup EXIT
  export DATABASE_URL; DATABASE_URL=$(load_db_url "$DB")
  export JWT_SECRET=load-test-secret-0123456789abcdefghijkl
  export HTTP_ADDR=127.0.0.1:$PORT TRUSTED_PROXIES=127.0.0.1/32
  "$BIN" migrate 2>>"$LOG"
  echo 'load-admin-password' | "$BIN" admin create --email admin@example.com 2>>"$LOG"
  "$BIN" serve 2>>"$LOG" &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs "$base/healthz" >/dev/null || { echo "the server did not start; log:" >&2; cat "$LOG" >&2; exit 1; }
}

load_cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  load_psql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$LOAD_TMP"
}

# load_token USER PASSWORD: an access token.
load_token() {
  curl -fs -X POST "$base/login" --data-urlencode "username=$1" --data-urlencode "password=$2" |
    sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}

# load_wrk ARGS...: wrk output -> "req/s p99_ms"
load_wrk() {
  wrk "$@" --latency |
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
         ms=(u=="us")?v/1000:(u=="s")?v*1000:v} END {printf "%.0f %.1f\n", rps, ms}'
}
