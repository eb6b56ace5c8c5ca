package oci

import (
	"github.com/pinner-dev/pinner/internal/diag"

	"github.com/pinner-dev/pinner/internal/imageref"

	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"
)

// Resolver turns image references into manifest digests. It is safe for
// concurrent use; reuse one for a whole run so connections and tokens are
// shared.
type Resolver struct {
	o  *options
	rt *retryTransport

	mu      sync.Mutex
	pullers map[string]*remote.Puller // by the registry host contacted
	// verified are the manifests a GET fetched and checked, by
	// "repository@digest" of the reference fetched: Confirm needs no
	// second GET of those.
	verified map[string]manifestInfo

	lookups atomic.Int64
}

// Result is the outcome for one reference given to Resolve.
type Result struct {
	// Ref is the reference exactly as given.
	Ref string
	// Digest is "sha256:<hex>" of the manifest the tag names: for a
	// multi-platform image, the index, never a platform's manifest.
	Digest string
	// MediaType is the manifest's media type; empty when the reference
	// already carried its digest and no request was made.
	MediaType string
	// Err is why this reference could not be resolved. It names the
	// reference and the registry, and wraps ErrNotFound, ErrInsecureHTTP,
	// ErrManifestTooLarge, ErrDigestMismatch or an *AttemptsError when one
	// of those is the cause.
	Err error
}

// Stats counts the work a Resolver has done, for tests and progress output.
type Stats struct {
	// Lookups is the number of distinct references resolved over the
	// network (digest references and duplicates are not counted).
	Lookups int64
	// ManifestRequests counts HTTP requests for manifests, every retry
	// included. With a registry that answers HEAD properly it equals Lookups.
	ManifestRequests int64
	// Requests counts all HTTP requests: pings, token exchanges, manifests.
	Requests int64
}

// NewResolver builds a Resolver; see the With* options for the defaults.
func NewResolver(opts ...Option) (*Resolver, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	rt := newRetryTransport(o)
	rt.pings = newPingCache()
	// As many failed attempts in a row as one request may make.
	rt.health = newHealth(o.attempts)
	return &Resolver{o: o, rt: rt, pullers: map[string]*remote.Puller{}, verified: map[string]manifestInfo{}}, nil
}

// Stats reports the work done so far.
func (r *Resolver) Stats() Stats {
	return Stats{
		Lookups:          r.lookups.Load(),
		ManifestRequests: r.rt.manifests.Load(),
		Requests:         r.rt.requests.Load(),
	}
}

// ResolveOne resolves a single reference.
func (r *Resolver) ResolveOne(ctx context.Context, ref string) Result {
	res, _ := r.Resolve(ctx, []string{ref})
	return res[0]
}

// Resolve returns one Result per reference, in order. References are
// normalised first ("busybox:1.37" and "docker.io/library/busybox:1.37" are
// one reference) and each distinct one is resolved once, at most WithJobs at
// a time. A reference that already has a digest resolves to it without any
// request. One failure does not stop the others; the returned error joins
// the distinct failures, so it is nil exactly when every Result is.
func (r *Resolver) Resolve(ctx context.Context, refs []string) ([]Result, error) {
	results := make([]Result, len(refs))
	type job struct {
		ref   name.Reference
		idx   []int
		err   error
		res   Result
		first string // the first spelling, for the joined error
		host  string // the registry host contacted
	}
	var jobs []*job
	byName := map[string]*job{}
	var errs []error
	for i, s := range refs {
		results[i].Ref = s
		ref, err := name.ParseReference(s)
		if err != nil {
			results[i].Err = fmt.Errorf("parsing reference %q: %w", s, err)
			errs = append(errs, results[i].Err)
			continue
		}
		if d, ok := ref.(name.Digest); ok {
			results[i].Digest = d.DigestStr()
			continue
		}
		j, ok := byName[ref.Name()]
		if !ok {
			j = &job{ref: ref, first: s}
			byName[ref.Name()] = j
			jobs = append(jobs, j)
		}
		j.idx = append(j.idx, i)
	}

	var (
		hookMu sync.Mutex
		done   int
	)
	report := func(ev ResolveEvent, finished bool) {
		if r.o.onResolve == nil || len(jobs) == 0 {
			return
		}
		hookMu.Lock()
		defer hookMu.Unlock()
		if finished {
			done++
		}
		ev.Done, ev.Total = done, len(jobs)
		r.o.onResolve(ev)
	}
	report(ResolveEvent{}, false)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.jobs)
	for _, j := range jobs {
		g.Go(func() error {
			// Failures stay in the job: returning them would cancel the
			// siblings, and every reference deserves an answer.
			j.res, j.host, j.err = r.resolve(gctx, j.ref)
			report(ResolveEvent{Ref: j.first, Digest: j.res.Digest, Err: j.err}, true)
			return nil
		})
	}
	_ = g.Wait()

	// The references of a host given up on make one error, not one each.
	downRefs := map[string][]string{}
	downErrs := map[string]error{}
	var downHosts []string
	for _, j := range jobs {
		for _, i := range j.idx {
			results[i].Digest, results[i].MediaType = j.res.Digest, j.res.MediaType
			if j.err != nil {
				results[i].Err = fmt.Errorf("resolving %q: %w", results[i].Ref, j.err)
			}
		}
		if j.err == nil {
			continue
		}
		if j.host != "" && ctx.Err() == nil && (r.rt.health.Down(j.host) != nil || unreachable(j.err)) {
			if downRefs[j.host] == nil {
				downHosts = append(downHosts, j.host)
				downErrs[j.host] = j.err
			}
			downRefs[j.host] = append(downRefs[j.host], j.first)
			continue
		}
		errs = append(errs, fmt.Errorf("resolving %q: %w", j.first, j.err))
	}
	for _, h := range downHosts {
		err := downErrs[h]
		if d := r.rt.health.Down(h); d != nil {
			err = d
		}
		errs = append(errs, downError(h, err, downRefs[h]))
	}
	return results, errors.Join(errs...)
}

