#!/usr/bin/env bash
# Login-flood load run (issue "Overload and abuse"): does a flood of valid logins starve the
# other requests? Loopback only, bounded in time (about 6 x DURATION seconds).
#
#   make bench-load                      # or: test/load/flood.sh
#   DURATION=10 BCRYPT_COST=10 test/load/flood.sh
#   PASSWORD_NICE=0 PASSWORD_CONCURRENCY=1 test/load/flood.sh   # compare admission settings
#
# Needs wrk and a Postgres (see lib.sh); it creates and drops its own database. Prints
# one table: GET /products p99 and rate idle vs under a 32-connection
# login flood from rotating client addresses, the logins served meanwhile, and the login
# rate alone against the machine's bcrypt bound. Copy the table into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10}
READ_CONNS=${READ_CONNS:-8}
FLOOD_CONNS=${FLOOD_CONNS:-32}
export BCRYPT_COST=${BCRYPT_COST:-10}
. test/load/lib.sh
load_setup

# The flood's logins succeed, so the account throttle never counts them; the per-address
# budget would not matter either (every request has its own address).
curl -fs -X POST "$base/user" -H 'Content-Type: application/json' \
  -d '{"name":"Flood","email":"flood@example.com","password":"flood-password"}' >/dev/null
admin=$(load_token "$base" admin@example.com load-admin-password)
cat_id=$(curl -fs -X POST "$base/products/category" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"name":"Load"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
for i in $(seq 20); do
  curl -fs -X POST "$base/products" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Product $i\",\"price_cents\":$((i * 100)),\"stock\":100,\"category_id\":$cat_id}" >/dev/null
done

# reads: "req/s p99_ms"
reads() { load_wrk -t2 -c"$READ_CONNS" -d"${DURATION}s" "$base/products"; }
# logins for $1 seconds: -> "ok/s busy throttled"
logins() {
  wrk -t2 -c"$FLOOD_CONNS" -d"${1}s" -s test/load/login.lua "$base/login" |
    awk '/^STATUS/ {split($2,a,"="); split($3,b,"="); split($4,c,"="); split($6,d,"=");
         printf "%.1f %d %d\n", a[2]/d[2], b[2], c[2]}'
}

reads >/dev/null # warm-up
read -r idle_rps idle_p99 < <(reads)
logins $((DURATION + 4)) >"$LOAD_TMP/flood" &
flood=$!
sleep 2
read -r flood_rps flood_p99 < <(reads)
wait "$flood"
read -r flood_logins flood_busy flood_throttled <"$LOAD_TMP/flood"
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
