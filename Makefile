# Hexashop — see README.md. Every target works on a fresh clone with Go 1.26.
SHELL := /bin/bash
GO ?= go
# Extra flags for go test, e.g. `make test TESTFLAGS=-v` to see which database the
# integration tests found.
TESTFLAGS ?=

.PHONY: run test test-browser build wire wire-check fmt-check vet check swagger-ui clean

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

## swagger-ui: refresh the vendored Swagger UI assets from npm (version pinned here)
SWAGGER_UI_VERSION ?= 5.35.0
swagger-ui:
	adapters/httpapi/swaggerui/update.sh $(SWAGGER_UI_VERSION)

clean:
	rm -rf bin
