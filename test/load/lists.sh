#!/usr/bin/env bash
# List load run (issue "Lists at any size"): do pages cost the same however big the table
# and however deep the page? Loopback only, bounded: about 13 x DURATION seconds of wrk
# plus the seeding (1M products: about a minute).
#
#   make bench-lists                                   # or: test/load/lists.sh
#   DURATION=8 PRODUCT_SIZES="1000 100000" test/load/lists.sh
#
# Grows one database through the sizes (test/load/seed.sql, generate_series inside
# Postgres) and at each size measures, with wrk -c32:
#   GET /products (first page), GET /products?category_id=... (one of 10 categories),
#   GET /products?cursor=... (the page 90% deep), and GET /user, GET /orders (first page
#   and 90% deep) for the user and order counts of that step.
# Prints req/s, p99 and the ratio to the first size. Needs wrk and a Postgres (lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-8}
CONNS=${CONNS:-32}
read -r -a product_sizes <<<"${PRODUCT_SIZES:-1000 100000 1000000}"
read -r -a user_sizes <<<"${USER_SIZES:-1000 100000}"
read -r -a order_sizes <<<"${ORDER_SIZES:-100 10000}"
export BCRYPT_COST=${BCRYPT_COST:-4} ACCESS_TOKEN_TTL=2h
. test/load/lib.sh
load_setup

curl -fs -X POST "$base/user" -H 'Content-Type: application/json' \
  -d '{"name":"Orders","email":"orders@load.example","password":"orders-password"}' >/dev/null
admin=$(load_token admin@example.com load-admin-password)
customer=$(load_token orders@load.example orders-password)
q() { psql -qAt -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }


declare -A first_rps
row() { # name rps p99
  local key=$1 rps=$2 p99=$3
  [ -n "${first_rps[$key]:-}" ] || first_rps[$key]=$rps
  awk -v n="$4" -v r="$rps" -v p="$p99" -v f="${first_rps[$key]}" \
    'BEGIN {printf "| %s | %d | %.1f ms | %.2f |\n", n, r, p, r / f}'
}
measure() { load_wrk -t2 -c"$CONNS" -d"${DURATION}s" "$@"; }

echo
echo "list pages, wrk -t2 -c$CONNS -d${DURATION}s each, $(nproc) CPUs"
echo
echo "| list and size | req/s | p99 | × first size |"
echo "|---|---|---|---|"
steps=${#product_sizes[@]}
for ((i = 0; i < steps; i++)); do
  np=${product_sizes[i]}
  nu=${user_sizes[i]:-${user_sizes[-1]}}
  no=${order_sizes[i]:-${order_sizes[-1]}}
  q "SELECT 1" >/dev/null
  psql -q "$DATABASE_URL" -v products_to="$np" -v users_to="$nu" -v orders_to="$no" -f test/load/seed.sql >/dev/null
  cat3=$(q "SELECT id FROM categories WHERE name = 'Load category 3'")
  deep=$(q "SELECT id FROM products WHERE deleted_at IS NULL ORDER BY id OFFSET $((np * 9 / 10)) LIMIT 1")
  pcur=$(go run ./test/load/cursor -list products -id "$deep")
  measure "$base/products" >/dev/null # warm-up
  read -r r p < <(measure "$base/products"); row p1 "$r" "$p" "GET /products, $np products"
  read -r r p < <(measure "$base/products?category_id=$cat3"); row pc "$r" "$p" "GET /products?category_id, $np products"
  read -r r p < <(measure "$base/products?cursor=$pcur"); row pd "$r" "$p" "GET /products 90% deep, $np products"
  if ((i < ${#user_sizes[@]})); then
    udeep=$(q "SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id OFFSET $((nu * 9 / 10)) LIMIT 1")
    ucur=$(go run ./test/load/cursor -list users -id "$udeep")
    read -r r p < <(measure -H "Authorization: Bearer $admin" "$base/user"); row u1 "$r" "$p" "GET /user, $nu users"
    read -r r p < <(measure -H "Authorization: Bearer $admin" "$base/user?cursor=$ucur"); row ud "$r" "$p" "GET /user 90% deep, $nu users"
  fi
  if ((i < ${#order_sizes[@]})); then
    read -r oid oat < <(q "SELECT o.id, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
      FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = 'orders@load.example'
      ORDER BY o.created_at DESC, o.id DESC OFFSET $((no * 9 / 10)) LIMIT 1" | tr '|' ' ')
    ocur=$(go run ./test/load/cursor -list orders -id "$oid" -at "$oat")
    read -r r p < <(measure -H "Authorization: Bearer $customer" "$base/orders"); row o1 "$r" "$p" "GET /orders, $no orders"
    read -r r p < <(measure -H "Authorization: Bearer $customer" "$base/orders?cursor=$ocur"); row od "$r" "$p" "GET /orders 90% deep, $no orders"
  fi
done
