#!/usr/bin/env bash
# Catalog reads past the database (issue "Catalog reads"): GET /products (first page, 20
# items) and GET /products/{id} on hexashop with its in-process cache (the default), on
# hexashop with CATALOG_CACHE_ENTRIES=0, on test/load/baseline running the same statement
# (gin + pgx, nothing else), and a fixed-bytes gin handler (the HTTP ceiling); also a 304
# revalidation against a full 200, 256 connections, a cache that is always cold
# (CATALOG_CACHE_TTL=1ns), and reads while an admin changes one product a second. One
# database of PRODUCTS products (test/load/seed.sql), interleaved over ROUNDS rounds,
# median taken. Then the memory: RSS of a server on RSS_PRODUCTS products with its cache
# empty, then full at the default bounds (CATALOG_CACHE_ENTRIES, CATALOG_CACHE_MIB) of
# single products, then of 100-product pages. Loopback only, about 14 x ROUNDS x DURATION s plus a minute.
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
cold=http://127.0.0.1:$((PORT + 2))
CATALOG_CACHE_TTL=1ns HTTP_ADDR=${cold#http://} "$BIN" serve 2>>"$LOG" &
LOAD_PIDS+=($!)
go build -o "$LOAD_TMP/baseline" ./test/load/baseline
yard=http://127.0.0.1:$((PORT + 20))
curl -fs "$base/products" >"$LOAD_TMP/page.json"
"$LOAD_TMP/baseline" -addr "${yard#http://}" -fixed-file "$LOAD_TMP/page.json" 2>>"$LOG" &
LOAD_PIDS+=($!)
for u in "$nocache/healthz" "$cold/healthz" "$yard/fixed"; do
  for _ in $(seq 100); do curl -fs "$u" >/dev/null && break; sleep 0.1; done
done
id=$(curl -fs "$base/products?limit=1" | sed 's/.*"items":\[{"id":\([0-9]*\).*/\1/')
[ "$(curl -fs "$yard/products/$id" | sed 's/.*"price_cents":\([0-9]*\).*/\1/')" = \
  "$(curl -fs "$base/products/$id" | sed 's/.*"price_cents":\([0-9]*\).*/\1/')" ] ||
  { echo "the yardstick and hexashop do not read the same product" >&2; exit 1; }
etag=$(curl -fs -D - -o /dev/null "$base/products" | sed -n 's/^[Ee][Tt]ag: *\([^[:space:]]*\).*/\1/p')
[ -n "$etag" ] || { echo "no ETag on GET /products" >&2; exit 1; }

# While the case named "...1 write/s" runs, an admin changes a product's price every
# second (each change empties every cache: LISTEN/NOTIFY): the last product, which is on
# no page read here, so that the answers read stay the same and only the flushes count.
admin=$(load_token "$base" admin@example.com load-admin-password)
wid=$(psql -qtA "$DATABASE_URL" -c "SELECT max(id) FROM products")
writer() {
  local price=100
  while :; do
    price=$((price % 900 + 101))
    curl -fs -o /dev/null -X PATCH -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d "{\"price_cents\":$price}" "$base/products/$wid" || echo "the admin's change failed" >&2
    sleep 1
  done
}

# name|url|connections|extra wrk header
cases=(
  "fixed bytes (gin, no database)|$yard/fixed|32|"
  "fixed bytes of the list page's size (gin, no database)|$yard/fixed-file|32|"
  "baseline list (gin+pgx, same statement)|$yard/products|32|"
  "hexashop list, cache on|$base/products|32|"
  "hexashop list, cache off|$nocache/products|32|"
  "baseline item|$yard/products/$id|32|"
  "hexashop item, cache on|$base/products/$id|32|"
  "hexashop item, cache off|$nocache/products/$id|32|"
  "hexashop item, cache always cold (TTL 1ns)|$cold/products/$id|32|"
  "hexashop list, cache always cold (TTL 1ns)|$cold/products|32|"
  "hexashop list, cache on, 1 write/s|$base/products|32|"
  "hexashop list, 304 (If-None-Match)|$base/products|32|If-None-Match: $etag"
  "baseline list, 256 connections|$yard/products|256|"
  "hexashop list, cache on, 256 connections|$base/products|256|"
)
declare -A res
for c in "${cases[@]}"; do IFS='|' read -r _ url conns hdr <<<"$c"; load_wrk -t1 -c4 -d1s "$url" >/dev/null; done
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name url conns hdr <<<"$c"
    [[ $name == *"write/s" ]] && { writer & wpid=$!; }
    if [ -n "$hdr" ]; then out=$(load_wrk_counted -t2 -c"$conns" -d"${DURATION}s" -H "$hdr" "$url"); else out=$(load_wrk_counted -t2 -c"$conns" -d"${DURATION}s" "$url"); fi
    [[ $name == *"write/s" ]] && { kill "$wpid"; wait "$wpid" 2>/dev/null || true; }
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
echo "| server | conns | req/s | p99 | non-2xx/3xx + socket errors (all rounds) |"
echo "|---|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r name _ conns _ <<<"$c"
  bad=$(tr ';' '\n' <<<"${res[$name]}" | awk '{s += $3} END {print s + 0}')
  echo "| $name | $conns | $(median 1 <<<"${res[$name]}") | $(median 2 <<<"${res[$name]}") ms | $bad |"
done
r() { awk -v a="$(median 1 <<<"${res[$1]}")" -v b="$(median 1 <<<"${res[$2]}")" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "list, cache on / baseline: $(r "hexashop list, cache on" "baseline list (gin+pgx, same statement)") (target >= 2)"
echo "list, cache on / fixed bytes: $(r "hexashop list, cache on" "fixed bytes (gin, no database)") (target >= 0.5; $(wc -c <"$LOAD_TMP/page.json") vs $(curl -fs "$yard/fixed" | wc -c) bytes of body)"
echo "list, cache on / fixed bytes of the same size: $(r "hexashop list, cache on" "fixed bytes of the list page's size (gin, no database)")"
echo "item, cache on / baseline: $(r "hexashop item, cache on" "baseline item") (target >= 2)"
echo "list at 256 connections, cache on / baseline: $(r "hexashop list, cache on, 256 connections" "baseline list, 256 connections") (target >= 0.9)"
echo "list, 304 / full 200: $(r "hexashop list, 304 (If-None-Match)" "hexashop list, cache on")"
echo "list, cache on / cache off: $(r "hexashop list, cache on" "hexashop list, cache off")"
echo "item, cache warm / always cold: $(r "hexashop item, cache on" "hexashop item, cache always cold (TTL 1ns)"); always cold / cache off: $(r "hexashop item, cache always cold (TTL 1ns)" "hexashop item, cache off")"
echo "list, cache warm / always cold: $(r "hexashop list, cache on" "hexashop list, cache always cold (TTL 1ns)"); always cold / cache off: $(r "hexashop list, cache always cold (TTL 1ns)" "hexashop list, cache off")"
echo "list with 1 write/s / without: $(r "hexashop list, cache on, 1 write/s" "hexashop list, cache on")"

# Memory: a server on its own database of RSS_PRODUCTS products, default cache bound.
RSS_PRODUCTS=${RSS_PRODUCTS:-100000}
rss=http://127.0.0.1:$((PORT + 3))
metrics=127.0.0.1:$((PORT + 4))
METRICS_ADDR=$metrics load_start rss "${rss##*:}"
rss_pid=${LOAD_PIDS[-1]}
psql -q "$DATABASE_URL" -v products_to="$RSS_PRODUCTS" -v users_to=1 -v orders_to=0 -f test/load/seed.sql >/dev/null
entries() {
  curl -fs "http://$metrics/metrics" | awk '/^hexashop_catalog_cache_entries / {e=$2} /^hexashop_catalog_cache_bytes / {b=$2}
    END {printf "%d entries, %.1f MiB estimated", e, b / 1048576}'
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$rss_pid/status"; }
first=$(curl -fs "$rss/products?limit=1" | sed 's/.*"items":\[{"id":\([0-9]*\).*/\1/')
curl -fs "$rss/products" >/dev/null
empty=$(rss_kib)
seq "$first" "$((first + RSS_PRODUCTS - 1))" | sed 's|^|/products/|' >"$LOAD_TMP/items"
PATHS=$LOAD_TMP/items wrk -t1 -c8 -d"$((DURATION * 2))s" -s test/load/paths.lua "$rss" >/dev/null
items=$(rss_kib) items_entries=$(entries)
go run ./test/load/cursor -list products -id "$first" -n "$((RSS_PRODUCTS / 10))" -step 10 | sed 's|^|/products?limit=100\&cursor=|' >"$LOAD_TMP/pages"
PATHS=$LOAD_TMP/pages wrk -t1 -c8 -d"$((DURATION * 4))s" -s test/load/paths.lua "$rss" >/dev/null
pages=$(rss_kib) pages_entries=$(entries)
echo
echo "RSS, $RSS_PRODUCTS products, default cache bound: empty cache $((empty / 1024)) MiB;" \
  "after item reads $((items / 1024)) MiB ($items_entries);" \
  "after 100-product pages $((pages / 1024)) MiB ($pages_entries)"
