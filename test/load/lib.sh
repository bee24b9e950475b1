# Shared by the load scripts of test/load: build the binary, make throwaway databases,
# start `hexashop serve` on loopback, log in. Source it; then call load_setup (one server
# on $base) or load_prepare and load_start for several.
# Needs wrk (Debian package; installed when missing and root) and a Postgres:
# LOAD_DATABASE_URL or the local server at postgres://postgres@127.0.0.1:5432.

PORT=${PORT:-18080}
BASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
base=http://127.0.0.1:$PORT
LOAD_DBS=()
LOAD_PIDS=()

load_db_url() { local u=${BASE_URL%%\?*}; echo "${u%/*}/$1"; }
load_psql() { psql -q -v ON_ERROR_STOP=1 "$BASE_URL" -c "$1" >/dev/null; }

# load_prepare: wrk present, binary built, cleanup on exit.
load_prepare() {
  if ! command -v wrk >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
  LOAD_TMP=$(mktemp -d)
  BIN=$LOAD_TMP/hexashop
  LOG=$LOAD_TMP/server.log
  go build -o "$BIN" ./cmd/hexashop
  trap load_cleanup EXIT
  # The servers sign with a key of JWT_ALG (ES256 unless set); the yardstick of cart.sh
  # uses the former HS256 scheme, with BASELINE_SECRET.
  "$BIN" keys generate --file "$LOAD_TMP/keys.json" --alg "${JWT_ALG:-ES256}" --bits 2048 >/dev/null
  export JWT_KEYS_FILE=$LOAD_TMP/keys.json TRUSTED_PROXIES=127.0.0.1/32
  export BASELINE_SECRET=load-test-secret-0123456789abcdefghijkl
}

# load_start N PORT: a fresh database hexashop_load_<pid>_N, migrated, with the admin
# admin@example.com / load-admin-password, and a server on 127.0.0.1:PORT. Sets
# DATABASE_URL to the database's URL.
load_start() {
  local db=hexashop_load_$$_$1
  load_psql "CREATE DATABASE $db"
  LOAD_DBS+=("$db")
  DATABASE_URL=$(load_db_url "$db")
  export DATABASE_URL HTTP_ADDR=127.0.0.1:$2
  "$BIN" migrate 2>>"$LOG"
  echo 'load-admin-password' | "$BIN" admin create --email admin@example.com 2>>"$LOG"
  "$BIN" serve 2>>"$LOG" &
  LOAD_PIDS+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$2/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$2/healthz" >/dev/null || { echo "the server did not start; log:" >&2; cat "$LOG" >&2; exit 1; }
}

# load_setup: one server on $base.
load_setup() { load_prepare; load_start 0 "$PORT"; }

load_cleanup() {
  local p d
  for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }; done
  for d in "${LOAD_DBS[@]}"; do load_psql "DROP DATABASE IF EXISTS $d WITH (FORCE)" || true; done
  rm -rf "$LOAD_TMP"
}

# load_token BASE USER PASSWORD: an access token.
load_token() {
  curl -fs -X POST "$1/login" --data-urlencode "username=$2" --data-urlencode "password=$3" |
    sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}

# load_wrk ARGS...: wrk output -> "req/s p99_ms"
load_wrk() {
  wrk "$@" --latency |
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
         ms=(u=="us")?v/1000:(u=="s")?v*1000:v} END {printf "%.0f %.1f\n", rps, ms}'
}

# load_wrk_counted ARGS...: wrk output -> "req/s p99_ms bad", bad being the answers wrk
# counts as errors (status 400 and above) plus socket errors.
load_wrk_counted() {
  wrk "$@" --latency |
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
         ms=(u=="us")?v/1000:(u=="s")?v*1000:v}
         /Non-2xx or 3xx responses:/ {bad+=$NF}
         /Socket errors:/ {for (i = 3; i <= NF; i++) { n=$i; gsub(/,/,"",n); if (n ~ /^[0-9]+$/) bad+=n }}
         END {printf "%.0f %.1f %d\n", rps, ms, bad}'
}
