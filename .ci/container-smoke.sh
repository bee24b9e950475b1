#!/usr/bin/env bash
# Container smoke (issue "Operable"): builds the Dockerfile under the podman engine that
# .ci/container-engine.sh started, from local base images (no registry is reachable here:
# the builder is the local Debian image, with the host's Go toolchain and module cache
# mounted read-only, GOPROXY=off), runs it on a podman network beside a Postgres container,
# lets `serve` apply the migrations, drives register -> login -> checkout through it,
# checks the healthcheck subcommand, then stops it with SIGTERM and wants exit code 0.
# Needs DOCKER_HOST-independent podman (root) and TEST_POSTGRES_IMAGE from the engine script.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/hexashop:ci
NET=hexashop-ci-$$
DB=hexashop-ci-db-$$
APP=hexashop-ci-app-$$
PORT=${SMOKE_PORT:-18380}
PG_IMAGE=${TEST_POSTGRES_IMAGE:-localhost/hexashop-postgres:15}
cleanup() {
  podman rm -f "$APP" "$DB" >/dev/null 2>&1 || true
  podman network rm "$NET" >/dev/null 2>&1 || true
}
trap cleanup EXIT

IMAGE=$IMAGE bash .ci/build-image.sh

podman network create "$NET" >/dev/null
podman run -d --name "$DB" --network "$NET" -e POSTGRES_PASSWORD=smoke -e POSTGRES_DB=shop "$PG_IMAGE" >/dev/null
podman run -d --name "$APP" --network "$NET" -p "127.0.0.1:$PORT:8080" \
  -e DATABASE_URL="postgres://postgres:smoke@$DB:5432/shop?sslmode=disable" \
  -e JWT_KEYS="$(openssl ecparam -name prime256v1 -genkey -noout)" -e BCRYPT_COST=4 -e LOG_FORMAT=json \
  "$IMAGE" >/dev/null
base=http://127.0.0.1:$PORT
for _ in $(seq 120); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  # serve exits when the database is not up yet: restart it until the database answers
  if [ "$(podman inspect -f '{{.State.Running}}' "$APP")" != true ]; then podman start "$APP" >/dev/null; fi
  sleep 0.5
done
curl -fsS "$base/readyz"; echo
podman exec "$APP" /hexashop healthcheck && echo "healthcheck subcommand: ok"

json='Content-Type: application/json'
curl -fsS -X POST "$base/user" -H "$json" -d '{"name":"Smoke","email":"smoke@example.com","password":"smoke-password"}' >/dev/null
token=$(curl -fsS -X POST "$base/login" -d 'username=smoke@example.com&password=smoke-password' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
podman exec -e ADMIN_PASSWORD=smoke-admin-password "$APP" /hexashop admin create --email admin@example.com >/dev/null 2>&1
admin=$(curl -fsS -X POST "$base/login" -d 'username=admin@example.com&password=smoke-admin-password' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
curl -fsS "$base/user/me" -H "Authorization: Bearer $token" | grep -q '"email":"smoke@example.com"' || { echo "GET /user/me through the image failed"; exit 1; }
# shop:begin
cat=$(curl -fsS -X POST "$base/products/category" -H "Authorization: Bearer $admin" -H "$json" -d '{"name":"Smoke"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
product=$(curl -fsS -X POST "$base/products" -H "Authorization: Bearer $admin" -H "$json" \
  -d "{\"name\":\"Smoke test\",\"price_cents\":1234,\"stock\":3,\"category_id\":$cat}" | sed 's/.*"id":\([0-9]*\).*/\1/')
curl -fsS -X POST "$base/cart/items" -H "Authorization: Bearer $token" -H "$json" -d "{\"product_id\":$product,\"quantity\":2}" >/dev/null
order=$(curl -fsS -X POST "$base/orders" -H "Authorization: Bearer $token" -H "$json" -d '{"shipping_address":"1 Container Way"}')
echo "order: $order"
grep -q '"total_cents":2468' <<<"$order" || { echo "checkout through the image did not give the order"; exit 1; }
# shop:end

podman stop -t 20 "$APP" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$APP")
podman logs "$APP" 2>&1 | tail -n 3
[ "$code" = 0 ] || { echo "the service exited $code on SIGTERM"; exit 1; }
echo "container smoke passed: built offline, migrated, served, exited 0 on SIGTERM"
