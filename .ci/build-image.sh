#!/usr/bin/env bash
# Builds the Dockerfile as localhost/hexashop:ci under podman, offline: no registry is
# reachable here, so the builder is the local Postgres image (Debian), with the host's Go
# toolchain and module cache mounted read-only and GOPROXY=off. Used by
# .ci/container-smoke.sh and .ci/kube-smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/hexashop:ci}
PG_IMAGE=${TEST_POSTGRES_IMAGE:-localhost/hexashop-postgres:15}
goroot=$(go env GOROOT)
modcache=$(go env GOMODCACHE)
echo "building $IMAGE with builder $PG_IMAGE and $(go version | cut -d' ' -f3) from $goroot"
podman build -q -t "$IMAGE" \
  --build-arg BUILDER_IMAGE="$PG_IMAGE" --build-arg RUNTIME_IMAGE=scratch \
  --format docker -v "$goroot:/usr/local/go:ro" -v "$modcache:/go/pkg/mod:ro" -v "$(go env GOCACHE):/tmp/gocache" \
  --env GOPROXY=off --env GOMODCACHE=/go/pkg/mod \
  . >/dev/null
podman image inspect "$IMAGE" --format 'image: {{.Size}} bytes, user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}'
