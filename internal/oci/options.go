package oci

import (
	"errors"
	"fmt"
	"github.com/google/go-containerregistry/pkg/name"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Option configures a Resolver. Options validate their arguments, so
// NewResolver reports a bad setting instead of misbehaving later.
type Option func(*options) error

type options struct {
	jobs           int
	keychain       authn.Keychain
	mirrors        map[string]string
	insecure       []string
	requestTimeout time.Duration
	attempts       int
	baseBackoff    time.Duration
	maxBackoff     time.Duration
	logger         *slog.Logger
	transport      http.RoundTripper
	onResolve      func(ResolveEvent)
	mountFrom      []name.Repository
}

// maxMountFrom bounds the repositories asked for a layer before it is
// uploaded.
const maxMountFrom = 16

// WithMountFrom names repositories (the repository's other images) that
// may hold a layer a push needs: a layer the destination repository lacks
// is looked for in those of the same registry and mounted from one that
// has it, not uploaded again. At most 16.
func WithMountFrom(repos ...string) Option {
	return func(o *options) error {
		if len(repos) > maxMountFrom {
			repos = repos[:maxMountFrom]
		}
		o.mountFrom = nil
		for _, r := range repos {
			repo, err := name.NewRepository(r)
			if err != nil {
				return fmt.Errorf("setting mount sources: %w", err)
			}
			o.mountFrom = append(o.mountFrom, repo)
		}
		return nil
	}
}

// Defaults, all in one place.
const (
	DefaultJobs           = 16
	DefaultRequestTimeout = 30 * time.Second
	DefaultAttempts       = 5
	DefaultBaseBackoff    = 200 * time.Millisecond
	DefaultMaxBackoff     = 10 * time.Second

	// maxAttempts keeps the worst case of one request bounded even when a
	// caller asks for more: attempts × timeout + (attempts-1) × max backoff.
	maxAttempts = 20
	// maxBackoffCeiling bounds WithRetry's cap for the same reason.
	maxBackoffCeiling = time.Minute
)

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		jobs:           DefaultJobs,
		requestTimeout: DefaultRequestTimeout,
		attempts:       DefaultAttempts,
		baseBackoff:    DefaultBaseBackoff,
		maxBackoff:     DefaultMaxBackoff,
		logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if o.keychain == nil {
		o.keychain = authn.NewMultiKeychain(authn.DefaultKeychain, GitHubKeychain(os.Getenv("GITHUB_TOKEN")), GHKeychain("gh", 0))
	}
	if o.transport == nil {
		o.transport = newHTTPTransport()
	}
	return o, nil
}

// newHTTPTransport is the one connection pool every registry shares; it keeps
// connections alive so a run over many references to the same registry pays
// for TLS once.
func newHTTPTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	return t
}

// WithJobs sets how many references are resolved at once (default 16).
func WithJobs(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("setting jobs: %d is less than 1", n)
		}
		o.jobs = n
		return nil
	}
}

// WithMirrors maps a registry host to the base URL fetched instead, for
// example "ghcr.io" → "http://127.0.0.1:5000/ghcr.io". The key "docker.io"
// covers every Docker Hub reference, short names included. The map is
// checked here so a typo fails before any request.
func WithMirrors(m map[string]string) Option {
	return func(o *options) error {
		for host, base := range m {
			if _, err := parseMirror(host, base); err != nil {
				return fmt.Errorf("setting mirrors: %w", err)
			}
		}
		o.mirrors = maps.Clone(m)
		return nil
	}
}

// WithInsecure lists the registry hosts ("host" or "host:port") that may be
// reached over plain http. Loopback hosts are always allowed.
func WithInsecure(hosts []string) Option {
	return func(o *options) error {
		for _, h := range hosts {
			if h == "" {
				return errors.New("setting insecure hosts: empty host")
			}
		}
		o.insecure = slices.Clone(hosts)
		return nil
	}
}

// WithRequestTimeout bounds each HTTP request, body included (default 30s).
// A request that times out counts as a failed attempt and is retried.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("setting request timeout: %v is not positive", d)
		}
		o.requestTimeout = d
		return nil
	}
}

// WithRetry sets how often a GET or HEAD, and each blob or manifest upload
// of a RegistryPublisher, is tried (default 5, 1 disables retries) and the
// exponential backoff between tries: base (default 200ms)
// doubling up to max (default 10s), with jitter. Retry-After is honoured up to
// max. So one request takes at most
// attempts × request timeout + (attempts-1) × max.
func WithRetry(attempts int, base, max time.Duration) Option {
	return func(o *options) error {
		switch {
		case attempts < 1 || attempts > maxAttempts:
			return fmt.Errorf("setting retry: attempts %d outside 1..%d", attempts, maxAttempts)
		case base <= 0:
			return fmt.Errorf("setting retry: base backoff %v is not positive", base)
		case max < base:
			return fmt.Errorf("setting retry: max backoff %v is less than base %v", max, base)
		case max > maxBackoffCeiling:
			return fmt.Errorf("setting retry: max backoff %v exceeds %v", max, maxBackoffCeiling)
		}
		o.attempts, o.baseBackoff, o.maxBackoff = attempts, base, max
		return nil
	}
}

// WithLogger sets where debug and warning messages go (default: nowhere).
// Credentials never reach it.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("setting logger: nil logger")
		}
		o.logger = l
		return nil
	}
}

// ResolveEvent tells a progress display how a Resolve call advances. Each
// call to Resolve that has references to look up over the network reports
// one event with Done 0 first, then one per distinct reference as it
// finishes, with Ref, Digest and Err set.
type ResolveEvent struct {
	Ref    string
	Digest string
	Err    error
	// Done of Total distinct references of this Resolve call are finished.
	Done, Total int
}

// WithOnResolve sets a function that receives a Resolve call's progress.
// Calls are serialised, come from the resolving goroutines, and must not
// block long. The default is none.
func WithOnResolve(f func(ResolveEvent)) Option {
	return func(o *options) error {
		if f == nil {
			return errors.New("setting resolve hook: nil function")
		}
		o.onResolve = f
		return nil
	}
}
