// Package imageref parses container image references while keeping the
// user's spelling, so that pinner can write a digest back into a file without
// changing anything else about the reference.
//
// It is a thin layer over go-containerregistry's pkg/name, which does the
// normalisation (Docker Hub defaults, "library/" namespace). On top of it,
// Parse is stricter than pkg/name in the ways a file editor needs:
//
//   - repository path components follow the distribution grammar
//     (lowercase alphanumerics separated by ".", "_", "__" or dashes), so
//     paths such as "/var/lib" or "./x" are rejected;
//   - a digest must be "sha256:" followed by 64 lowercase hex digits;
//   - the string is taken as written: no surrounding space, no URL scheme.
package imageref

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
)

// DockerHub is the registry that short names such as "busybox" live on, in
// the spelling pinner prints.
const DockerHub = "docker.io"

// maxRepository is the longest repository path registries accept.
const maxRepository = 255

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("invalid image reference")

// The grammar's pieces, matched by hand rather than by regexp (the scan
// checks every string of every module). Each is the regexp in its comment;
// imageref_match_test.go holds them to it.

// validDigest is ^sha256:[0-9a-f]{64}$.
func validDigest(d string) bool {
	if len(d) != len("sha256:")+64 || d[:len("sha256:")] != "sha256:" {
		return false
	}
	for i := len("sha256:"); i < len(d); i++ {
		if c := d[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// validTag is ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$.
func validTag(t string) bool {
	if len(t) == 0 || len(t) > 128 || !(isAlnum(t[0]) || t[0] == '_') {
		return false
	}
	for i := 1; i < len(t); i++ {
		if c := t[i]; !(isAlnum(c) || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// validComponent is ^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$, a path
// component of the distribution reference grammar.
func validComponent(p string) bool {
	lowerAlnum := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' }
	i := 0
	for {
		// A run of [a-z0-9]+.
		j := i
		for j < len(p) && lowerAlnum(p[j]) {
			j++
		}
		if j == i {
			return false
		}
		if j == len(p) {
			return true
		}
		// A separator: ".", "_", "__" or "-+".
		switch p[j] {
		case '.':
			j++
		case '_':
			j++
			if j < len(p) && p[j] == '_' {
				j++
			}
		case '-':
			for j < len(p) && p[j] == '-' {
				j++
			}
		default:
			return false
		}
		i = j
	}
}

// validHost is a registry host with an optional port:
// ^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?$
// IPv6 literals are not accepted: nobody writes them in kubenix modules,
// and accepting "[" would let near-misses through.
func validHost(h string) bool {
	if i := strings.IndexByte(h, ':'); i >= 0 {
		port := h[i+1:]
		if port == "" {
			return false
		}
		for k := 0; k < len(port); k++ {
			if c := port[k]; c < '0' || c > '9' {
				return false
			}
		}
		h = h[:i]
	}
	for {
		label := h
		i := strings.IndexByte(h, '.')
		if i >= 0 {
			label = h[:i]
		}
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		for k := 1; k < len(label)-1; k++ {
			if c := label[k]; !(isAlnum(c) || c == '-') {
				return false
			}
		}
		if i < 0 {
			return true
		}
		h = h[i+1:]
	}
}

// Ref is an image reference as the user wrote it.
type Ref struct {
	// Written is the whole reference exactly as given to Parse.
	Written string
	// Repository is the written reference without tag or digest, for
	// example "busybox" or "ghcr.io/x/y".
	Repository string
	// Tag is the tag without ":"; empty when none was written.
	Tag string
	// Digest is "sha256:<64 hex>"; empty when none was written.
	Digest string
}

// ShortDigest is a digest's algorithm and first 12 hex digits
// ("sha256:08bda3ee3383"), as registries' pages show it; text that is no
// digest is returned as it is.
func ShortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok {
		return d
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return algo + ":" + hex
}

// Clone returns r with its own copy of the text, sharing no memory with
// the string it was parsed from.
func (r Ref) Clone() Ref {
	if r.Written == "" {
		return Ref{Repository: strings.Clone(r.Repository), Tag: strings.Clone(r.Tag), Digest: strings.Clone(r.Digest)}
	}
	w := strings.Clone(r.Written)
	c := Ref{Written: w, Repository: w[:len(r.Repository)]}
	if r.Tag != "" {
		at := len(r.Repository) + 1
		c.Tag = w[at : at+len(r.Tag)]
	}
	if r.Digest != "" {
		c.Digest = w[len(w)-len(r.Digest):]
	}
	return c
}

// Parse parses s as an image reference
// `[registry/]repository[:tag][@sha256:<64 hex>]`.
func Parse(s string) (Ref, error) {
	r := Ref{Written: s}
	if s == "" {
		return Ref{}, fmt.Errorf("parsing reference %q: %w: empty", s, ErrInvalid)
	}
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
		if !validDigest(r.Digest) {
			return Ref{}, fmt.Errorf("parsing reference %q: %w: digest must be sha256: and 64 lowercase hex digits", s, ErrInvalid)
		}
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i:], "/") {
		r.Tag = rest[i+1:]
		rest = rest[:i]
		if !validTag(r.Tag) {
			return Ref{}, fmt.Errorf("parsing reference %q: %w: bad tag %q", s, ErrInvalid, r.Tag)
		}
	}
	r.Repository = rest
	if err := checkRepository(rest); err != nil {
		return Ref{}, fmt.Errorf("parsing reference %q: %w: %v", s, ErrInvalid, err)
	}
	// pkg/name has the final word on what a registry accepts.
	// name.ParseReference tries a tag reference, then a digest one. The
	// checks above leave a digest reference only with an '@' (and then no
	// tag reference can hold it: its repository would hold the '@'), so go
	// straight to the right one; on failure ParseReference gives its own
	// error.
	var ref name.Reference
	var err error
	if r.Digest != "" {
		// name.NewDigest checks the digest with a regular expression, then
		// parses the rest as NewTag does; validDigest has already checked
		// it, more strictly, so only the rest is parsed here.
		ref, err = name.NewTag(s[:len(s)-len(r.Digest)-1])
	} else {
		ref, err = name.NewTag(s)
	}
	if err != nil {
		ref, err = name.ParseReference(s)
	}
	if err != nil {
		return Ref{}, fmt.Errorf("parsing reference %q: %w: %w", s, ErrInvalid, err)
	}
	// The 255-byte limit holds for the name a registry sees, with the
	// "library/" a Docker Hub short name gains.
	if len(ref.Context().RepositoryStr()) > maxRepository {
		return Ref{}, fmt.Errorf("parsing reference %q: %w: repository longer than %d bytes", s, ErrInvalid, maxRepository)
	}
	return r, nil
}

// ParseRepository parses a repository without tag or digest, as written in
// the `repository` key of a helm values set.
func ParseRepository(s string) (Ref, error) {
	if strings.Contains(s, "@") {
		return Ref{}, fmt.Errorf("parsing repository %q: %w: unexpected digest", s, ErrInvalid)
	}
	if err := checkRepository(s); err != nil {
		return Ref{}, fmt.Errorf("parsing repository %q: %w: %v", s, ErrInvalid, err)
	}
	repo, err := name.NewRepository(s)
	if err != nil {
		return Ref{}, fmt.Errorf("parsing repository %q: %w: %w", s, ErrInvalid, err)
	}
	if len(repo.RepositoryStr()) > maxRepository {
		return Ref{}, fmt.Errorf("parsing repository %q: %w: longer than %d bytes", s, ErrInvalid, maxRepository)
	}
	return Ref{Written: s, Repository: s}, nil
}

// checkRepository checks `[host[:port]/]component(/component)*`. The first
// element is a host when it contains "." or ":" or is "localhost", the rule
// pkg/name uses.
func checkRepository(s string) error {
	if s == "" {
		return errors.New("empty repository")
	}
	rest := s
	if i := strings.IndexByte(s, '/'); i >= 0 && isHost(s[:i]) {
		if !validHost(s[:i]) {
			return fmt.Errorf("bad registry %q", s[:i])
		}
		rest = s[i+1:]
	}
	for {
		p, after, more := strings.Cut(rest, "/")
		if !validComponent(p) {
			return fmt.Errorf("bad path component %q", p)
		}
		if !more {
			return nil
		}
		rest = after
	}
}

func isHost(s string) bool {
	return s == "localhost" || strings.ContainsAny(s, ".:")
}

// ValidDigest reports whether d is "sha256:" followed by 64 lowercase hex
// digits.
func ValidDigest(d string) bool { return validDigest(d) }

// Registry is the registry as written, or "" for a Docker Hub short name.
func (r Ref) Registry() string {
	if i := strings.IndexByte(r.Repository, '/'); i >= 0 && isHost(r.Repository[:i]) {
		return r.Repository[:i]
	}
	return ""
}

// Context is the normalised repository: "busybox" gives
// "docker.io/library/busybox".
func (r Ref) Context() string {
	// Every command asks this of every site several times (ignored?
	// owned? which policy?), and a tree names few repositories.
	if c, ok := contexts.Load(r.Repository); ok {
		return c.(string)
	}
	repo, err := name.NewRepository(r.Repository)
	if err != nil {
		// Parse already validated it; a zero Ref normalises to nothing.
		return ""
	}
	reg := repo.RegistryStr()
	if reg == name.DefaultRegistry {
		reg = DockerHub
	}
	c := reg + "/" + repo.RepositoryStr()
	if contextsKept.Add(1) <= maxContexts {
		contexts.Store(strings.Clone(r.Repository), c)
	}
	return c
}

// contexts remembers Context by repository, for at most maxContexts
// repositories.
var (
	contexts     sync.Map
	contextsKept atomic.Int64
)

const maxContexts = 100_000

// Normalized is the fully qualified reference: `busybox:1.37` gives
// `docker.io/library/busybox:1.37`. A reference with neither tag nor digest
// gets the implicit tag "latest", which is what a registry serves for it.
func (r Ref) Normalized() string {
	s := r.Context()
	switch {
	case r.Tag != "":
		s += ":" + r.Tag
	case r.Digest == "":
		s += ":" + name.DefaultTag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// WithDigest formats the reference in the user's spelling with digest d in
// place of any digest it had: `repo[:tag]@d`.
func (r Ref) WithDigest(d string) string {
	s := r.Repository
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	return s + "@" + d
}

// String is the reference as written.
func (r Ref) String() string { return r.Written }

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// IsHostPort reports whether s reads as "host:port" rather than "name:tag":
// no "/", a host that has a "." or is "localhost", and an all-digit port.
// "postgres:16" is an image; "postgresql.default.svc:5432" is not.
func IsHostPort(s string) bool {
	if strings.Contains(s, "/") {
		return false
	}
	host, port, ok := strings.Cut(s, ":")
	return ok && allDigits(port) && (host == "localhost" || strings.Contains(host, "."))
}
