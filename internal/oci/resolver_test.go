package oci

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// anonymous keeps tests independent of the developer's ~/.docker/config.json.
var anonymous = authn.NewMultiKeychain()

// newTestResolver has fast retries; later options override.
func newTestResolver(t *testing.T, opts ...Option) *Resolver {
	t.Helper()
	base := []Option{
		WithKeychain(anonymous),
		WithRetry(5, time.Millisecond, 5*time.Millisecond),
		WithRequestTimeout(5 * time.Second),
	}
	r, err := NewResolver(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewResolver: %v", err)
	}
	return r
}

// startFaulty starts an in-process registry behind a Faults.
func startFaulty(t *testing.T) (string, *registry.Faults) {
	t.Helper()
	f := registry.NewFaults()
	host, _ := registry.StartInProcess(t, f.Wrap)
	// Registered after the server, so it runs first: hung handlers must
	// return before the server can close.
	t.Cleanup(f.Release)
	return host, f
}

func TestResolveImageAndIndex(t *testing.T) {
	host, faults := startFaulty(t)
	imgRef, idxRef := host+"/x/img:1", host+"/x/idx:1"
	imgDigest := registry.PushRandom(t, imgRef, false)
	idxDigest := registry.PushRandom(t, idxRef, true)
	faults.Reset()

	r := newTestResolver(t)
	got, err := r.Resolve(context.Background(), []string{imgRef, idxRef})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	want := []Result{
		{Ref: imgRef, Digest: imgDigest, MediaType: string(types.DockerManifestSchema2)},
		{Ref: idxRef, Digest: idxDigest, MediaType: string(types.OCIImageIndex)},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
	if s := r.Stats(); s.Lookups != 2 || s.ManifestRequests != 2 {
		t.Errorf("Stats = %+v, want 2 lookups and 2 manifest requests", s)
	}
	if h, g := faults.Count("HEAD"), faults.Count("GET"); h != 2 || g != 0 {
		t.Errorf("registry saw %d HEAD and %d GET, want 2 and 0", h, g)
	}
}

// The index digest, not one of its platform manifests, is what pins a
// multi-platform image; ggcr's default platform must not sneak in.
func TestResolveIndexNotChild(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/multi:2"
	idxDigest := registry.PushRandom(t, ref, true)
	// Force the GET path too: it must hash the index bytes.
	faults.DropHeadDigest()

	res := newTestResolver(t).ResolveOne(context.Background(), ref)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Digest != idxDigest {
		t.Errorf("digest = %s, want index digest %s", res.Digest, idxDigest)
	}
	if !types.MediaType(res.MediaType).IsIndex() {
		t.Errorf("media type = %s, want an index", res.MediaType)
	}
	if g := faults.Count("GET"); g != 1 {
		t.Errorf("GETs = %d, want 1", g)
	}
}

func TestResolveDigestRefsNeedNoNetwork(t *testing.T) {
	var calls atomic.Int64
	r := newTestResolver(t, WithTransport(roundTripperFunc(func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, errors.New("no network in this test")
	})))
	d := "sha256:" + strings.Repeat("ab", 32)
	refs := []string{"ghcr.io/x/y@" + d, "ghcr.io/x/y:1.0@" + d, "busybox@" + d}
	got, err := r.Resolve(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range got {
		if res.Ref != refs[i] || res.Digest != d || res.Err != nil {
			t.Errorf("result %d = %+v, want digest %s", i, res, d)
		}
	}
	if calls.Load() != 0 || r.Stats().Requests != 0 {
		t.Errorf("made %d requests, want none", calls.Load())
	}
}

func TestResolveDedupes(t *testing.T) {
	host, faults := startFaulty(t)
	want := registry.PushRandom(t, host+"/hub/library/busybox:1.37", false)
	registry.PushRandom(t, host+"/x/y:1", false)
	faults.Reset()

	r := newTestResolver(t, WithMirrors(map[string]string{"docker.io": "http://" + host + "/hub"}))
	refs := []string{
		"busybox:1.37",
		"docker.io/library/busybox:1.37",
		"index.docker.io/library/busybox:1.37",
		"busybox:1.37",
		host + "/x/y:1",
		host + "/x/y:1",
	}
	got, err := r.Resolve(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range got[:4] {
		if res.Ref != refs[i] || res.Digest != want {
			t.Errorf("result %d = %+v, want digest %s", i, res, want)
		}
	}
	if h := faults.Total(); h != 2 {
		t.Errorf("registry saw %d manifest requests for 2 distinct references, want 2", h)
	}
	if s := r.Stats(); s.Lookups != 2 || s.ManifestRequests != 2 {
		t.Errorf("Stats = %+v, want 2 lookups, 2 manifest requests", s)
	}
}

// Exact attempt counts: pinner's transport retries, ggcr's does not, so a
// status seen n times means n requests, never n×3.
func TestResolveRetries(t *testing.T) {
	for _, tc := range []struct {
		status, failures int
		wantHeads        int
		wantErr          string
	}{
		{status: 500, failures: 2, wantHeads: 3},
		{status: 502, failures: 4, wantHeads: 5},
		{status: 504, failures: 1, wantHeads: 2},
		{status: 503, failures: 100, wantHeads: 5, wantErr: "503 Service Unavailable after 5 attempts"},
		{status: 404, failures: 1, wantHeads: 1, wantErr: "manifest unknown"},
		{status: 400, failures: 1, wantHeads: 1}, // a HEAD-only oddity: GET recovers
	} {
		t.Run(fmt.Sprintf("%d×%d", tc.status, tc.failures), func(t *testing.T) {
			host, faults := startFaulty(t)
			ref := host + "/x/y:1"
			want := registry.PushRandom(t, ref, false)
			faults.Reset()
			faults.FailN(tc.status, tc.failures)

			res := newTestResolver(t).ResolveOne(context.Background(), ref)
			if h := faults.Count("HEAD"); h != tc.wantHeads {
				t.Errorf("HEAD requests = %d, want %d", h, tc.wantHeads)
			}
			if tc.wantErr == "" {
				if res.Err != nil || res.Digest != want {
					t.Fatalf("got %+v, want digest %s", res, want)
				}
				return
			}
			if res.Err == nil {
				t.Fatalf("got %+v, want error %q", res, tc.wantErr)
			}
			wantMsg := fmt.Sprintf("resolving %q: registry %s: ", ref, host)
			if !strings.HasPrefix(res.Err.Error(), wantMsg) || !strings.Contains(res.Err.Error(), tc.wantErr) {
				t.Errorf("error = %q, want %q…%q", res.Err, wantMsg, tc.wantErr)
			}
			if g := faults.Count("GET"); g != 0 {
				t.Errorf("GET requests = %d, want no fallback after a final answer", g)
			}
		})
	}
}

func TestResolveExhaustedRetriesError(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/y:1"
	registry.PushRandom(t, ref, false)
	faults.FailN(http.StatusServiceUnavailable, 100)

	res := newTestResolver(t).ResolveOne(context.Background(), ref)
	want := fmt.Sprintf("resolving %q: registry %s: 503 Service Unavailable after 5 attempts", ref, host)
	if res.Err == nil || res.Err.Error() != want {
		t.Fatalf("error = %v, want %q", res.Err, want)
	}
	var ae *AttemptsError
	if !errors.As(res.Err, &ae) || ae.Attempts != 5 {
		t.Errorf("errors.As AttemptsError: %v %+v", errors.As(res.Err, &ae), ae)
	}
}

func TestResolveUnknownTag(t *testing.T) {
	host, faults := startFaulty(t)
	registry.PushRandom(t, host+"/x/y:1", false)
	faults.Reset()

	ref := host + "/x/y:nope"
	res := newTestResolver(t).ResolveOne(context.Background(), ref)
	if !errors.Is(res.Err, ErrNotFound) {
		t.Fatalf("error = %v, want ErrNotFound", res.Err)
	}
	want := fmt.Sprintf(`resolving %q: registry %s: no tag "nope" in x/y: manifest unknown`, ref, host)
	if res.Err.Error() != want {
		t.Errorf("error = %q\nwant    %q", res.Err, want)
	}
	if n := faults.Total(); n != 1 {
		t.Errorf("manifest requests = %d, want 1 (no retry, no GET)", n)
	}
}

func TestResolveRateLimitRetryAfter(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/y:1"
	want := registry.PushRandom(t, ref, false)
	faults.Reset()
	faults.RateLimit(1, "1")

	r := newTestResolver(t, WithRetry(3, time.Millisecond, 2*time.Second))
	start := time.Now()
	res := r.ResolveOne(context.Background(), ref)
	elapsed := time.Since(start)
	if res.Err != nil || res.Digest != want {
		t.Fatalf("got %+v, want %s", res, want)
	}
	if elapsed < time.Second {
		t.Errorf("resolved after %v, want ≥1s (Retry-After: 1)", elapsed)
	}
	if h := faults.Count("HEAD"); h != 2 {
		t.Errorf("HEAD requests = %d, want 2", h)
	}
}

// Retry-After is honoured only up to the backoff cap.
func TestResolveRetryAfterCapped(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/y:1"
	registry.PushRandom(t, ref, false)
	faults.RateLimit(2, "3600")

	r := newTestResolver(t, WithRetry(3, time.Millisecond, 50*time.Millisecond))
	start := time.Now()
	if res := r.ResolveOne(context.Background(), ref); res.Err != nil {
		t.Fatal(res.Err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v; Retry-After should be capped at 50ms", el)
	}
}

func TestResolveHangingRegistry(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/y:1"
	registry.PushRandom(t, ref, false)
	faults.Reset()
	faults.Hang()

	r := newTestResolver(t, WithRequestTimeout(100*time.Millisecond), WithRetry(2, 10*time.Millisecond, 20*time.Millisecond))
	start := time.Now()
	res := r.ResolveOne(context.Background(), ref)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("gave up after %v, want well under 2s", el)
	}
	want := fmt.Sprintf("resolving %q: registry %s: no response within 100ms after 2 attempts", ref, host)
	if res.Err == nil || res.Err.Error() != want {
		t.Errorf("error = %v\nwant    %s", res.Err, want)
	}
	if n := faults.Total(); n != 2 {
		t.Errorf("manifest requests = %d, want 2", n)
	}
}

func TestResolveCancelled(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/y:1"
	registry.PushRandom(t, ref, false)
	faults.Hang()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := newTestResolver(t).ResolveOne(ctx, ref)
	if !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", res.Err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("returned after %v", el)
	}
}

func TestResolveWrongDigest(t *testing.T) {
	host, faults := startFaulty(t)
	ref := host + "/x/y:1"
	real := registry.PushRandom(t, ref, false)
	faults.DropHeadDigest().WrongDigest()

	res := newTestResolver(t).ResolveOne(context.Background(), ref)
	if !errors.Is(res.Err, ErrDigestMismatch) {
		t.Fatalf("error = %v, want ErrDigestMismatch", res.Err)
	}
	want := fmt.Sprintf("resolving %q: registry %s served manifest with digest %s but claims sha256:%s", ref, host, real, strings.Repeat("0", 64))
	if res.Err.Error() != want {
		t.Errorf("error = %q\nwant    %q", res.Err, want)
	}
	if res.Digest != "" {
		t.Errorf("digest = %q on error", res.Digest)
	}
}

func TestResolveManifestTooLarge(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	big := mutate.Annotations(img, map[string]string{"padding": strings.Repeat("x", MaxManifestSize)}).(v1.Image)

	for _, viaGet := range []bool{false, true} {
		t.Run(fmt.Sprintf("GET=%v", viaGet), func(t *testing.T) {
			host, faults := startFaulty(t)
			ref := host + "/x/big:1"
			registry.PushImage(t, ref, big)
			faults.Reset()
			if viaGet {
				faults.DropHeadDigest()
			}
			res := newTestResolver(t).ResolveOne(context.Background(), ref)
			if !errors.Is(res.Err, ErrManifestTooLarge) {
				t.Fatalf("error = %v, want ErrManifestTooLarge", res.Err)
			}
			if !strings.Contains(res.Err.Error(), "registry "+host) {
				t.Errorf("error %q does not name the registry", res.Err)
			}
			wantGets := 0
			if viaGet {
				wantGets = 1
			}
			if g := faults.Count("GET"); g != wantGets {
				t.Errorf("GETs = %d, want %d", g, wantGets)
			}
		})
	}
}

func TestResolveRefusesPlainHTTP(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	stub := roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, req.URL.Scheme+"://"+req.URL.Host)
		mu.Unlock()
		return nil, errors.New("stub: no network")
	})

	t.Run("mirror", func(t *testing.T) {
		seen = nil
		r := newTestResolver(t, WithTransport(stub),
			WithMirrors(map[string]string{"docker.io": "http://mirror.example.com/hub"}))
		res := r.ResolveOne(context.Background(), "busybox:1.37")
		if !errors.Is(res.Err, ErrInsecureHTTP) {
			t.Fatalf("error = %v, want ErrInsecureHTTP", res.Err)
		}
		if !strings.HasPrefix(res.Err.Error(), `resolving "busybox:1.37": registry docker.io: `) {
			t.Errorf("error = %q", res.Err)
		}
		if len(seen) != 0 {
			t.Errorf("requests sent: %v, want none", seen)
		}
	})
	t.Run("mirror listed insecure", func(t *testing.T) {
		seen = nil
		r := newTestResolver(t, WithTransport(stub), WithRetry(1, time.Millisecond, time.Millisecond),
			WithMirrors(map[string]string{"docker.io": "http://mirror.example.com/hub"}),
			WithInsecure([]string{"mirror.example.com"}))
		r.ResolveOne(context.Background(), "busybox:1.37")
		if !containsString(seen, "http://mirror.example.com") {
			t.Errorf("requests sent: %v, want one over http", seen)
		}
	})
	// pkg/name treats RFC 1918 addresses as http-capable and would fall back
	// to http after https fails; the transport stops that.
	t.Run("private address", func(t *testing.T) {
		seen = nil
		r := newTestResolver(t, WithTransport(stub), WithRetry(1, time.Millisecond, time.Millisecond))
		res := r.ResolveOne(context.Background(), "10.1.2.3:5000/x/y:1")
		if res.Err == nil {
			t.Fatal("resolved through a stub that fails everything")
		}
		for _, s := range seen {
			if strings.HasPrefix(s, "http://") {
				t.Errorf("sent plain http to %s", s)
			}
		}
	})
}

