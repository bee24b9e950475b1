#!/usr/bin/env bash
# Outbox lease (docs/decisions.md): a dispatcher is killed (-9) while it holds a claimed mail;
# prints how long until a second dispatcher delivers that mail. Needs the local Postgres
# (127.0.0.1:5432, user postgres) and python3 (a TCP listener that never greets). About 40 s.
set -euo pipefail
logs=$(mktemp -d)
cd "$(dirname "$0")/../.."
db=crash_$$
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db"
URL=postgres://postgres@127.0.0.1:5432/$db
trap 'kill $(jobs -p) 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db WITH (FORCE)"' EXIT
bin=$(mktemp -d)/hx; go build -o "$bin" ./cmd/hexashop
export DATABASE_URL=$URL JWT_SECRET=crash-test-secret-0123456789abcdefghij MAIL_FROM=shop@example.com
"$bin" migrate 2>/dev/null
psql -q -h 127.0.0.1 -U postgres -d $db -c "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) VALUES ('a@example.com','s','b',now(),now())"
python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",25251)); s.listen()
c,_=s.accept(); time.sleep(600)' &
until python3 -c "import socket; socket.create_connection((\"127.0.0.1\",25251)).close()" 2>/dev/null; do sleep 0.2; done
SMTP_URL='smtp://127.0.0.1:25251?starttls=off' "$bin" dispatch 2>"$logs/d1.log" &
d1=$!
until [ "$(psql -At -h 127.0.0.1 -U postgres -d $db -c 'SELECT attempts FROM outbox')" = 1 ]; do sleep 0.2; done
sleep 1 # the first dispatcher is now stuck in the SMTP greeting, holding the lease
kill -9 $d1; t0=$(date +%s.%N)
echo "killed the first dispatcher (mail claimed, lease running)"
"$bin" dispatch 2>"$logs/d2.log" &
until [ -n "$(psql -At -h 127.0.0.1 -U postgres -d $db -c 'SELECT sent_at FROM outbox WHERE sent_at IS NOT NULL')" ]; do sleep 0.2; done
t1=$(date +%s.%N)
echo "delivered by the second dispatcher $(echo "$t1 - $t0" | bc) s after the kill -9"
