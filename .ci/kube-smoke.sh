#!/usr/bin/env bash
# Kubernetes smoke (issue "Deploys on Kubernetes"), as far as a machine without a cluster
# allows: renders the Helm chart, runs the migration Job's container once, then
# `podman kube play`s the rendered serve and dispatch Deployments (podman 4.3: Pods and
# Deployments, the ConfigMap with --configmap, secretKeyRef from podman secrets) from the
# image .ci/build-image.sh builds, against a Postgres container on the same podman
# network. A register -> login -> cart -> checkout goes through serve, the order mail
# reaches the dispatcher's log, and `podman kube down` ends every container with exit 0.
# test/helm/kubeplay adapts the rendering to podman (one replica, hostPort on 127.0.0.1,
# the hook Job as a Pod) and changes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/hexashop:ci}
PG_IMAGE=${TEST_POSTGRES_IMAGE:-localhost/hexashop-postgres:15}
HELM_VERSION=${HELM_VERSION:-v3.22.0}
NET=hexashop-kube-$$
DB=hexashop-kube-db-$$
PORT=${KUBE_SMOKE_PORT:-18480}
MPORT=$((PORT + 10))
WORK=$(mktemp -d)
secrets=()
cleanup() {
  set +e
  for f in serve dispatch migrate; do [ -f "$WORK/$f.yaml" ] && podman kube down "$WORK/$f.yaml" >/dev/null 2>&1; done
  podman rm -f "$DB" >/dev/null 2>&1 || true
  podman secret rm kube-smoke-db-$$ "${secrets[@]}" >/dev/null 2>&1 || true
  podman network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

podman image exists "$IMAGE" || IMAGE=$IMAGE bash .ci/build-image.sh

chart=$(dirname "$(ls deploy/helm/*/Chart.yaml)")
GOFLAGS= go run "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" template shop "$chart" --kube-version 1.33.0 \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" \
  --set database.existingSecret=kube-smoke-db-$$ \
  --set config.BCRYPT_COST=4 >"$WORK/rendered.yaml"
(cd test/helm && GOFLAGS= go run ./kubeplay -in "$WORK/rendered.yaml" -out "$WORK" -http-port "$PORT" -metrics-port "$MPORT")

# podman 4.3 reads a secretKeyRef from a podman secret holding a JSON map of base64 values.
b64() { printf %s "$1" | base64 -w0; }
printf '{"DATABASE_URL":"%s"}' "$(b64 "postgres://postgres:smoke@$DB:5432/shop?sslmode=disable")" >"$WORK/db.json"
podman secret create kube-smoke-db-$$ "$WORK/db.json" >/dev/null
# The Secrets the chart makes (the generated signing key), as kubeplay converted them.
secrets=()
for f in "$WORK"/secret.*.json; do
  name=${f##*/secret.}; name=${name%.json}
  podman secret rm "$name" >/dev/null 2>&1 || true
  podman secret create "$name" "$f" >/dev/null
  secrets+=("$name")
done
echo "chart-made secrets: ${secrets[*]}"

podman network create "$NET" >/dev/null
podman run -d --name "$DB" --network "$NET" -e POSTGRES_PASSWORD=smoke -e POSTGRES_DB=shop "$PG_IMAGE" >/dev/null
# TCP, not the socket: the image's first start runs a socket-only server for its init.
for _ in $(seq 60); do podman exec "$DB" pg_isready -q -h 127.0.0.1 -U postgres 2>/dev/null && break; sleep 0.5; done

# The migration Job's container, until it succeeds (a Job retries up to backoffLimit).
echo "migration job: $(grep -A1 'args:' "$WORK/migrate.yaml" | tr -d '\n ')"
for attempt in 1 2 3 4 5 6; do
  podman kube play --network "$NET" "$WORK/migrate.yaml" 2>&1 | grep -v -e syslog -e systemd -e '^Pod:' -e '^Container:' -e '^[0-9a-f]\{64\}$' || true
  mig=$(podman ps -a --format '{{.Names}}' | grep -- '-migrate-migrate$' | head -n1)
  podman wait "$mig" >/dev/null
  [ "$(podman inspect -f '{{.State.ExitCode}}' "$mig")" = 0 ] && break
  podman logs "$mig" 2>&1 | tail -n 1
  [ "$attempt" = 6 ] && { echo "the migration job failed 6 times"; exit 1; }
  podman kube down "$WORK/migrate.yaml" >/dev/null 2>&1 || true
  sleep 2
done
podman logs "$mig" 2>&1 | tail -n 1

# (podman without systemd logs that it cannot schedule the image's HEALTHCHECK: harmless.)
for f in serve dispatch; do
  podman kube play --network "$NET" --configmap "$WORK/configmap.yaml" "$WORK/$f.yaml" 2>&1 | grep -v -e systemd -e '^Pod:' -e '^Container:' -e '^[0-9a-f]\{64\}$' || true
done
serve=$(podman ps --format '{{.Names}}' | grep -- '-serve$' | head -n1)
dispatch=$(podman ps --format '{{.Names}}' | grep -- '-dispatch$' | head -n1)
base=http://127.0.0.1:$PORT
for _ in $(seq 60); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "$base/readyz"; echo
curl -fsS "http://127.0.0.1:$MPORT/readyz" >/dev/null && echo "dispatcher's probe endpoint: ready"
podman inspect "$serve" --format 'serve container: user {{.Config.User}}, read-only root {{.HostConfig.ReadonlyRootfs}}, dropped {{.HostConfig.CapDrop}}'
[ "$(podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$serve")" = true ] || { echo "the root filesystem is writable"; exit 1; }

json='Content-Type: application/json'
curl -fsS -X POST "$base/user" -H "$json" -d '{"name":"Kube","email":"kube@example.com","password":"kube-password"}' >/dev/null
token=$(curl -fsS -X POST "$base/login" -d 'username=kube@example.com&password=kube-password' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
podman exec -e ADMIN_PASSWORD=kube-admin-password "$serve" /hexashop admin create --email admin@example.com >/dev/null 2>&1
admin=$(curl -fsS -X POST "$base/login" -d 'username=admin@example.com&password=kube-admin-password' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
curl -fsS "$base/user/me" -H "Authorization: Bearer $token" | grep -q '"email":"kube@example.com"' || { echo "GET /user/me through the pods failed"; exit 1; }
# shop:begin
cat=$(curl -fsS -X POST "$base/products/category" -H "Authorization: Bearer $admin" -H "$json" -d '{"name":"Kube"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
product=$(curl -fsS -X POST "$base/products" -H "Authorization: Bearer $admin" -H "$json" \
  -d "{\"name\":\"Kube test\",\"price_cents\":999,\"stock\":3,\"category_id\":$cat}" | sed 's/.*"id":\([0-9]*\).*/\1/')
curl -fsS -X POST "$base/cart/items" -H "Authorization: Bearer $token" -H "$json" -d "{\"product_id\":$product,\"quantity\":2}" >/dev/null
order=$(curl -fsS -X POST "$base/orders" -H "Authorization: Bearer $token" -H "$json" -d '{"shipping_address":"1 Pod Street"}')
echo "order: $order"
grep -q '"total_cents":1998' <<<"$order" || { echo "checkout through the pods did not give the order"; exit 1; }
id=$(sed 's/.*"id":\([0-9]*\),.*/\1/' <<<"$order")

for _ in $(seq 60); do podman logs "$dispatch" 2>&1 | grep -q "order #$id" && break; sleep 0.5; done
podman logs "$dispatch" 2>&1 | grep -q "order #$id" || { podman logs "$dispatch" | tail; echo "the order mail did not reach the dispatcher"; exit 1; }
echo "order mail #$id: in the dispatcher's log"
if podman logs "$serve" 2>&1 | grep -q "order #$id"; then echo "serve sent the mail though SERVE_DISPATCH=false"; exit 1; fi
# shop:end

for c in "$serve" "$dispatch"; do podman pod stop -t 50 "$(podman inspect -f '{{.Pod}}' "$c")" >/dev/null; done
for c in "$serve" "$dispatch"; do
  code=$(podman inspect -f '{{.State.ExitCode}}' "$c")
  [ "$code" = 0 ] || { podman logs "$c" | tail -n 5; echo "$c exited $code on SIGTERM"; exit 1; }
done
podman kube down "$WORK/serve.yaml" >/dev/null && podman kube down "$WORK/dispatch.yaml" >/dev/null && podman kube down "$WORK/migrate.yaml" >/dev/null
echo "kube smoke passed: chart rendered, migrated by the job's container, serve and dispatch pods played, checkout served, mail dispatched, both exited 0"
