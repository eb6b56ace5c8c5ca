package oci

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"-1", 0, false},
		{"99999999999", maxBackoffCeiling, true},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	} {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	rt := &retryTransport{base: 200 * time.Millisecond, max: 10 * time.Second}
	for attempt := 1; attempt <= 40; attempt++ {
		nominal := min(rt.base<<min(attempt-1, 30), rt.max)
		for range 50 {
			d := rt.backoff(attempt)
			if d < nominal/2 || d > nominal {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, nominal/2, nominal)
			}
		}
	}
}

// newBareTransport is a retryTransport in front of a test server, with the
// sleeps recorded instead of slept.
func newBareTransport(t *testing.T, attempts int) (*retryTransport, *[]time.Duration) {
	t.Helper()
	o, err := makeOptions(WithRetry(attempts, 100*time.Millisecond, time.Second), WithKeychain(authn.NewMultiKeychain()))
	if err != nil {
		t.Fatal(err)
	}
	rt := newRetryTransport(o)
	var slept []time.Duration
	rt.sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}
	return rt, &slept
}

func TestRetryTransportStatuses(t *testing.T) {
	for _, tc := range []struct {
		method     string
		status     int
		wantCalls  int64
		wantStatus int // 0: an error
	}{
		{http.MethodGet, 503, 4, 0},
		{http.MethodHead, 429, 4, 0},
		{http.MethodGet, 500, 4, 0},
		{http.MethodGet, 404, 1, 404},
		{http.MethodGet, 401, 1, 401},
		{http.MethodPost, 503, 1, 503}, // not idempotent: never retried
		{http.MethodPut, 502, 1, 502},
	} {
		t.Run(tc.method+" "+http.StatusText(tc.status), func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			rt, slept := newBareTransport(t, 4)
			req, _ := http.NewRequest(tc.method, srv.URL+"/v2/x/manifests/1", nil)
			resp, err := rt.RoundTrip(req)
			if calls.Load() != tc.wantCalls {
				t.Errorf("server saw %d requests, want %d", calls.Load(), tc.wantCalls)
			}
			if tc.wantStatus == 0 {
				var ae *AttemptsError
				if !errors.As(err, &ae) || ae.Attempts != 4 {
					t.Fatalf("err = %v, want AttemptsError after 4", err)
				}
				if len(*slept) != 3 {
					t.Errorf("slept %v, want 3 waits", *slept)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
		})
	}
}

func TestRetryTransportConnectionReset(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			// Drop the connection without an answer.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	rt, _ := newBareTransport(t, 5)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if calls.Load() != 3 {
		t.Errorf("server saw %d requests, want 3", calls.Load())
	}
}

func TestRetryTransportStopsOnCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	rt, _ := newBareTransport(t, 5)
	rt.sleep = sleepCtx
	rt.base, rt.max = time.Hour, time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v2/", nil)
	start := time.Now()
	_, err := rt.RoundTrip(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("returned after %v", el)
	}
}

func TestRetryTransportRefusesPlainHTTP(t *testing.T) {
	rt, _ := newBareTransport(t, 1)
	rt.next = roundTripperFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("request sent")
		return nil, nil
	})
	req, _ := http.NewRequest(http.MethodGet, "http://registry.example.com/v2/", nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, ErrInsecureHTTP) {
		t.Errorf("err = %v, want ErrInsecureHTTP", err)
	}
}

func TestRedactHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer sekrit")
	h.Set("Proxy-Authorization", "Basic sekrit")
	h.Set("Accept", "application/json")
	got := redactHeaders(h)
	if strings.Contains(got["Authorization"]+got["Proxy-Authorization"], "sekrit") || got["Accept"] != "application/json" {
		t.Errorf("redactHeaders = %v", got)
	}
}

