#!/usr/bin/env bash
# Authenticated read against a yardstick (issue "Sessions"): GET /cart with one bearer
# token on hexashop (token check, user and session in one query, cart query) and on
# test/load/baseline (gin + pgx: signature check, user lookup, the same cart query, and
# nothing else), on one database, interleaved over ROUNDS rounds, median taken. Loopback
# only, about 2 x ROUNDS x DURATION s.
#
#   make bench-cart          # or: DURATION=5 ROUNDS=3 test/load/cart.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
export BCRYPT_COST=${BCRYPT_COST:-4}
. test/load/lib.sh
load_setup

curl -fs -X POST "$base/user" -H 'Content-Type: application/json' \
  -d '{"name":"Cart","email":"cart@load.example","password":"cart-password"}' >/dev/null
admin=$(load_token "$base" admin@example.com load-admin-password)
token=$(load_token "$base" cart@load.example cart-password)
cat_id=$(curl -fs -X POST "$base/products/category" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"name":"Cart"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
for i in 1 2 3; do
  pid=$(curl -fs -X POST "$base/products" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Item $i\",\"price_cents\":$((i * 250)),\"stock\":100,\"category_id\":$cat_id}" | sed 's/.*"id":\([0-9]*\).*/\1/')
  curl -fs -X POST "$base/cart/items" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"product_id\":$pid,\"quantity\":$i}" >/dev/null
done
go build -o "$LOAD_TMP/baseline" ./test/load/baseline
yard=http://127.0.0.1:$((PORT + 20))
"$LOAD_TMP/baseline" -addr "${yard#http://}" 2>>"$LOG" &
LOAD_PIDS+=($!)
h=(-H "Authorization: Bearer $token")
for _ in $(seq 50); do curl -fs "${h[@]}" "$yard/cart" >/dev/null && break; sleep 0.1; done
[ "$(curl -fs "${h[@]}" "$yard/cart" | sed 's/.*"total_cents":\([0-9]*\).*/\1/')" = \
  "$(curl -fs "$base/cart" -H "Authorization: Bearer $token" | sed 's/.*"total_cents":\([0-9]*\).*/\1/')" ] ||
  { echo "the yardstick and hexashop do not read the same cart" >&2; exit 1; }

load_wrk -t1 -c4 -d1s "${h[@]}" "$base/cart" >/dev/null
load_wrk -t1 -c4 -d1s "${h[@]}" "$yard/cart" >/dev/null
hex= ysk=
for ((r = 1; r <= ROUNDS; r++)); do
  hex+="$(load_wrk -t2 -c"$CONNS" -d"${DURATION}s" "${h[@]}" "$base/cart");"
  ysk+="$(load_wrk -t2 -c"$CONNS" -d"${DURATION}s" "${h[@]}" "$yard/cart");"
done
median() { tr ';' '\n' | sed '/^$/d' | sort -n -k"$1" | awk -v k="$1" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
hr=$(median 1 <<<"$hex") hp=$(median 2 <<<"$hex") yr=$(median 1 <<<"$ysk") yp=$(median 2 <<<"$ysk")
echo
echo "GET /cart: wrk -t2 -c$CONNS -d${DURATION}s, median of $ROUNDS interleaved rounds, $(nproc) CPUs"
echo
echo "| server | req/s | p99 |"
echo "|---|---|---|"
echo "| minimal gin+pgx handler: signature, user lookup, same cart query (test/load/baseline) | $yr | $yp ms |"
echo "| hexashop: bearer token, user and session in one query, cart | $hr | $hp ms |"
awk -v a="$hr" -v b="$yr" 'BEGIN {printf "| hexashop / minimal (target >= 0.7) | %.2f | |\n", a/b}'
