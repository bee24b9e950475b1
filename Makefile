# Hexashop — see README.md. Every target works on a fresh clone with Go 1.26.
SHELL := /bin/bash
GO ?= go
# Extra flags for go test, e.g. `make test TESTFLAGS=-v` to see which database the
# integration tests found.
TESTFLAGS ?=

.PHONY: run test build wire wire-check fmt-check vet check clean

## run: serve on :8080 in demo mode (in-memory store, demo data, mail to the log)
run:
	$(GO) run ./cmd/hexashop serve

## test: every test, with the race detector; integration tests find Postgres by themselves
test:
	$(GO) test -race -count=1 $(TESTFLAGS) ./...

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

clean:
	rm -rf bin
