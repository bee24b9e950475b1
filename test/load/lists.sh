#!/usr/bin/env bash
# List load run (issue "Lists at any size"): do pages cost the same however big the table
# and however deep the page? Loopback only, bounded: ROUNDS x 17 x DURATION seconds of wrk
# (about 5 minutes by default) plus the seeding (1M products: about a minute).
#
#   make bench-lists                                    # or: test/load/lists.sh
#   DURATION=8 ROUNDS=1 SIZES="1000:1000:100 100000:100000:10000" test/load/lists.sh
#
# One database and server per size, seeded by test/load/seed.sql (generate_series inside
# Postgres). SIZES lists products:users:orders per size; users and orders are measured
# where they differ from the previous size. The measurements are interleaved across the
# sizes in ROUNDS rounds and the median taken, so that the machine's drift (2x between
# runs here) falls on every size alike. Each is wrk -c32 on:
#   GET /products (first page), GET /products?category_id= (one of 10 categories),
#   GET /products?cursor= (the page 90% deep), GET /user and GET /orders (first page and
#   90% deep).
# Prints req/s, p99 and the ratio of req/s to the first size. Needs wrk and a Postgres.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
read -r -a sizes <<<"${SIZES:-1000:1000:100 100000:100000:10000 1000000:100000:10000}"
export BCRYPT_COST=${BCRYPT_COST:-4} ACCESS_TOKEN_TTL=2h
. test/load/lib.sh
load_prepare

declare -A url auth label # per measurement key "name/size index"
names=()
for i in "${!sizes[@]}"; do
  IFS=: read -r np nu no <<<"${sizes[i]}"
  port=$((PORT + i)) b=http://127.0.0.1:$((PORT + i))
  load_start "$i" "$port"
  curl -fs -X POST "$b/user" -H 'Content-Type: application/json' \
    -d '{"name":"Orders","email":"orders@load.example","password":"orders-password"}' >/dev/null
  psql -q "$DATABASE_URL" -v products_to="$np" -v users_to="$nu" -v orders_to="$no" -f test/load/seed.sql >/dev/null
  psql -q "$DATABASE_URL" -c CHECKPOINT
  q() { psql -qAt -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }
  admin=$(load_token "$b" admin@example.com load-admin-password)
  customer=$(load_token "$b" orders@load.example orders-password)
  cat3=$(q "SELECT id FROM categories WHERE name = 'Load category 3'")
  pdeep=$(q "SELECT id FROM products WHERE deleted_at IS NULL ORDER BY id OFFSET $((np * 9 / 10)) LIMIT 1")
  udeep=$(q "SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id OFFSET $((nu * 9 / 10)) LIMIT 1")
  read -r oid oat < <(q "SELECT o.id, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
    FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = 'orders@load.example'
    ORDER BY o.created_at DESC, o.id DESC OFFSET $((no * 9 / 10)) LIMIT 1" | tr '|' ' ')
  add() { # name label url [token]
    url[$1/$i]=$3 auth[$1/$i]=${4:-} label[$1/$i]=$2
    [[ " ${names[*]} " == *" $1 "* ]] || names+=("$1")
  }
  add products "GET /products, $np products" "$b/products"
  add category "GET /products?category_id=, $np products" "$b/products?category_id=$cat3"
  add deep "GET /products 90% deep, $np products" "$b/products?cursor=$(go run ./test/load/cursor -list products -id "$pdeep")"
  prev=${sizes[i-1]:-}
  if ((i == 0)) || [ "$nu" != "$(cut -d: -f2 <<<"$prev")" ]; then
    add users "GET /user, $nu users" "$b/user" "$admin"
    add udeep "GET /user 90% deep, $nu users" "$b/user?cursor=$(go run ./test/load/cursor -list users -id "$udeep")" "$admin"
  fi
  if ((i == 0)) || [ "$no" != "$(cut -d: -f3 <<<"$prev")" ]; then
    add orders "GET /orders, $no orders of one customer" "$b/orders" "$customer"
    add odeep "GET /orders 90% deep, $no orders" "$b/orders?cursor=$(go run ./test/load/cursor -list orders -id "$oid" -at "$oat")" "$customer"
  fi
done

measure() { # key -> "req/s p99"
  local h=()
  [ -n "${auth[$1]}" ] && h=(-H "Authorization: Bearer ${auth[$1]}")
  load_wrk -t2 -c"$CONNS" -d"${DURATION}s" "${h[@]}" "${url[$1]}"
}
declare -A results
for key in "${!url[@]}"; do wrk -t1 -c4 -d1s "${url[$key]}" >/dev/null; done # warm-up
for ((r = 1; r <= ROUNDS; r++)); do
  for n in "${names[@]}"; do
    for i in "${!sizes[@]}"; do
      [ -n "${url[$n/$i]:-}" ] && results[$n/$i]+="$(measure "$n/$i");"
    done
  done
done

median() { tr ';' '\n' | sed '/^$/d' | sort -n -k"$1" | awk -v k="$1" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
echo
echo "list pages: wrk -t2 -c$CONNS -d${DURATION}s, median of $ROUNDS interleaved rounds, $(nproc) CPUs"
echo
echo "| list and size | req/s | p99 | req/s × first size |"
echo "|---|---|---|---|"
for n in "${names[@]}"; do
  first=
  for i in "${!sizes[@]}"; do
    [ -n "${results[$n/$i]:-}" ] || continue
    rps=$(median 1 <<<"${results[$n/$i]}") p99=$(median 2 <<<"${results[$n/$i]}")
    first=${first:-$rps}
    awk -v l="${label[$n/$i]}" -v r="$rps" -v p="$p99" -v f="$first" \
      'BEGIN {printf "| %s | %d | %.1f ms | %.2f |\n", l, r, p, r / f}'
  done
done
