#!/usr/bin/env bash
# Brings up a Docker-compatible container engine on this machine kind, which has no Docker
# engine and no container registry, so that testcontainers-go can run for real:
#   - installs podman + runc from Debian packages (once per machine),
#   - starts podman's Docker-compatible API on /run/podman/podman.sock,
#   - builds a local Postgres image (Debian bookworm + postgresql-15, with an entrypoint that
#     honours POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB like the official image) once.
# Then it prints the environment to use, as shell `export` lines:
#   eval "$(.ci/container-engine.sh)"
# Taken in from the team's shared CI scripts so that the repository (and every fork)
# carries what its CI needs.
# Best effort: on any failure it prints a warning to stderr and exits 1, printing no exports.
# Idempotent and quick on a machine where it already ran (about 2 minutes the first time).
set -u
IMAGE=${TEST_POSTGRES_IMAGE_NAME:-localhost/hexashop-postgres:15}
SOCK=/run/podman/podman.sock
log=/tmp/container-engine.log
warn() { echo "container-engine: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || warn "needs root"

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap; } >>"$log" 2>&1 \
    || warn "apt-get install podman runc debootstrap failed (see $log)"
fi

# This sandbox's hard limit on open files is low and its cgroups are hybrid v1: use runc and
# equal soft/hard limits (podman's compat API swaps soft and hard when they differ).
nofile=$(ulimit -Hn)
mkdir -p /etc/containers
cat > /etc/containers/containers.conf <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF

# No container registry is reachable from here: block the public ones so that a missing image
# fails at once, without any connection attempt.
mkdir -p /etc/containers/registries.conf.d
cat > /etc/containers/registries.conf.d/90-offline.conf <<CONF
unqualified-search-registries = []
[[registry]]
location = "docker.io"
blocked = true
[[registry]]
location = "quay.io"
blocked = true
[[registry]]
location = "ghcr.io"
blocked = true
[[registry]]
location = "gcr.io"
blocked = true
CONF

ping() { curl -fs --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }
# A service started from a directory that was deleted since (a CI clone removed and cloned
# again) answers pings but cannot start containers: conmon inherits its working directory
# and fails with "Failed to get working directory". Restart such a service.
for pid in $(pgrep -f "podman system service" || true); do
  if readlink "/proc/$pid/cwd" 2>/dev/null | grep -q ' (deleted)$'; then
    echo "restarting podman service $pid: its working directory is gone" >>"$log"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
done
if ! ping; then
  mkdir -p "$(dirname "$SOCK")"
  (cd / && exec nohup podman system service --time=0 "unix://$SOCK" >>"$log" 2>&1 </dev/null) &
  for _ in $(seq 1 50); do ping && break; sleep 0.2; done
  ping || warn "podman API did not come up (see $log)"
fi

if ! podman image exists "$IMAGE"; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || warn "no Debian mirror found in the apt sources"
  root=$(mktemp -d /tmp/pgimage.XXXXXX)
  debootstrap --variant=minbase --include=postgresql-15 bookworm "$root" "$mirror" >>"$log" 2>&1 \
    || warn "debootstrap failed (see $log)"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc "$root"/usr/share/man "$root"/var/lib/postgresql/15
  cat > "$root/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
set -e
bin=/usr/lib/postgresql/15/bin
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
[ "$1" = postgres ] && shift
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  printf '%s\n' "${POSTGRES_PASSWORD:-postgres}" > /tmp/pwfile && chown postgres /tmp/pwfile
  runuser -u postgres -- "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile=/tmp/pwfile \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f /tmp/pwfile
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  runuser -u postgres -- "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$db" != postgres ]; then
    runuser -u postgres -- "$bin/psql" -U "$user" -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\""
  fi
  runuser -u postgres -- "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop
fi
exec runuser -u postgres -- "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
ENTRY
  chmod +x "$root/usr/local/bin/docker-entrypoint.sh"
  tar -C "$root" -cf - . | podman import \
      --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' --change 'CMD ["postgres"]' \
      --change 'EXPOSE 5432' --change 'ENV LANG=C.UTF-8' - "$IMAGE" >>"$log" 2>&1 \
    || warn "podman import failed (see $log)"
  rm -rf "$root"
fi

cat <<ENV
export DOCKER_HOST=unix://$SOCK
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export TEST_POSTGRES_IMAGE=$IMAGE
ENV
