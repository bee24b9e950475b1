# Hexashop — see README.md. Every target works on a fresh clone with Go 1.26 or newer.
SHELL := /bin/bash
GO ?= go
# The toolchain the service is built and tested with: go1.27.3 has the fixes for the
# standard-library vulnerabilities govulncheck reports in go1.26.8. The go command fetches
# it from the module proxy on first use (about 76 MB). GOTOOLCHAIN=local make ... keeps
# the installed Go instead.
export GOTOOLCHAIN ?= go1.27.3
# Extra flags for go test, e.g. `make test TESTFLAGS=-v` to see which database the
# integration tests found.
TESTFLAGS ?=

# Tool versions, pinned; `go run pkg@version` keeps them out of go.mod.
GOLANGCI_LINT_VERSION ?= v2.15.0
ACTIONLINT_VERSION ?= v1.7.12
REDOCLY_VERSION ?= 2.77.0

.DEFAULT_GOAL := help
.PHONY: bench-catalog bench-reset help run test test-unit test-template migration migrations-sum strip openapi openapi-check test-deps test-one test-browser chart kube-smoke build wire wire-check fmt-check vet lint openapi-lint actionlint check vulncheck rename bench-load bench-lists bench-cart bench-topology swagger-ui clean

## help: list the targets (this text)
help:
	@echo "usage: make TARGET   (quick start: make run; make test)"
	@awk '/^## [a-z-]+:/ { sub(/^## /, ""); i = index($$0, ":"); printf "  %-13s%s\n", substr($$0, 1, i - 1), substr($$0, i + 1) }' $(MAKEFILE_LIST)

## run: serve on 127.0.0.1:8080 in demo mode (in-memory store, demo data, mail to the log)
run:
	$(GO) run ./cmd/hexashop serve

## test: every test, with the race detector; integration tests find Postgres by themselves
test: test-deps
	$(GO) test -race -count=1 $(TESTFLAGS) ./...

## test-unit: the tests that need no database (seconds): unit, memory contract, document, architecture
# Every package whose tests do not start Postgres (test/pgtest), plus the memory half of
# the contract suites and the migration checksums.
test-unit:
	$(GO) test -count=1 $(TESTFLAGS) $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep -v '/test/pgtest' | awk '{print $$1}')
	$(GO) test -count=1 $(TESTFLAGS) -run '^TestMemory$$' ./test/contract
	$(GO) test -count=1 $(TESTFLAGS) -run '^TestReleasedMigrationsAreUnchanged$$' ./adapters/postgres

## test-template: the template's own self-tests (rename, strip, the worked example); not a fork's concern
# They copy the whole tree and build it again (minutes). A fork may delete test/rename,
# test/extending and test/strip, or keep them; make test never runs them (build tag).
test-template: test-deps
	$(GO) test -tags template -count=1 $(TESTFLAGS) ./test/rename ./test/extending ./test/strip

## test-deps: PostgreSQL server binaries and pgbouncer for the topology tests (installed on Debian)
test-deps:
	@test/deps.sh

## test-one: one test, verbose: make test-one RUN=TestCartEndpoints [PKG=./test/e2e]
RUN ?=
PKG ?= ./...
test-one:
	@test -n "$(RUN)" || { echo "usage: make test-one RUN=TestName [PKG=./test/e2e]"; exit 2; }
	$(GO) test -race -count=1 -v -run '$(RUN)' $(PKG)