func TestResolveConcurrencyBounded(t *testing.T) {
	var inFlight, peak atomic.Int64
	slow := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/manifests/") && r.Method == http.MethodHead {
				n := inFlight.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				defer inFlight.Add(-1)
			}
			next.ServeHTTP(w, r)
		})
	}
	host, _ := registry.StartInProcess(t, slow)
	var refs []string
	for i := range 8 {
		ref := fmt.Sprintf("%s/x/y:%d", host, i)
		registry.PushRandom(t, ref, false)
		refs = append(refs, ref)
	}
	r := newTestResolver(t, WithJobs(3))
	if _, err := r.Resolve(context.Background(), refs); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrent manifest requests = %d, want 2..3 with WithJobs(3)", p)
	}
}

func TestResolveJoinsErrors(t *testing.T) {
	host, _ := startFaulty(t)
	ok := host + "/x/y:1"
	registry.PushRandom(t, ok, false)
	got, err := newTestResolver(t).Resolve(context.Background(), []string{ok, host + "/x/y:missing", "Not A Ref"})
	if err == nil {
		t.Fatal("want an error")
	}
	if got[0].Err != nil || got[1].Err == nil || got[2].Err == nil {
		t.Errorf("results = %+v", got)
	}
	for _, want := range []string{`parsing reference "Not A Ref"`, `resolving "` + host + `/x/y:missing"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("joined error %q lacks %q", err, want)
		}
	}
}

// Bearer tokens are fetched once per repository scope, and credentials never
// show up in errors or logs, not even at debug level.
func TestResolveAuthAndSecrets(t *testing.T) {
	const (
		user     = "robot"
		password = "pw-0123456789-SECRET"
		token    = "tok-9876543210-SECRET"
	)
	auth := &registry.BearerAuth{User: user, Password: password, Token: token}
	faults := registry.NewFaults()
	host, _ := registry.StartInProcess(t, auth.Wrap, faults.Wrap)
	t.Cleanup(faults.Release)
	for _, ref := range []string{"/a/one:1", "/a/one:2", "/b/two:1"} {
		registry.PushRandom(t, host+ref, false)
	}
	auth.Require(true)

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys := staticKeychain{authn.FromConfig(authn.AuthConfig{Username: user, Password: password})}
	r := newTestResolver(t, WithKeychain(keys), WithLogger(logger))

	refs := []string{host + "/a/one:1", host + "/a/one:2", host + "/b/two:1"}
	if _, err := r.Resolve(context.Background(), refs); err != nil {
		t.Fatal(err)
	}
	if n := auth.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d for 2 repositories, want 2", n)
	}
	if s := r.Stats(); s.ManifestRequests != 3 {
		t.Errorf("manifest requests = %d for 3 references, want 3", s.ManifestRequests)
	}

	faults.FailN(http.StatusServiceUnavailable, 100)
	_, err := r.Resolve(context.Background(), []string{host + "/a/one:1", host + "/c/new:1"})
	if err == nil {
		t.Fatal("want an error")
	}
	auth.Require(true)
	badKeys := staticKeychain{authn.FromConfig(authn.AuthConfig{Username: user, Password: password + "-wrong"})}
	_, err2 := newTestResolver(t, WithKeychain(badKeys), WithLogger(logger)).Resolve(context.Background(), []string{host + "/d/x:1"})
	if err2 == nil {
		t.Fatal("want an authentication error")
	}

	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	for _, where := range []struct{ name, text string }{
		{"error", err.Error()},
		{"auth error", err2.Error()},
		{"log", logs.String()},
		{"keychain", fmt.Sprintf("%v %+v %#v", GitHubKeychain(token), GitHubKeychain(token), GitHubKeychain(token))},
	} {
		for _, secret := range []string{password, token, basic} {
			if strings.Contains(where.text, secret) {
				t.Errorf("%s contains a secret %q:\n%s", where.name, secret, where.text)
			}
		}
	}
	if !strings.Contains(logs.String(), "Authorization:REDACTED") {
		t.Errorf("debug log shows no redacted Authorization header:\n%s", logs.String())
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type staticKeychain struct{ auth authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }

func BenchmarkResolve(b *testing.B) {
	host, _ := registry.StartInProcess(b)
	var refs []string
	for i := range 32 {
		ref := fmt.Sprintf("%s/x/y:%d", host, i)
		registry.PushRandom(b, ref, false)
		refs = append(refs, ref)
	}
	r, err := NewResolver(WithKeychain(anonymous))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Resolve(context.Background(), refs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(refs)), "ns/ref")
}

// TestResolveGivesUpOnHost: once a registry host has failed as many
// attempts in a row as one request may make (no answer in time, or
// connection refused), its other references are not tried, the ones in
// flight stop, and the failure is reported once for all of them. A
// stalled registry with 48 references once took 461 s.
func TestResolveGivesUpOnHost(t *testing.T) {
	refs := func(host string) []string {
		var out []string
		for i := range 24 {
			out = append(out, fmt.Sprintf("%s/x/y:%d", host, i))
		}
		return out
	}
	t.Run("no answer", func(t *testing.T) {
		host, faults := startFaulty(t)
		faults.Hang()
		r := newTestResolver(t, WithJobs(4), WithRetry(3, time.Millisecond, time.Millisecond), WithRequestTimeout(50*time.Millisecond))
		_, err := r.Resolve(context.Background(), refs(host))
		if !errors.Is(err, ErrHostDown) {
			t.Fatalf("Resolve = %v, want ErrHostDown", err)
		}
		// 3 failures in a row give up; up to 4 were in flight.
		if n := faults.Count("HEAD"); n > 3+4 {
			t.Errorf("%d manifest requests reached a host given up on after 3 failures (24 references × 3 attempts without)", n)
		}
		msg := err.Error()
		if strings.Count(msg, "no response within 50ms") != 1 || !strings.Contains(msg, "and 21 more: registry host "+host+": no response within 50ms (3 attempts in a row failed; pinner stopped asking this host)") {
			t.Errorf("want one error for the host, naming three references and 21 more:\n%s", msg)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		host, srv := registry.StartInProcess(t)
		srv.Stop()
		r := newTestResolver(t, WithJobs(1))
		res, err := r.Resolve(context.Background(), refs(host))
		if !errors.Is(err, ErrHostDown) || strings.Count(err.Error(), "connection refused") != 1 {
			t.Fatalf("Resolve = %v, want one ErrHostDown", err)
		}
		if n := r.Stats().Requests; n != DefaultAttempts {
			t.Errorf("%d requests sent to a host that refuses, want %d", n, DefaultAttempts)
		}
		for _, x := range res {
			if x.Err == nil {
				t.Errorf("%s: no error", x.Ref)
			}
		}
	})
	t.Run("answers reset the count", func(t *testing.T) {
		h := newHealth(2)
		h.get("a")
		h.failed("a", errors.New("x"))
		h.answered("a")
		h.failed("a", errors.New("x"))
		if h.Down("a") != nil {
			t.Errorf("down after failures that an answer separated")
		}
		h.failed("a", errors.New("x"))
		if h.Down("a") == nil {
			t.Errorf("not down after 2 failures in a row")
		}
	})
}