func TestOptionsValidate(t *testing.T) {
	for name, opt := range map[string]Option{
		"jobs 0":            WithJobs(0),
		"jobs -1":           WithJobs(-1),
		"nil keychain":      WithKeychain(nil),
		"timeout 0":         WithRequestTimeout(0),
		"attempts 0":        WithRetry(0, time.Millisecond, time.Second),
		"attempts 1000":     WithRetry(1000, time.Millisecond, time.Second),
		"base 0":            WithRetry(3, 0, time.Second),
		"max < base":        WithRetry(3, time.Second, time.Millisecond),
		"max too long":      WithRetry(3, time.Second, time.Hour),
		"nil logger":        WithLogger(nil),
		"nil transport":     WithTransport(nil),
		"empty insecure":    WithInsecure([]string{""}),
		"bad mirror scheme": WithMirrors(map[string]string{"ghcr.io": "ftp://x"}),
	} {
		if _, err := NewResolver(opt); err == nil {
			t.Errorf("%s: NewResolver accepted it", name)
		}
	}
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	o := r.o
	if o.jobs != 16 || o.attempts != 5 || o.baseBackoff != 200*time.Millisecond ||
		o.maxBackoff != 10*time.Second || o.requestTimeout != 30*time.Second {
		t.Errorf("defaults = %+v", o)
	}
}

func TestDefaultKeychainGitHubToken(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no docker login
	t.Setenv("GITHUB_TOKEN", "ghp_test-token")
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		registry string
		want     authn.AuthConfig
	}{
		{"ghcr.io", authn.AuthConfig{Username: "token", Password: "ghp_test-token"}},
		{"docker.io", authn.AuthConfig{}},
		{"127.0.0.1:5000", authn.AuthConfig{}},
	} {
		reg, err := name.NewRegistry(tc.registry)
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.o.keychain.Resolve(reg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if *got != tc.want {
			t.Errorf("%s: auth = %+v, want %+v", tc.registry, *got, tc.want)
		}
	}

	a, _ := GitHubKeychain("").Resolve(name.MustParseReference("ghcr.io/x/y").Context())
	if a != authn.Anonymous {
		t.Errorf("GitHubKeychain(\"\") = %v, want anonymous", a)
	}
}

// TestRegistryErrorsRedactCredentials: a registry that quotes the
// credentials it refused (a token exchange with wrong ones, a manifest
// read with a valid token) in its error body does not get them printed:
// neither the header, nor the token, nor base64(user:password), nor the
// password decoded.
func TestRegistryErrorsRedactCredentials(t *testing.T) {
	const (
		user     = "robot"
		password = "pw-0123456789-SECRET"
		token    = "tok-9876543210-SECRET"
	)
	auth := &registry.BearerAuth{User: user, Password: password, Token: token}
	host, _ := registry.StartInProcess(t, auth.Wrap)
	registry.PushRandom(t, host+"/a/one:1", false)
	auth.Require(true)
	auth.Echo(true)
	for _, pw := range []string{password, password + "-wrong"} {
		keys := staticKeychain{authn.FromConfig(authn.AuthConfig{Username: user, Password: pw})}
		r := newTestResolver(t, WithKeychain(keys), WithRetry(1, time.Millisecond, time.Millisecond))
		res := r.ResolveOne(context.Background(), host+"/a/one:1")
		if res.Err == nil {
			t.Fatalf("password %q: resolved although the registry refuses", pw)
		}
		msg := res.Err.Error()
		t.Logf("password %q: %s", pw, msg)
		if !strings.Contains(msg, "REDACTED") {
			t.Errorf("the error does not show the registry's message, redacted: %s", msg)
		}
		basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
		for _, secret := range []string{pw, token, basic, user + ":" + pw} {
			if strings.Contains(msg, secret) {
				t.Errorf("error shows %q: %s", secret, msg)
			}
		}
	}
}

func TestRedactSecrets(t *testing.T) {
	for in, want := range map[string]string{
		`{"message":"bad header Authorization: Basic cm9ib3Q6cHc="}`: `{"message":"bad header Authorization: REDACTED"}`,
		`{"headers":{"Authorization":["Bearer abc.def.ghi"]}}`:       `{"headers":{"Authorization":["REDACTED"]}}`,
		`token was bearer eyJhbGciOiJIUzI1NiJ9.x.y, go away`:         `token was bearer REDACTED, go away`,
		`proxy-authorization=Basic Zm9vOmJhcg== denied`:              `proxy-authorization=REDACTED`,
		`unauthorized: authentication required`:                      `unauthorized: authentication required`,
		`the password s3cr3t-pw is wrong`:                            `the password REDACTED is wrong`,
	} {
		if got := string(redactSecrets([]byte(in), []string{"s3cr3t-pw", "pw"})); got != want {
			t.Errorf("redactSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}