## test-browser: Swagger UI in headless Chromium (its own module, test/browser)
test-browser:
	@[ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'; }
	cd test/browser && $(GO) test -count=1 -v .

## chart: the Helm chart: helm lint --strict, rendered objects decoded by k8s.io/api and checked (test/helm)
HELM_VERSION ?= v3.22.0
chart:
	cd test/helm && GOFLAGS= HELM_VERSION=$(HELM_VERSION) $(GO) test -count=1 -v .

## kube-smoke: the chart's Deployments under podman kube play, with a checkout through them (needs podman)
kube-smoke:
	HELM_VERSION=$(HELM_VERSION) .ci/kube-smoke.sh

## build: the binary, in bin/
build:
	$(GO) build -o bin/hexashop ./cmd/hexashop

## wire: regenerate wiring/wire_gen.go after changing a provider set or injector
wire:
	$(GO) tool wire ./wiring

## wire-check: fail when wiring/wire_gen.go is stale (or when wire cannot generate it at all)
wire-check:
	@out=$$($(GO) tool wire diff ./wiring 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ] && echo "$$out" | grep -q '^wire: '; then echo "$$out"; echo "wire cannot generate wiring/: fix the provider sets above"; exit 1; fi; \
	if [ $$rc -ne 0 ]; then echo "$$out"; echo "wiring/wire_gen.go is stale: run 'make wire' and commit it"; exit 1; fi
	@echo "wire_gen.go is up to date"

## openapi: write docs/openapi.yaml from its fragments, docs/api/*.yaml (base.yaml and one per feature)
openapi:
	$(GO) run ./cmd/openapi-bundle

## openapi-check: fail when docs/openapi.yaml is not what docs/api/*.yaml make
openapi-check:
	@$(GO) run ./cmd/openapi-bundle -check

## fmt-check: fail when a Go file (tracked or new, not ignored) is not gofmt-ed
fmt-check:
	@out=$$(git ls-files -z --cached --others --exclude-standard '*.go' | xargs -0 -r gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## vet: go vet, on the service and on the browser and chart test modules
vet:
	$(GO) vet ./...
	cd test/browser && $(GO) vet ./...
	cd test/helm && GOFLAGS= $(GO) vet ./...

## lint: golangci-lint with .golangci.yml (pinned version, run with go run)
lint:
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

## openapi-lint: docs/openapi.yaml against Redocly CLI's recommended rules (npx, pinned)
openapi-lint:
	npx --yes @redocly/cli@$(REDOCLY_VERSION) lint --format=stylish docs/openapi.yaml

## actionlint: lint the GitHub Actions workflow
actionlint:
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION) .github/workflows/*.yml

## check: the static checks CI runs before the tests (gofmt, vet, wire and OpenAPI drift)
check: fmt-check vet wire-check openapi-check

## migration: a new migration with the next free number: make migration NAME=add_reviews
migration:
	@test -n "$(NAME)" || { echo "usage: make migration NAME=add_reviews"; exit 2; }
	@dir=adapters/postgres/migrations; last=$$(ls $$dir | sed -n 's/^\([0-9][0-9]*\)_.*\.sql$$/\1/p' | sort -n | tail -1); \
	next=$$(printf '%03d' $$((10#$${last:-0} + 1))); f=$$dir/$${next}_$(NAME).sql; \
	printf -- '-- %s: what this migration does, and why.\n\n\n---- create above / drop below ----\n\n' "$(NAME)" > $$f; \
	echo "created $$f: write it, then make migrations-sum (once it is final) and commit both"

## migrations-sum: record the migrations' checksums (released migrations must not change)
migrations-sum:
	cd adapters/postgres/migrations && sha256sum *.sql > SHA256SUMS

# shop:begin
## strip: remove the shop (catalog, cart, orders), keep accounts and the platform; run on a clean tree
strip:
	$(GO) run ./cmd/strip
	@echo "stripped: review with git status, then make check && make test, and commit"
# shop:end

## rename: make a fork your own: make rename MODULE=github.com/acme/orders-api [NAME=..] [TITLE=..]
MODULE ?=
NAME ?=
TITLE ?=
rename:
	@test -n "$(MODULE)" || { echo "usage: make rename MODULE=github.com/acme/orders-api [NAME=orders-api] [TITLE='Orders API']"; exit 2; }
	$(GO) run ./cmd/rename -module '$(MODULE)' -name '$(NAME)' -title '$(TITLE)'

## vulncheck: govulncheck; fails on any reachable known vulnerability, standard library included
# The database comes from the module proxy (golang.org/x/vulndb, pinned here), since
# vuln.go.dev may be unreachable.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOVULNCHECK_VERSION ?= v1.9.0
vulncheck:
	@set -euo pipefail; db=$$(mktemp -d); trap 'rm -rf "$$db"' EXIT; \
	src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^\s*"Dir": "\(.*\)",$$/\1/p'); \
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out "$$db/v1"; \
	$(GO) version; \
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db "file://$$db/v1" ./...

# shop:begin (the load scripts drive the shop: make strip removes them)
## bench-load: login flood vs list reads (wrk, loopback, about a minute)
# Prints the table of docs/performance.md. Needs a Postgres (LOAD_DATABASE_URL or
# localhost:5432).
bench-load:
	test/load/flood.sh

## bench-lists: list pages at 1k / 100k / 1M rows (wrk, loopback, about five minutes)
# Products at 1k / 100k / 1M, users at 1k / 100k, orders at 100 / 10k; prints the table of
# docs/performance.md. Needs a Postgres, as bench-load.
bench-lists:
	test/load/lists.sh

## bench-reset: POST /password-reset for an existing and an unknown address: same time? (about a minute)
# Needs a Postgres, as bench-load.
bench-reset:
	test/load/reset.sh

## bench-cart: authenticated GET /cart vs a minimal gin+pgx handler (about half a minute)
# The handler runs the same query (wrk, loopback). Needs a Postgres, as bench-load.
bench-cart:
	test/load/cart.sh

## bench-catalog: catalog reads: cache on/off vs a minimal gin+pgx handler and the HTTP ceiling, 304 vs 200 (about 3 minutes)
# Needs a Postgres, as bench-load.
bench-catalog:
	test/load/catalog.sh

## bench-topology: direct vs PgBouncer vs read replica, and the failover figures (about 3 minutes)
# Starts its own primary, streaming replica and pgbouncer (test/deps.sh installs them).
bench-topology:
	test/load/topology.sh
# shop:end

## swagger-ui: refresh the vendored Swagger UI assets from npm (version pinned here)
SWAGGER_UI_VERSION ?= 5.35.0
swagger-ui:
	adapters/httpapi/swaggerui/update.sh $(SWAGGER_UI_VERSION)

## clean: remove bin/
clean:
	rm -rf bin
