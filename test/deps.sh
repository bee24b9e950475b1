#!/usr/bin/env bash
# What `make test` needs beside Go and a Postgres to create databases on: the PostgreSQL
# server binaries (initdb, pg_ctl, pg_basebackup: the replica and failover tests start
# real servers) and PgBouncer (the transaction-pooling tests). On Debian or Ubuntu they
# are installed when missing (as root, or through sudo); elsewhere this says what to
# install and fails, so that the tests that need them are never skipped.
set -euo pipefail

have_server() {
  [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ] && return 0
  command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ] && [ -x "$(pg_config --bindir)/pg_basebackup" ] && return 0
  compgen -G '/usr/lib/postgresql/*/bin/pg_basebackup' >/dev/null
}
have_bouncer() { [ -n "${PGBOUNCER:-}" ] && [ -x "$PGBOUNCER" ] || [ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null; }

missing=()
have_server || missing+=(postgresql)
have_bouncer || missing+=(pgbouncer)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
if command -v apt-get >/dev/null && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
  echo "test/deps.sh: installing ${missing[*]} (Debian packages) for the pooler, replica and failover tests"
  $sudo apt-get update -qq >/dev/null
  # A policy-rc.d keeps the packages from starting services of their own (the tests
  # start the servers they need); one that was already there is left alone.
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    $sudo sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  [ -z "$own_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d
  exit 0
fi
echo "test/deps.sh: missing ${missing[*]}: the pooler, replica and failover tests need the PostgreSQL server" >&2
echo "binaries (initdb, pg_ctl, pg_basebackup; or set PG_BINDIR) and pgbouncer (or set PGBOUNCER)." >&2
echo "Debian/Ubuntu: apt-get install ${missing[*]}; macOS: brew install postgresql pgbouncer" >&2
exit 1