// downError is the one error for the references of a host that did not
// answer (refused, unknown, timed out, or given up on): the cause once,
// not once per reference.
func downError(host string, err error, refs []string) error {
	return &hostDown{host: host, refs: refs, err: err}
}

type hostDown struct {
	host string
	refs []string
	err  error
}

func (e *hostDown) Error() string {
	return fmt.Sprintf("resolving %s: registry host %s: %s", listSome(e.refs, true), e.host, cause(e.err))
}

func (e *hostDown) Unwrap() error { return e.err }

// resolve looks up one tag reference, and says which host it asked. Its
// errors start with the registry.
func (r *Resolver) resolve(ctx context.Context, ref name.Reference) (Result, string, error) {
	target, err := MirrorRef(ref, r.o.mirrors, r.o.insecure)
	if err != nil {
		return Result{}, "", fmt.Errorf("registry %s: %w", displayRegistry(ref.Context().RegistryStr()), err)
	}
	res, err := r.resolveAt(ctx, ref, target)
	return res, target.Context().RegistryStr(), err
}

// resolveAt looks up ref at target, its mirror or itself.
func (r *Resolver) resolveAt(ctx context.Context, ref, target name.Reference) (Result, error) {
	reg := displayRegistry(ref.Context().RegistryStr())
	if host := target.Context().RegistryStr(); host != ref.Context().RegistryStr() {
		reg = fmt.Sprintf("%s (mirror %s)", reg, host)
	}
	p, err := r.puller(target.Context().RegistryStr())
	if err != nil {
		return Result{}, fmt.Errorf("registry %s: %w", reg, err)
	}
	r.lookups.Add(1)
	log := r.o.logger.With(slog.String("ref", ref.Name()), slog.String("fetch", target.Name()))

	desc, err := p.Head(ctx, target)
	if err == nil && !isManifestType(mediaType(string(desc.MediaType))) {
		// Only a manifest's media type counts; the GET that follows
		// checks the body, and says what it is instead.
		err = fmt.Errorf("HEAD answered with media type %q, not a manifest's", string(desc.MediaType))
	}
	if err == nil {
		if desc.Size > MaxManifestSize {
			return Result{}, fmt.Errorf("registry %s: %w: %d bytes, the limit is %d", reg, ErrManifestTooLarge, desc.Size, MaxManifestSize)
		}
		log.LogAttrs(ctx, slog.LevelDebug, "resolved", slog.String("digest", desc.Digest.String()), slog.String("via", "HEAD"))
		return Result{Digest: desc.Digest.String(), MediaType: string(desc.MediaType)}, nil
	}
	if !fallBackToGet(ctx, err) {
		return Result{}, registryError(reg, target, err)
	}
	log.LogAttrs(ctx, slog.LevelDebug, "HEAD failed, trying GET", slog.String("error", err.Error()))

	digest, info, err := r.get(ctx, p, reg, target)
	if err != nil {
		return Result{}, err
	}
	log.LogAttrs(ctx, slog.LevelDebug, "resolved", slog.String("digest", digest), slog.String("via", "GET"))
	return Result{Digest: digest, MediaType: string(info.mediaType)}, nil
}

