#!/usr/bin/env bash
# Prints the vendorHash that flake.nix pins: the NAR hash (SRI form) of the
# vendor/ directory `go mod vendor` writes for this module, which is exactly
# what nixpkgs' buildGoModule hashes. It runs on any machine with Go and Nix
# (nix-hash/nix 2.8 or later), no nixpkgs needed.
#
#   scripts/vendor-hash.sh          print the hash
#   scripts/vendor-hash.sh --check  fail when flake.nix pins another one
#   scripts/vendor-hash.sh --write  write it into flake.nix
#
# After changing go.mod, run `make vendor-hash` (--write) and commit flake.nix.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

# The Go sources (vendoring looks at every import, tests included) and the
# module files; nothing else changes what go mod vendor writes.
cp go.mod go.sum "$tmp/"
find . -name '*.go' -not -path './vendor/*' -not -path './.git/*' -print0 |
	xargs -0 cp --parents -t "$tmp"
(cd "$tmp" && GOWORK=off GOFLAGS=-mod=mod go mod vendor)
hash=$(nix --extra-experimental-features nix-command hash path --type sha256 "$tmp/vendor")

pinned=$(sed -n 's/^ *vendorHash = "\(sha256-[^"]*\)";.*/\1/p' flake.nix)
case "${1:-}" in
--check)
	if [ "$hash" != "$pinned" ]; then
		echo "flake.nix: vendorHash is ${pinned:-not pinned}, but the vendored modules hash to $hash" >&2
		echo "run: make vendor-hash" >&2
		exit 1
	fi
	;;
--write)
	sed -i "s|^\( *vendorHash = \)\"[^\"]*\";|\1\"$hash\";|" flake.nix
	echo "$hash"
	;;
*)
	echo "$hash"
	;;
esac
