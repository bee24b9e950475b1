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

.PHONY: run test test-browser build wire wire-check fmt-check vet check vulncheck bench-load bench-lists bench-cart swagger-ui clean

## run: serve on :8080 in demo mode (in-memory store, demo data, mail to the log)
run:
	$(GO) run ./cmd/hexashop serve

## test: every test, with the race detector; integration tests find Postgres by themselves
test:
	$(GO) test -race -count=1 $(TESTFLAGS) ./...

## test-browser: Swagger UI in headless Chromium (Authorize, Try it out); installs Debian's
## chromium when missing (needs root or sudo). Screenshot: test/browser/screenshots/.
test-browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'; }
	$(GO) test -tags browser -count=1 -v ./test/browser

## build: the binary, in bin/
build:
	$(GO) build -o bin/hexashop ./cmd/hexashop

## wire: regenerate wiring/wire_gen.go after changing a provider set or injector
wire:
	$(GO) tool wire ./wiring

## wire-check: fail when wiring/wire_gen.go is stale
wire-check:
	@$(GO) tool wire diff ./wiring >/tmp/wire.diff 2>&1 || { cat /tmp/wire.diff; echo "wiring/wire_gen.go is stale: run 'make wire' and commit it"; exit 1; }
	@echo "wire_gen.go is up to date"

## fmt-check: fail when a Go file is not gofmt-ed
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## check: the static checks CI runs before the tests
check: fmt-check vet wire-check

## vulncheck: govulncheck against the Go vulnerability database, taken from the module proxy
## (golang.org/x/vulndb, pinned here) since vuln.go.dev may be unreachable; fails on any
## reachable finding, standard library included.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOVULNCHECK_VERSION ?= v1.9.0
vulncheck:
	@set -euo pipefail; db=$$(mktemp -d); trap 'rm -rf "$$db"' EXIT; \
	src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^\s*"Dir": "\(.*\)",$$/\1/p'); \
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out "$$db/v1"; \
	$(GO) version; \
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db "file://$$db/v1" ./...

## bench-load: the login-flood load run (wrk, loopback, about a minute); prints the table
## of docs/performance.md. Needs a Postgres (LOAD_DATABASE_URL or localhost:5432).
bench-load:
	test/load/flood.sh

## bench-lists: list pages at 1k / 100k / 1M products, 1k / 100k users, 100 / 10k orders
## (wrk, loopback, about five minutes with the seeding); prints the table of
## docs/performance.md. Needs a Postgres (LOAD_DATABASE_URL or localhost:5432).
bench-lists:
	test/load/lists.sh

## bench-cart: authenticated GET /cart against a minimal gin+pgx handler running the same
## query (wrk, loopback, about half a minute). Needs a Postgres, as bench-load.
bench-cart:
	test/load/cart.sh

## swagger-ui: refresh the vendored Swagger UI assets from npm (version pinned here)
SWAGGER_UI_VERSION ?= 5.35.0
swagger-ui:
	adapters/httpapi/swaggerui/update.sh $(SWAGGER_UI_VERSION)

clean:
	rm -rf bin