// get fetches target's manifest and checks it: within MaxManifestSize,
// hashing to the Docker-Content-Digest the registry claims (and, for a
// digest reference, to that digest: pkg/v1/remote checks it), and a
// manifest or index. It remembers what it checked for Confirm.
func (r *Resolver) get(ctx context.Context, p *remote.Puller, reg string, target name.Reference) (string, manifestInfo, error) {
	cctx, claimed := withCapture(ctx)
	got, err := p.Get(cctx, target)
	if err != nil {
		return "", manifestInfo{}, registryError(reg, target, err)
	}
	if len(got.Manifest) > MaxManifestSize {
		return "", manifestInfo{}, fmt.Errorf("registry %s: %w: %d bytes, the limit is %d", reg, ErrManifestTooLarge, len(got.Manifest), MaxManifestSize)
	}
	digest, err := hashOf("sha256", got.Manifest)
	if err != nil {
		return "", manifestInfo{}, err
	}
	if c := claimed.get(); c != "" {
		h, err := v1.NewHash(c)
		if err != nil {
			return "", manifestInfo{}, &mismatchError{registry: reg, got: digest, claimed: c}
		}
		if want, err := hashOf(h.Algorithm, got.Manifest); err != nil || want != c {
			return "", manifestInfo{}, &mismatchError{registry: reg, got: digest, claimed: c}
		}
	}
	info, err := checkManifest(got.Manifest, string(got.MediaType))
	if err != nil {
		return "", manifestInfo{}, fmt.Errorf("registry %s: %w", reg, err)
	}
	r.mu.Lock()
	r.verified[target.Context().Name()+"@"+digest] = info
	r.mu.Unlock()
	return digest, info, nil
}

func hashOf(algo string, b []byte) (string, error) {
	h, err := v1.Hasher(algo)
	if err != nil {
		return "", fmt.Errorf("hashing manifest: %w", err)
	}
	h.Write(b)
	return algo + ":" + hex.EncodeToString(h.Sum(nil)), nil
}

type mismatchError struct{ registry, got, claimed string }

func (e *mismatchError) Error() string {
	return fmt.Sprintf("registry %s served manifest with digest %s but claims %s", e.registry, e.got, e.claimed)
}

func (e *mismatchError) Is(target error) bool { return target == ErrDigestMismatch }

// puller returns the Puller for a registry host, creating it once. A Puller
// keeps one authenticated transport per repository, so the ping and the
// token exchange happen once per registry and scope, not per request.
func (r *Resolver) puller(host string) (*remote.Puller, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.pullers[host]; ok {
		return p, nil
	}
	p, err := remote.NewPuller(
		remote.WithTransport(r.rt),
		remote.WithAuthFromKeychain(r.o.keychain),
		remote.WithUserAgent("pinner"),
		// retryTransport does the retrying; pkg/v1/remote must not repeat
		// each of its attempts.
		remote.WithRetryStatusCodes(),
		remote.WithRetryBackoff(remote.Backoff{Steps: 1}),
		remote.WithRetryPredicate(func(error) bool { return false }),
	)
	if err != nil {
		return nil, fmt.Errorf("setting up client for %s: %w", host, err)
	}
	r.pullers[host] = p
	return p, nil
}

// fallBackToGet says whether a failed HEAD is worth a GET. Registries that
// mishandle HEAD (405, missing Docker-Content-Digest, odd statuses) get one;
// answers a GET would repeat (not found, denied, exhausted retries, network
// failures, cancellation) do not.
func fallBackToGet(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var (
		ae *AttemptsError
		te *transport.Error
		oe *net.OpError
	)
	switch {
	case errors.As(err, &ae), errors.As(err, &oe), isTimeout(err), errors.Is(err, ErrInsecureHTTP),
		errors.Is(err, ErrManifestTooLarge), errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &te):
		return !slices.Contains([]int{http.StatusNotFound, http.StatusUnauthorized, http.StatusForbidden}, te.StatusCode)
	}
	return true
}

// registryError words a failure from pkg/v1/remote: it names the registry,
// drops the request URL that *url.Error adds (the reference already says
// what was asked), and turns a 404 into ErrNotFound.
func registryError(reg string, target name.Reference, err error) error {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		if _, ok := target.(name.Digest); ok {
			return fmt.Errorf("registry %s: no manifest %s in %s: %w", reg, target.Identifier(), target.Context().RepositoryStr(), ErrNotFound)
		}
		return fmt.Errorf("registry %s: no tag %q in %s: %w", reg, target.Identifier(), target.Context().RepositoryStr(), ErrNotFound)
	}
	return fmt.Errorf("registry %s: %w", reg, err)
}

// displayRegistry prints Docker Hub the way people write it.
func displayRegistry(host string) string {
	if host == name.DefaultRegistry {
		return "docker.io"
	}
	return host
}

// CheckRefs checks that every one of refs is an image reference before
// any is asked for: the first that is not is bad input (diag.KindOf).
func CheckRefs(refs []string) error {
	for _, s := range refs {
		if _, err := imageref.Parse(s); err != nil {
			return diag.AsBadInput(err)
		}
	}
	return nil
}
