package oci

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// dockerHubHosts are the spellings of Docker Hub a mirror key may use;
// pkg/name normalises every Docker Hub reference to name.DefaultRegistry.
var dockerHubHosts = []string{"docker.io", name.DefaultRegistry, "registry-1.docker.io"}

// mirror is one parsed entry of the mirrors map.
type mirror struct {
	scheme string // "http" or "https"
	host   string // host[:port] actually contacted
	prefix string // path prepended to the repository, without slashes
}

func parseMirror(key, base string) (mirror, error) {
	if key == "" {
		return mirror{}, fmt.Errorf("mirror with an empty registry key")
	}
	u, err := url.Parse(base)
	if err != nil {
		// url.Parse quotes the input; it may hold credentials, so drop it.
		return mirror{}, fmt.Errorf("mirror for %q: not a URL", key)
	}
	switch {
	case u.User != nil:
		return mirror{}, fmt.Errorf("mirror for %q: credentials do not belong in the URL; use the keychain", key)
	case u.Scheme != "http" && u.Scheme != "https":
		return mirror{}, fmt.Errorf("mirror for %q: URL %q must start with http:// or https://", key, base)
	case u.Host == "":
		return mirror{}, fmt.Errorf("mirror for %q: URL %q has no host", key, base)
	case u.RawQuery != "" || u.Fragment != "":
		return mirror{}, fmt.Errorf("mirror for %q: URL %q must not have a query or fragment", key, base)
	}
	m := mirror{scheme: u.Scheme, host: u.Host, prefix: strings.Trim(u.Path, "/")}
	if _, err := name.NewRegistry(m.host); err != nil {
		return mirror{}, fmt.Errorf("mirror for %q: %w", key, err)
	}
	return m, nil
}

// lookupMirror finds the mirror for a registry, treating every spelling of
// Docker Hub as one.
func lookupMirror(mirrors map[string]string, registry string) (string, string, bool) {
	keys := []string{registry}
	if slices.Contains(dockerHubHosts, registry) {
		keys = dockerHubHosts
	}
	for _, k := range keys {
		if base, ok := mirrors[k]; ok {
			return k, base, true
		}
	}
	return "", "", false
}

// MirrorRef returns the reference to fetch (or push) instead of ref: with a
// mirror for ref's registry, the mirror URL's host and path replace the
// registry, so with {"docker.io": "http://127.0.0.1:5000/hub"} "busybox:1.37"
// becomes "127.0.0.1:5000/hub/library/busybox:1.37". Without a mirror, ref
// comes back unchanged except that a registry listed in insecure may fall
// back to plain http.
//
// Plain http is allowed only to loopback hosts and to hosts listed in
// insecure; any other http mirror is an error wrapping ErrInsecureHTTP.
func MirrorRef(ref name.Reference, mirrors map[string]string, insecure []string) (name.Reference, error) {
	reg := ref.Context().RegistryStr()
	key, base, ok := lookupMirror(mirrors, reg)
	if !ok {
		if slices.ContainsFunc(insecure, func(h string) bool { return hostMatches(h, reg) }) {
			return rebuild(ref, ref.Context().Name(), name.Insecure)
		}
		return ref, nil
	}
	m, err := parseMirror(key, base)
	if err != nil {
		return nil, err
	}
	var opts []name.Option
	if m.scheme == "http" {
		if !httpAllowed(m.host, insecure) {
			return nil, fmt.Errorf("mirror %q for %s: %w: %s is neither loopback nor listed in insecure", base, key, ErrInsecureHTTP, m.host)
		}
		opts = append(opts, name.Insecure)
	}
	repo := path.Join(m.host, m.prefix, ref.Context().RepositoryStr())
	return rebuild(ref, repo, opts...)
}

func rebuild(ref name.Reference, repo string, opts ...name.Option) (name.Reference, error) {
	var (
		out name.Reference
		err error
	)
	if d, ok := ref.(name.Digest); ok {
		out, err = name.NewDigest(repo+"@"+d.DigestStr(), opts...)
	} else {
		out, err = name.NewTag(repo+":"+ref.Identifier(), opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("mapping %q to %s: %w", ref.String(), repo, err)
	}
	return out, nil
}

// httpAllowed reports whether plain http may be used with hostport.
func httpAllowed(hostport string, insecure []string) bool {
	if isLoopback(hostport) {
		return true
	}
	return slices.ContainsFunc(insecure, func(h string) bool { return hostMatches(h, hostport) })
}

// hostMatches reports whether an insecure entry ("host" or "host:port")
// names hostport. An entry without a port covers every port.
func hostMatches(entry, hostport string) bool {
	if strings.EqualFold(entry, hostport) {
		return true
	}
	if _, _, err := net.SplitHostPort(entry); err == nil {
		return false
	}
	return strings.EqualFold(strings.Trim(entry, "[]"), hostname(hostport))
}

func hostname(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// isLoopback: localhost, 127.0.0.0/8 and ::1.
func isLoopback(hostport string) bool {
	h := hostname(hostport)
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
