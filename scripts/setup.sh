#!/bin/sh
# What `make demo`, `make test` and `make race` need, checked before they
# run: Go 1.26 and the Debian 12 packages of each. Run as root, it installs
# what is missing (apt-get, never sudo: a bare Debian 12 has no sudo); run
# as anyone else, it names exactly what is missing and the commands that
# install it, and fails.
#
# Usage: scripts/setup.sh go|demo|test|race...
# SETUP_CHECK_ONLY=1 installs nothing, even as root: it only reports.
#
# Debian 12's golang-go is Go 1.19, too old for go.mod's "go 1.26". As root,
# Go $GO_VERSION goes into /usr/local/go (the Makefile puts /usr/local/go/bin
# on PATH): Debian's golang-1.19-go, installed for the moment, downloads the
# golang.org/toolchain module of that version through the Go module proxy
# (checked against the checksum database, as `go` does for any module), and
# is removed again afterwards if it was not there before.
set -eu

GO=${GO:-go}
GO_VERSION=${GO_VERSION:-1.26.8}
GO_MINOR_MIN=26
GO_DIR=${GO_DIR:-/usr/local/go} # overridable to try the script elsewhere

root=false
[ "$(id -u)" = 0 ] && [ "${SETUP_CHECK_ONLY:-}" != 1 ] && root=true

say() { printf 'setup: %s\n' "$*" >&2; }

# Debian package and the command that shows it is installed.
needs_go=false
pkgs=""
add() {
	case " $pkgs " in *" $1 "*) ;; *) pkgs="$pkgs $1" ;; esac
}
for target in "$@"; do
	case $target in
	go) needs_go=true ;;
	demo) needs_go=true; add git; add nix-bin ;;
	test) needs_go=true; add git; add nix-bin; add docker-registry; add skopeo; add tmux; add patch; add jq ;;
	race) needs_go=true; add git; add nix-bin; add docker-registry; add skopeo; add tmux; add patch; add jq; add gcc ;;
	*) say "unknown target $target (want go, demo, test or race)"; exit 2 ;;
	esac
done

command_of() {
	case $1 in
	nix-bin) echo nix ;;
	*) echo "$1" ;;
	esac
}

apt_install() {
	say "installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2068 # package names, split on purpose
	apt-get install -y -qq --no-install-recommends --no-upgrade $@ >/dev/null
}

# --- Debian packages -------------------------------------------------------
missing=""
for p in $pkgs; do
	command -v "$(command_of "$p")" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if $root; then
		# shellcheck disable=SC2086
		apt_install $missing
	else
		say "missing Debian packages:$missing"
		say "install them as root:  apt-get install -y$missing"
		say "  (or with sudo:         sudo apt-get install -y$missing)"
		exit 1
	fi
fi

# --- Nix -------------------------------------------------------------------
case " $pkgs " in *" nix-bin "*)
	if $root; then
		# Nix as root builds as the users of group nixbld, which only
		# nix-setup-systemd creates; single-user Nix needs none.
		if ! getent group nixbld >/dev/null && [ ! -e /etc/nix/nix.conf ]; then
			say "writing /etc/nix/nix.conf: single-user builds as root (no nixbld group)"
			mkdir -p /etc/nix
			printf 'build-users-group =\nsandbox = false\n' >/etc/nix/nix.conf
		fi
	elif [ ! -w /nix/store ] && [ ! -S /nix/var/nix/daemon-socket/socket ]; then
		say "nix cannot build as $(id -un): /nix/store is not writable and no nix-daemon runs"
		say "as root: apt-get install -y nix-setup-systemd && adduser $(id -un) nix-users"
		say "then log in again (the group applies to new sessions)"
		exit 1
	fi
	;;
esac

# --- Go --------------------------------------------------------------------
# go_minor prints the minor version of Go 1.x at $1 ("26" for go1.26.8).
go_minor() {
	v=$("$1" env GOVERSION 2>/dev/null) || return 1
	case $v in go1.*) ;; *) return 1 ;; esac
	v=${v#go1.}
	printf '%s\n' "${v%%[!0-9]*}"
}

