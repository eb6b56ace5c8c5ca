# pinner — developer entry points. `make test` is what CI runs (.ci/run).
GO        ?= go
BIN       ?= bin/pinner
FUZZTIME  ?= 10s
export NIX_CONFIG ?= substituters =

.PHONY: all build test lint fuzz bench demo clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pinner

# The whole suite. Tests that need nix-instantiate or docker-registry skip only
# when the binary is absent; .ci/run installs both.
test: lint
	$(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# A short run of every fuzz target (CI runs this after the tests).
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/nix/syntax

# Parse speed: pinner scan against nix-instantiate --parse on a generated
# corpus of kubenix-like modules (both limited to two cores), then the
# parser's throughput from go test -bench.
bench: build
	$(GO) run ./internal/bench/parsecmp -pinner $(BIN)
	$(GO) test -run='^$$' -bench='^BenchmarkParse$$' -benchmem ./internal/nix/syntax

# Placeholder: the end-to-end demo (update --all on a copy of modules-fixtures)
# arrives with `pinner update`.
demo:
	@echo "make demo: not yet available (arrives with 'pinner update'); run 'make test'." >&2
	@exit 2

clean:
	rm -rf bin
