#!/usr/bin/env bash
# Catalog reads past the database (issue "Catalog reads"): GET /products (first page, 20
# items) and GET /products/{id} on hexashop with its in-process cache (the default), on
# hexashop with CATALOG_CACHE_ENTRIES=0, on test/load/baseline running the same statement
# (gin + pgx, nothing else), and a fixed-bytes gin handler (the HTTP ceiling); also a 304
# revalidation against a full 200, and 256 connections. One database of PRODUCTS products
# (test/load/seed.sql), interleaved over ROUNDS rounds, median taken; loopback only,
# about 12 x ROUNDS x DURATION s.
#
#   make bench-catalog          # or: DURATION=5 ROUNDS=3 PRODUCTS=1000 test/load/catalog.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
PRODUCTS=${PRODUCTS:-1000}
export BCRYPT_COST=${BCRYPT_COST:-4}
. test/load/lib.sh
load_setup
psql -q "$DATABASE_URL" -v products_to="$PRODUCTS" -v users_to=1 -v orders_to=0 -f test/load/seed.sql >/dev/null

nocache=http://127.0.0.1:$((PORT + 1))
CATALOG_CACHE_ENTRIES=0 HTTP_ADDR=${nocache#http://} "$BIN" serve 2>>"$LOG" &
LOAD_PIDS+=($!)
go build -o "$LOAD_TMP/baseline" ./test/load/baseline
yard=http://127.0.0.1:$((PORT + 20))
"$LOAD_TMP/baseline" -addr "${yard#http://}" 2>>"$LOG" &
LOAD_PIDS+=($!)
for u in "$nocache/healthz" "$yard/fixed"; do
  for _ in $(seq 100); do curl -fs "$u" >/dev/null && break; sleep 0.1; done
done
id=$(curl -fs "$base/products?limit=1" | sed 's/.*"items":\[{"id":\([0-9]*\).*/\1/')
[ "$(curl -fs "$yard/products/$id" | sed 's/.*"price_cents":\([0-9]*\).*/\1/')" = \
  "$(curl -fs "$base/products/$id" | sed 's/.*"price_cents":\([0-9]*\).*/\1/')" ] ||
  { echo "the yardstick and hexashop do not read the same product" >&2; exit 1; }
etag=$(curl -fs -D - -o /dev/null "$base/products" | sed -n 's/^[Ee][Tt]ag: *\([^[:space:]]*\).*/\1/p')
[ -n "$etag" ] || { echo "no ETag on GET /products" >&2; exit 1; }

# name|url|connections|extra wrk header
cases=(
  "fixed bytes (gin, no database)|$yard/fixed|32|"
  "baseline list (gin+pgx, same statement)|$yard/products|32|"
  "hexashop list, cache on|$base/products|32|"
  "hexashop list, cache off|$nocache/products|32|"
  "baseline item|$yard/products/$id|32|"
  "hexashop item, cache on|$base/products/$id|32|"
  "hexashop item, cache off|$nocache/products/$id|32|"
  "hexashop list, 304 (If-None-Match)|$base/products|32|If-None-Match: $etag"
  "baseline list, 256 connections|$yard/products|256|"
  "hexashop list, cache on, 256 connections|$base/products|256|"
)
declare -A res
for c in "${cases[@]}"; do IFS='|' read -r _ url conns hdr <<<"$c"; load_wrk -t1 -c4 -d1s "$url" >/dev/null; done
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name url conns hdr <<<"$c"
    if [ -n "$hdr" ]; then out=$(load_wrk -t2 -c"$conns" -d"${DURATION}s" -H "$hdr" "$url"); else out=$(load_wrk -t2 -c"$conns" -d"${DURATION}s" "$url"); fi
    res[$name]+="$out;"
  done
done
median() { tr ';' '\n' | sed '/^$/d' | sort -n -k"$1" | awk -v k="$1" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
full=$(curl -fs "$base/products" | wc -c)
notmod=$(curl -s -i -H "If-None-Match: $etag" "$base/products" | wc -c)
echo
echo "GET /products and /products/{id}, $PRODUCTS products: wrk -t2 -d${DURATION}s, median of $ROUNDS interleaved rounds, $(nproc) CPUs"
echo "bytes of a full 200 body: $full; of a whole 304 answer (headers included): $notmod"
echo
echo "| server | conns | req/s | p99 |"
echo "|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r name _ conns _ <<<"$c"
  echo "| $name | $conns | $(median 1 <<<"${res[$name]}") | $(median 2 <<<"${res[$name]}") ms |"
done
r() { awk -v a="$(median 1 <<<"${res[$1]}")" -v b="$(median 1 <<<"${res[$2]}")" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "list, cache on / baseline: $(r "hexashop list, cache on" "baseline list (gin+pgx, same statement)") (target >= 2)"
echo "list, cache on / fixed bytes: $(r "hexashop list, cache on" "fixed bytes (gin, no database)") (target >= 0.5)"
echo "item, cache on / baseline: $(r "hexashop item, cache on" "baseline item") (target >= 2)"
echo "list at 256 connections, cache on / baseline: $(r "hexashop list, cache on, 256 connections" "baseline list, 256 connections") (target >= 0.9)"
echo "list, 304 / full 200: $(r "hexashop list, 304 (If-None-Match)" "hexashop list, cache on")"
echo "list, cache on / cache off: $(r "hexashop list, cache on" "hexashop list, cache off")"