case $(dpkg --print-architecture 2>/dev/null || uname -m) in
amd64 | x86_64) arch=amd64 ;;
arm64 | aarch64) arch=arm64 ;;
*) arch="" ;;
esac

install_go() {
	if [ -z "$arch" ]; then
		say "no Go $GO_VERSION to install for this architecture; install Go 1.$GO_MINOR_MIN or later yourself"
		exit 1
	fi
	if [ -e "$GO_DIR" ]; then
		say "$GO_DIR exists but is not Go 1.$GO_MINOR_MIN or later ($("$GO_DIR/bin/go" env GOVERSION 2>/dev/null || echo unknown));"
		say "move it away (mv $GO_DIR $GO_DIR.old) and run this again to install Go $GO_VERSION there"
		exit 1
	fi
	boot="" boot_installed=false
	if command -v go >/dev/null 2>&1 && m=$(go_minor go) && [ "$m" -ge 19 ]; then
		boot=$(command -v go)
	elif [ -x /usr/lib/go-1.19/bin/go ]; then
		boot=/usr/lib/go-1.19/bin/go
	else
		apt_install golang-1.19-go ca-certificates
		boot=/usr/lib/go-1.19/bin/go boot_installed=true
	fi
	module=golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-$arch
	say "downloading Go $GO_VERSION ($module) with $("$boot" env GOVERSION)"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp" "$GO_DIR.partial"' EXIT
	if ! env GOPATH="$tmp/gopath" GOMODCACHE="$tmp/mod" GOCACHE="$tmp/cache" GOFLAGS=-modcacherw \
		GO111MODULE=on GOTOOLCHAIN=local "$boot" mod download "$module"; then
		say "downloading $module failed (is the Go module proxy reachable? GOPROXY=$("$boot" env GOPROXY))"
		exit 1
	fi
	# The module cache keeps no file modes: as the go command does for the
	# toolchains it downloads, mark the programs executable.
	cp -R "$tmp/mod/$module" "$GO_DIR.partial"
	chmod -R u+w,a+rX "$GO_DIR.partial"
	find "$GO_DIR.partial/bin" "$GO_DIR.partial/pkg/tool" -type f -exec chmod a+x {} +
	mv "$GO_DIR.partial" "$GO_DIR"
	if $boot_installed; then
		say "removing golang-1.19-go, needed only to download Go $GO_VERSION"
		apt-get remove -y -qq golang-1.19-go golang-1.19-src >/dev/null
	fi
	say "installed $("$GO_DIR/bin/go" version) in $GO_DIR"
}

if $needs_go; then
	found=$(command -v "$GO" 2>/dev/null || true)
	minor=""
	[ -n "$found" ] && minor=$(go_minor "$found" || true)
	if [ -z "$minor" ] || [ "$minor" -lt "$GO_MINOR_MIN" ]; then
		what="no go on PATH"
		[ -n "$found" ] && what="$found is $("$found" env GOVERSION 2>/dev/null || echo 'not a working go')"
		if [ -x "$GO_DIR/bin/go" ] && m=$(go_minor "$GO_DIR/bin/go") && [ "$m" -ge "$GO_MINOR_MIN" ]; then
			say "Go 1.$GO_MINOR_MIN or later is needed, and $what; $GO_DIR/bin/go is $("$GO_DIR/bin/go" env GOVERSION):"
			say "put it first on PATH:  export PATH=$GO_DIR/bin:\$PATH"
			exit 1
		fi
		if ! $root; then
			say "Go 1.$GO_MINOR_MIN or later is needed, and $what (Debian 12's golang-go is 1.19)."
			say "as root, this installs Go $GO_VERSION in $GO_DIR:  make setup"
			say "  (or with sudo: sudo make setup; or from the Go download page: go$GO_VERSION.linux-${arch:-amd64}.tar.gz into /usr/local)"
			exit 1
		fi
		install_go
		if [ -n "$found" ]; then
			say "PATH still finds $found first: put $GO_DIR/bin first:  export PATH=$GO_DIR/bin:\$PATH"
			exit 1
		fi
	fi
fi
