#!/usr/bin/env bash
# Past one database machine (issue "Postgres topology"): GET /products (public, first page
# of 20 from 100k products) and authenticated GET /cart on four servers over one private
# primary, interleaved over ROUNDS rounds, median taken:
#   direct   DATABASE_URL is the primary (pgx's default mode: named prepared statements)
#   pooler   DB_POOLER=transaction through Debian's pgbouncer 1.18 in transaction mode
#   describe the primary directly, in the mode DB_POOLER=transaction uses (cache_describe):
#            what the protocol costs, without the pooler's hop
#   exec     through the same pgbouncer with ?default_query_exec_mode=exec in the URL (the
#            workaround people find first), for what it costs
#   replica  DATABASE_READ_URL is a streaming replica of the primary
# Then the failover test (test/e2e TestFailoverToTheStandby) once, for its figures.
# Loopback only; about 10 x ROUNDS x DURATION s plus a minute of set-up. MODES="direct pooler"
# runs some of them.
#
#   make bench-topology          # or: DURATION=5 ROUNDS=3 test/load/topology.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
PRODUCTS=${PRODUCTS:-100000}
export BCRYPT_COST=${BCRYPT_COST:-4}
. test/load/lib.sh
test/deps.sh
load_prepare

bindir=$(ls -d /usr/lib/postgresql/*/bin | tail -n1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDIR=$(mktemp -d)
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
P1=$((PORT + 40)) P2=$((PORT + 41)) PB=$((PORT + 42))
topology_cleanup() {
  as_pg "$bindir/pg_ctl" -D "$PGDIR/replica" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$bindir/pg_ctl" -D "$PGDIR/primary" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$PGDIR/pgbouncer.pid" ] && kill "$(cat "$PGDIR/pgbouncer.pid")" 2>/dev/null || true
  rm -rf "$PGDIR"
  load_cleanup
}
trap topology_cleanup EXIT

echo "starting a primary on :$P1, a streaming replica on :$P2, pgbouncer on :$PB" >&2
as_pg "$bindir/initdb" -D "$PGDIR/primary" -U postgres --auth=trust --no-sync >/dev/null
as_pg sh -c "cat >> '$PGDIR/primary/postgresql.auto.conf'" <<EOF
listen_addresses = '127.0.0.1'
port = $P1
unix_socket_directories = '$PGDIR'
wal_level = replica
max_wal_senders = 5
max_connections = 200
shared_buffers = 128MB
EOF
echo "host replication all 127.0.0.1/32 trust" | as_pg sh -c "cat >> '$PGDIR/primary/pg_hba.conf'"
as_pg "$bindir/pg_ctl" -D "$PGDIR/primary" -l "$PGDIR/primary.log" -w start >/dev/null
as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$PGDIR/replica" -X stream -R -c fast
as_pg sh -c "cat >> '$PGDIR/replica/postgresql.auto.conf'" <<EOF
port = $P2
EOF
as_pg "$bindir/pg_ctl" -D "$PGDIR/replica" -l "$PGDIR/replica.log" -w start >/dev/null
as_pg sh -c "cat > '$PGDIR/pgbouncer.ini'" <<EOF
[databases]
* = host=127.0.0.1 port=$P1 user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PB
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
logfile = $PGDIR/pgbouncer.log
pidfile = $PGDIR/pgbouncer.pid
EOF
as_pg pgbouncer -d "$PGDIR/pgbouncer.ini"

primary=postgres://postgres@127.0.0.1:$P1/shop
psql -q "postgres://postgres@127.0.0.1:$P1/postgres" -c "CREATE DATABASE shop"
DATABASE_URL=$primary "$BIN" migrate 2>>"$LOG"
echo 'load-admin-password' | DATABASE_URL=$primary "$BIN" admin create --email admin@example.com 2>>"$LOG"
psql -q "$primary" -v products_to="$PRODUCTS" -v users_to=10 -v orders_to=0 -f test/load/seed.sql >/dev/null
psql -q "$primary" -c "ANALYZE" >/dev/null

# serve NAME PORT ENV...: a server with extra environment, on 127.0.0.1:PORT.
serve() {
  local port=$2; shift 2
  env "$@" HTTP_ADDR=127.0.0.1:$port "$BIN" serve 2>>"$LOG" &
  LOAD_PIDS+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
}
declare -A url
serve direct $((PORT + 1)) DATABASE_URL="$primary"
url[direct]=http://127.0.0.1:$((PORT + 1))
serve pooler $((PORT + 2)) DATABASE_URL="postgres://postgres@127.0.0.1:$PB/shop" DB_POOLER=transaction DATABASE_DIRECT_URL="$primary"
url[pooler]=http://127.0.0.1:$((PORT + 2))
serve describe $((PORT + 7)) DATABASE_URL="$primary?default_query_exec_mode=cache_describe"
url[describe]=http://127.0.0.1:$((PORT + 7))
serve exec $((PORT + 3)) DATABASE_URL="postgres://postgres@127.0.0.1:$PB/shop?default_query_exec_mode=exec" DATABASE_DIRECT_URL="$primary"
url[exec]=http://127.0.0.1:$((PORT + 3))
serve replica $((PORT + 4)) DATABASE_URL="$primary" DATABASE_READ_URL="postgres://postgres@127.0.0.1:$P2/shop"
url[replica]=http://127.0.0.1:$((PORT + 4))

b=${url[direct]}
curl -fs -X POST "$b/user" -H 'Content-Type: application/json' \
  -d '{"name":"Cart","email":"cart@load.example","password":"cart-password"}' >/dev/null
token=$(load_token "$b" cart@load.example cart-password)
for pid in 1 2 3; do
  curl -fs -X POST "$b/cart/items" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"product_id\":$pid,\"quantity\":$pid}" >/dev/null
done
auth=(-H "Authorization: Bearer $token")

# wrk_non2xx ARGS...: "req/s p99_ms non2xx"
wrk_run() {
  wrk "$@" --latency | awk '/Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF}
    /^ +99%/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v); ms=(u=="us")?v/1000:(u=="s")?v*1000:v}
    END {printf "%.0f %.1f %d\n", rps, ms, bad}'
}
declare -A res
modes=(${MODES:-direct pooler describe exec replica})
for m in "${modes[@]}"; do wrk -t1 -c4 -d1s "${url[$m]}/products" >/dev/null; wrk -t1 -c4 -d1s "${auth[@]}" "${url[$m]}/cart" >/dev/null; done
for ((r = 1; r <= ROUNDS; r++)); do
  for m in "${modes[@]}"; do
    res[$m,products]+="$(wrk_run -t2 -c"$CONNS" -d"${DURATION}s" "${url[$m]}/products");"
    res[$m,cart]+="$(wrk_run -t2 -c"$CONNS" -d"${DURATION}s" "${auth[@]}" "${url[$m]}/cart");"
  done
done
median() { tr ';' '\n' | sed '/^$/d' | sort -n -k"$1" | awk -v k="$1" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
sum() { tr ';' '\n' | sed '/^$/d' | awk -v k="$1" '{s+=$k} END {print s+0}'; }
echo
echo "wrk -t2 -c$CONNS -d${DURATION}s, median of $ROUNDS interleaved rounds, $PRODUCTS products, $(nproc) CPUs; non-2xx summed over all rounds"
echo
echo "| server | GET /products req/s | p99 | non-2xx | GET /cart req/s | p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for m in "${modes[@]}"; do
  echo "| $m | $(median 1 <<<"${res[$m,products]}") | $(median 2 <<<"${res[$m,products]}") ms | $(sum 3 <<<"${res[$m,products]}") |" \
    "$(median 1 <<<"${res[$m,cart]}") | $(median 2 <<<"${res[$m,cart]}") ms | $(sum 3 <<<"${res[$m,cart]}") |"
done
dp=$(median 1 <<<"${res[direct,products]}") dc=$(median 1 <<<"${res[direct,cart]}")
for m in "${modes[@]:1}"; do
  awk -v m="$m" -v p="$(median 1 <<<"${res[$m,products]}")" -v c="$(median 1 <<<"${res[$m,cart]}")" -v dp="$dp" -v dc="$dc" \
    'BEGIN {printf "| %s / direct | %.2f | | | %.2f | | |\n", m, p/dp, c/dc}'
done

echo
echo "failover (test/e2e TestFailoverToTheStandby: primary killed under 8 checkout clients, standby promoted 2.5 s later):"
go test -count=1 -run '^TestFailoverToTheStandby$' -v ./test/e2e 2>&1 | grep -E 'failover:|^(--- |ok|FAIL)' || true
