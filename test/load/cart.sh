#!/usr/bin/env bash
# Authenticated read against a yardstick (issue "Sessions"): GET /cart with one bearer
# token on hexashop (token check, user and session in one query, cart query) and on
# test/load/baseline (gin + pgx: signature check, user lookup, the same cart query, and
# nothing else), on one database, interleaved over ROUNDS rounds, median taken. Loopback
# only, about 2 x ROUNDS x DURATION s.
#
#   make bench-cart          # or: DURATION=5 ROUNDS=3 test/load/cart.sh
#   SIGNING=1 test/load/cart.sh   # also hexashop with ES256 and no verified-token cache, RS256,
#                                 # and the former HS256 secret, in the same interleaved run
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
JWT_SECRET=$BASELINE_SECRET "$LOAD_TMP/baseline" -addr "${yard#http://}" 2>>"$LOG" &
LOAD_PIDS+=($!)
user=$(curl -fs "$base/user/me" -H "Authorization: Bearer $token" | sed 's/.*"id":\([0-9]*\).*/\1/')
h=(-H "Authorization: Bearer $token")
y=(-H "Authorization: Bearer $(JWT_SECRET=$BASELINE_SECRET "$LOAD_TMP/baseline" -mint "$user")")
for _ in $(seq 50); do curl -fs "${y[@]}" "$yard/cart" >/dev/null && break; sleep 0.1; done
[ "$(curl -fs "${y[@]}" "$yard/cart" | sed 's/.*"total_cents":\([0-9]*\).*/\1/')" = \
  "$(curl -fs "$base/cart" "${h[@]}" | sed 's/.*"total_cents":\([0-9]*\).*/\1/')" ] ||
  { echo "the yardstick and hexashop do not read the same cart" >&2; exit 1; }

# Variants of hexashop on the same database (SIGNING=1): name, port, environment.
declare -A vport vtoken vres
variants=()
if [ "${SIGNING:-}" = 1 ]; then
  "$BIN" keys generate --file "$LOAD_TMP/rs.json" --alg RS256 --bits 2048 >/dev/null
  n=1
  for v in "es256-no-cache JWT_VERIFY_CACHE=0" "rs256 JWT_KEYS_FILE=$LOAD_TMP/rs.json" "hs256-secret JWT_KEYS_FILE= JWT_SECRET=$BASELINE_SECRET"; do
    read -r name envs <<<"$v"
    port=$((PORT + n)); n=$((n + 1))
    # shellcheck disable=SC2086
    env $envs HTTP_ADDR=127.0.0.1:$port "$BIN" serve 2>>"$LOG" &
    LOAD_PIDS+=($!)
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    vport[$name]=$port
    vtoken[$name]=$(load_token "http://127.0.0.1:$port" cart@load.example cart-password)
    variants+=("$name")
  done
fi

load_wrk -t1 -c4 -d1s "${h[@]}" "$base/cart" >/dev/null
load_wrk -t1 -c4 -d1s "${y[@]}" "$yard/cart" >/dev/null
hex= ysk=
for ((r = 1; r <= ROUNDS; r++)); do
  hex+="$(load_wrk -t2 -c"$CONNS" -d"${DURATION}s" "${h[@]}" "$base/cart");"
  ysk+="$(load_wrk -t2 -c"$CONNS" -d"${DURATION}s" "${y[@]}" "$yard/cart");"
  for name in "${variants[@]}"; do
    vres[$name]+="$(load_wrk -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer ${vtoken[$name]}" "http://127.0.0.1:${vport[$name]}/cart");"
  done
done
median() { tr ';' '\n' | sed '/^$/d' | sort -n -k"$1" | awk -v k="$1" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
hr=$(median 1 <<<"$hex") hp=$(median 2 <<<"$hex") yr=$(median 1 <<<"$ysk") yp=$(median 2 <<<"$ysk")
echo
echo "GET /cart: wrk -t2 -c$CONNS -d${DURATION}s, median of $ROUNDS interleaved rounds, $(nproc) CPUs"
echo
echo "| server | req/s | p99 |"
echo "|---|---|---|"
echo "| minimal gin+pgx handler: HS256 signature, user lookup, same cart query (test/load/baseline) | $yr | $yp ms |"
echo "| hexashop: ${JWT_ALG:-ES256} token (verify cache ${JWT_VERIFY_CACHE:-10000}), user and session in one query, cart | $hr | $hp ms |"
for name in "${variants[@]}"; do
  echo "| hexashop, $name | $(median 1 <<<"${vres[$name]}") | $(median 2 <<<"${vres[$name]}") ms |"
done
awk -v a="$hr" -v b="$yr" 'BEGIN {printf "| hexashop / minimal (target >= 0.8) | %.2f | |\n", a/b}'
for name in "${variants[@]}"; do
  awk -v n="$name" -v a="$(median 1 <<<"${vres[$name]}")" -v b="$yr" 'BEGIN {printf "| hexashop %s / minimal | %.2f | |\n", n, a/b}'
done
