#!/usr/bin/env bash
# Does the answer to POST /password-reset tell whether an account has the address? The
# same request for an existing account (admin@example.com) and for an address nobody
# has, one client at a time (what a prober measures) and 8 at once, interleaved over
# ROUNDS rounds, medians of wrk's p50 and p99 and of the rate. The throttle's budgets are
# raised out of the way (MAIL_REQUESTS_PER_ACCOUNT/ADDRESS); every answer must be 202.
# PASSWORD_RESET_ANSWER_TIME=0s shows the difference the floor hides. Loopback only,
# about 4 x ROUNDS x DURATION s.
#
#   make bench-reset          # or: DURATION=5 ROUNDS=3 PASSWORD_RESET_ANSWER_TIME=0s test/load/reset.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
export BCRYPT_COST=${BCRYPT_COST:-4} MAIL_REQUESTS_PER_ACCOUNT=1000000 MAIL_REQUESTS_PER_ADDRESS=1000000
. test/load/lib.sh
load_setup

# name|email|connections
cases=(
  "existing account, 1 client|admin@example.com|1"
  "no such account, 1 client|nobody@example.com|1"
  "existing account, 8 clients|admin@example.com|8"
  "no such account, 8 clients|nobody@example.com|8"
)
run() { # email conns -> "req/s p50_ms p99_ms other"
  RESET_EMAIL=$1 wrk -t1 -c"$2" -d"${DURATION}s" --latency -s test/load/reset.lua "$base/password-reset" |
    awk 'function ms(v,  u) {u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v); return (u=="us")?v/1000:(u=="s")?v*1000:v}
         /Requests\/sec/ {rps=$2} /^ +50%/ {p50=ms($2)} /^ +99%/ {p99=ms($2)} /^answers:/ {other=$4}
         END {printf "%.0f %.3f %.3f %d\n", rps, p50, p99, other}'
}
declare -A res
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name email conns <<<"$c"
    res[$name]+="$(run "$email" "$conns");"
  done
done
median() { tr ';' '\n' | sed '/^$/d' | sort -g -k"$1" | awk -v k="$1" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
echo
echo "POST /password-reset: wrk -t1 -d${DURATION}s, median of $ROUNDS interleaved rounds, $(nproc) CPUs, PASSWORD_RESET_ANSWER_TIME=${PASSWORD_RESET_ANSWER_TIME:-the default}"
echo
echo "| address | conns | req/s | p50 | p99 | answers other than 202 |"
echo "|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r name _ conns <<<"$c"
  other=$(tr ';' '\n' <<<"${res[$name]}" | awk '{s += $4} END {print s + 0}')
  echo "| $name | $conns | $(median 1 <<<"${res[$name]}") | $(median 2 <<<"${res[$name]}") ms | $(median 3 <<<"${res[$name]}") ms | $other |"
done
ratio() { awk -v a="$(median "$3" <<<"${res[$1]}")" -v b="$(median "$3" <<<"${res[$2]}")" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "p50 existing / none, 1 client: $(ratio "existing account, 1 client" "no such account, 1 client" 2); 8 clients: $(ratio "existing account, 8 clients" "no such account, 8 clients" 2)"
echo "p99 existing / none, 1 client: $(ratio "existing account, 1 client" "no such account, 1 client" 3); 8 clients: $(ratio "existing account, 8 clients" "no such account, 8 clients" 3)"
mailed=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM outbox WHERE subject LIKE 'Reset your%'")
echo "reset mails recorded for the existing account: $mailed (every accepted request for it)"
