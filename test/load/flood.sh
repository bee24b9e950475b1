#!/usr/bin/env bash
# Login-flood load run (issue "Overload and abuse"): does a flood of valid logins starve the
# other requests? Loopback only, bounded in time (about 6 x DURATION seconds).
#
#   make bench-load                      # or: test/load/flood.sh
#   DURATION=10 BCRYPT_COST=10 test/load/flood.sh
#   PASSWORD_NICE=0 PASSWORD_CONCURRENCY=1 test/load/flood.sh   # compare admission settings
#
# Needs wrk (Debian package; installed when missing and root) and a Postgres: LOAD_DATABASE_URL
# or the local server at postgres://postgres@127.0.0.1:5432. It creates and drops its own
# database. Prints one table: GET /products p99 and rate idle vs under a 32-connection
# login flood from rotating client addresses, the logins served meanwhile, and the login
# rate alone against the machine's bcrypt bound. Copy the table into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10}
READ_CONNS=${READ_CONNS:-8}
FLOOD_CONNS=${FLOOD_CONNS:-32}
PORT=${PORT:-18080}
export BCRYPT_COST=${BCRYPT_COST:-10}
BASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=hexashop_load_$$
BIN=$(mktemp -d)/hexashop
LOG=$(mktemp)

if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
db_url() { local u=${BASE_URL%%\?*}; echo "${u%/*}/$1"; }
psql_admin() { psql -q -v ON_ERROR_STOP=1 "$BASE_URL" -c "$1" >/dev/null; }

go build -o "$BIN" ./cmd/hexashop
psql_admin "CREATE DATABASE $DB"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$(dirname "$BIN")"
}
trap cleanup EXIT

export DATABASE_URL; DATABASE_URL=$(db_url "$DB")
export JWT_SECRET=load-test-secret-0123456789abcdefghijkl
export HTTP_ADDR=127.0.0.1:$PORT TRUSTED_PROXIES=127.0.0.1/32
# The flood's logins succeed, so the account throttle never counts them; the per-address
# budget would not matter either (every request has its own address).
"$BIN" migrate 2>>"$LOG"
echo 'load-admin-password' | "$BIN" admin create --email admin@example.com 2>>"$LOG"
"$BIN" serve 2>>"$LOG" &
pid=$!
base=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

token() {
  curl -fs -X POST "$base/login" -d "username=$1&password=$2" | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}
curl -fs -X POST "$base/user" -H 'Content-Type: application/json' \
  -d '{"name":"Flood","email":"flood@example.com","password":"flood-password"}' >/dev/null
admin=$(token admin%40example.com load-admin-password)
cat_id=$(curl -fs -X POST "$base/products/category" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"name":"Load"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
for i in $(seq 20); do
  curl -fs -X POST "$base/products" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Product $i\",\"price_cents\":$((i * 100)),\"stock\":100,\"category_id\":$cat_id}" >/dev/null
done

# reads: wrk output -> "req/s p99_ms"
reads() {
  wrk -t2 -c"$READ_CONNS" -d"${DURATION}s" --latency "$base/products" |
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
         ms=(u=="us")?v/1000:(u=="s")?v*1000:v} END {printf "%.0f %.1f\n", rps, ms}'
}
# logins for $1 seconds: -> "ok/s busy throttled"
logins() {
  wrk -t2 -c"$FLOOD_CONNS" -d"${1}s" -s test/load/login.lua "$base/login" |
    awk '/^STATUS/ {split($2,a,"="); split($3,b,"="); split($4,c,"="); split($6,d,"=");
         printf "%.1f %d %d\n", a[2]/d[2], b[2], c[2]}'
}

reads >/dev/null # warm-up
read -r idle_rps idle_p99 < <(reads)
logins $((DURATION + 4)) >"$LOG.flood" &
flood=$!
sleep 2
read -r flood_rps flood_p99 < <(reads)
wait "$flood"
read -r flood_logins flood_busy flood_throttled <"$LOG.flood"
read -r alone_logins alone_busy _ < <(logins "$DURATION")
# The bound: every CPU doing nothing but bcrypt comparisons at this cost, all at once.
ns=$(go test -run '^$' -bench "BenchmarkCompare/cost=$BCRYPT_COST" -benchtime 60x -cpu "$(nproc)" ./adapters/bcrypt |
  awk '/ns\/op/ && !n {n=$3} END {print n}')
bound=$(awk -v ns="$ns" 'BEGIN {printf "%.1f", 1e9 / ns}')

settings="BCRYPT_COST=$BCRYPT_COST PASSWORD_CONCURRENCY=${PASSWORD_CONCURRENCY:-default} PASSWORD_NICE=${PASSWORD_NICE:-default} PASSWORD_QUEUE_TIMEOUT=${PASSWORD_QUEUE_TIMEOUT:-default}"
echo
echo "login flood ($settings; $(nproc) CPUs, ${DURATION}s runs)"
echo
echo "| measure | value |"
echo "|---|---|"
echo "| GET /products, $READ_CONNS conns, idle: req/s, p99 | $idle_rps, $idle_p99 ms |"
echo "| same during a $FLOOD_CONNS-conn login flood: req/s, p99 | $flood_rps, $flood_p99 ms |"
awk -v a="$flood_p99" -v b="$idle_p99" 'BEGIN {printf "| p99 flood / idle (target <= 2) | %.2f |\n", a/b}'
echo "| logins served during the flood | $flood_logins /s ($flood_busy answered 503, $flood_throttled 429) |"
echo "| logins alone, $FLOOD_CONNS conns | $alone_logins /s ($alone_busy answered 503) |"
echo "| bcrypt bound: comparisons/s at cost $BCRYPT_COST, $(nproc) CPUs comparing at once | $bound /s |"
awk -v a="$alone_logins" -v b="$bound" 'BEGIN {printf "| logins alone / bound (target >= 0.9) | %.2f |\n", a/b}'
