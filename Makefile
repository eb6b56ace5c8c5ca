# pinner — developer entry points. `make test` is what CI runs (.ci/run).
GO        ?= go
BIN       ?= bin/pinner
FUZZTIME  ?= 10s
export NIX_CONFIG ?= substituters =

.PHONY: all build test lint lint-flake vendor-hash fuzz race bench bench-rewrite bench-check bench-rendered bench-resolve bench-push bench-n2c demo clean

all: build

# Go 1.26: the go on PATH, else the one `make setup` installs as root in
# /usr/local/go (Debian 12's golang-go is 1.19). GO_VERSION is the one it
# installs.
GO_VERSION ?= 1.26.8
export PATH := $(PATH):/usr/local/go/bin

# What each entry point needs, checked first by scripts/setup.sh: run as
# root it installs what is missing (Debian packages, Go); otherwise it says
# exactly what is missing and how to install it, and stops.
.PHONY: setup need-go need-demo need-test need-race
setup:
	@GO="$(GO)" GO_VERSION=$(GO_VERSION) sh scripts/setup.sh demo test race
need-go need-demo need-test need-race:
	@GO="$(GO)" GO_VERSION=$(GO_VERSION) sh scripts/setup.sh $(@:need-%=%)

build: need-go
	$(GO) build -o $(BIN) ./cmd/pinner

# The whole suite. Tests that need nix-instantiate or docker-registry skip only
# when the binary is absent; need-test installs both.
test: need-test lint
	$(GO) test -count=1 ./...

lint: need-go
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@$(MAKE) --no-print-directory lint-flake

# flake.nix: it parses, its outputs evaluate for both systems against a
# stand-in for nixpkgs, and its vendorHash is the hash of the vendored
# modules. Needs nix-instantiate (nix-bin); skipped, saying so, without it.
lint-flake:
	@if ! command -v nix-instantiate >/dev/null; then echo "lint-flake: nix-instantiate not found; flake.nix not checked"; exit 0; fi; \
	nix-instantiate --parse flake.nix >/dev/null && \
	nix-instantiate --eval --strict scripts/flake-eval.nix >/dev/null && \
	scripts/vendor-hash.sh --check

# Recompute flake.nix's vendorHash after changing go.mod.
vendor-hash:
	scripts/vendor-hash.sh --write

# A short run of every fuzz target (CI runs this after the tests): go test
# -fuzz takes one package and one target at a time. New findings land in the
# package's testdata/fuzz/ and become regression tests of `make test`.
# Minimizing each new interesting input (60s by default) would take most of
# a 10s run, several times the executions without it; FUZZMINIMIZE=60s for
# long runs, to shrink a crasher further.
FUZZMINIMIZE ?= 1s
FUZZ_TARGETS = ./internal/nix/syntax:FuzzParse ./internal/imageref:FuzzParse \
               ./internal/scan:FuzzFile ./internal/config:FuzzLoad \
               ./internal/rendered:FuzzFile
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) $$pkg; \
	done

# The whole suite under the race detector (CI runs it after make test).
race: need-race
	$(GO) test -race -count=1 ./...

# Parse speed: pinner scan against nix-instantiate --parse on a generated
# corpus of kubenix-like modules (both limited to two cores), pinner's peak
# RSS scanning a 240 MB corpus, then the parser's throughput from go test
# -bench.
bench: build
	$(GO) run ./internal/bench/parsecmp -pinner $(BIN)
	$(GO) test -run='^$$' -bench='^BenchmarkParse$$' -benchmem ./internal/nix/syntax

# Rewriting a module whose every site is pinned, at 1 MB and at 8 MB: the
# time per site of each and their ratio (near 1 when the work is linear).
bench-rewrite:
	$(GO) test -run='^$$' -bench='^BenchmarkRewriteScaling$$' -benchtime=5x ./internal/rewrite

# pinner check as a whole process on ~150 kubenix modules (the fixtures
# replicated), as a pre-commit hook runs it, against a plain grep of the tree.
bench-check: build
	$(GO) run ./internal/bench/checktime -pinner $(BIN)

# pinner check --rendered as a whole process on ~120 rendered manifest
# files, against pinner check of the modules beside them and a cat of the
# YAML, in the same run.
bench-rendered: build
	$(GO) run ./internal/bench/renderedtime -pinner $(BIN)

# pinner resolve on 100 references (20 repositories x 5 tags) in the CNCF
# distribution registry on a loopback port, against a serial loop of
# skopeo inspect; also the manifest requests per reference.
bench-resolve: build
	$(GO) run ./internal/bench/resolvecmp -pinner $(BIN)

# Pushing a 1 GiB image built through Nix (4 layers of 256 MiB of
# incompressible bytes) to the CNCF distribution registry on a loopback port:
# pinner update against skopeo copy docker-archive:, wall time and peak RSS.
bench-push: build
	$(GO) run ./internal/bench/pushcmp -pinner $(BIN)

# Pushing a 1 GiB nix2container image (image.json, 4 layers of 256 MiB of
# incompressible bytes, built through Nix with the real nix2container from
# ../shared/tools/nix2container, or N2C=DIR) to the CNCF distribution
# registry on a loopback port: pinner update against skopeo copy of the
# same layers as a docker-archive, wall time and peak RSS, and their ratios.
N2C ?= ../shared/tools/nix2container
bench-n2c: build
	$(GO) run ./internal/bench/n2ccmp -pinner $(BIN) -n2c $(N2C)

# The main job end to end, offline: pinner update --all on a temporary copy of
# registry.yaml and modules-fixtures, the eleven fixture images built through
# Nix and pushed into an OCI layout there (--push-to oci:DIR); then the diff,
# the changelog, the lock, and a second run that must change nothing.
# DEMO_KEEP=1 keeps the temporary directory.
demo: need-demo build
	$(GO) run ./internal/demo -pinner $(BIN)

clean:
	rm -rf bin
