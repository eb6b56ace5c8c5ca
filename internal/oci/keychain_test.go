package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const ghTestToken = "gho_SECRET0123456789abcdefghijklmnopqrstu"

// fakeGHCR serves go-containerregistry's registry over TLS behind Basic
// auth for user "token" and ghTestToken, and returns a transport that
// reaches it for every host: requests for ghcr.io land there, as they would
// at GitHub's registry. It holds ghcr.io/x/app:1.
func fakeGHCR(t *testing.T) (http.RoundTripper, string) {
	t.Helper()
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "token" || p != ghTestToken {
			w.Header().Set("WWW-Authenticate", `Basic realm="fake ghcr.io"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	// The test certificate names example.com; it is trusted (RootCAs) and
	// checked against that name, whatever host the request is for.
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	tr.TLSClientConfig.ServerName = "example.com"

	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := name.MustParseReference("ghcr.io/x/app:1")
	if err := remote.Write(ref, img, remote.WithTransport(tr), remote.WithAuth(&authn.Basic{Username: "token", Password: ghTestToken})); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return tr, d.String()
}

// fakeGH writes an executable gh into a new directory and returns that
// directory and a file the script appends a line to on each run.
func fakeGH(t *testing.T, body string) (dir, calls string) {
	t.Helper()
	dir = t.TempDir()
	calls = filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> " + calls + "\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, calls
}

func callsOf(t *testing.T, calls string) []string {
	t.Helper()
	b, err := os.ReadFile(calls)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// isolateCredentials leaves the default keychain nothing but what a test
// sets up: no Docker config, no GITHUB_TOKEN, and PATH only dir.
func isolateCredentials(t *testing.T, dir string) {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("PATH", dir)
}

// TestGHAuthTokenFallback: without GITHUB_TOKEN, the default keychain asks
// `gh auth token` for ghcr.io credentials, once per run, and the registry
// accepts them.
func TestGHAuthTokenFallback(t *testing.T) {
	tr, digest := fakeGHCR(t)
	dir, calls := fakeGH(t, `[ "$1 $2" = "auth token" ] || exit 2; echo `+ghTestToken)
	isolateCredentials(t, dir)

	r := newTestResolver(t, WithTransport(tr), WithKeychain(defaultKeychainForTest(t)))
	res, _ := r.Resolve(context.Background(), []string{"ghcr.io/x/app:1", "ghcr.io/x/other:1"})
	if res[0].Err != nil || res[0].Digest != digest {
		t.Fatalf("ghcr.io/x/app:1 = %+v, want %s", res[0], digest)
	}
	if !errors.Is(res[1].Err, ErrNotFound) {
		t.Errorf("ghcr.io/x/other:1: err = %v, want not found (authenticated, no such tag)", res[1].Err)
	}
	if got := callsOf(t, calls); len(got) != 1 || got[0] != "auth token --hostname github.com" {
		t.Errorf("gh ran as %q, want once as \"auth token --hostname github.com\"", got)
	}
	for _, s := range []string{fmt.Sprint(r.o.keychain), fmt.Sprintf("%+v %#v", GHKeychain("gh", 0), GHKeychain("gh", 0))} {
		if strings.Contains(s, ghTestToken) {
			t.Errorf("keychain prints the token: %s", s)
		}
	}
}

// defaultKeychainForTest is the keychain NewResolver builds by default,
// read after the test has set up the environment.
func defaultKeychainForTest(t *testing.T) authn.Keychain {
	t.Helper()
	o, err := makeOptions()
	if err != nil {
		t.Fatal(err)
	}
	return o.keychain
}

// TestGHAuthTokenNotUsed: GITHUB_TOKEN wins and gh never runs; without gh,
// or with a gh that fails, prints garbage or hangs, there is no credential
// and no message: the registry's 401 is the error.
func TestGHAuthTokenNotUsed(t *testing.T) {
	tr, digest := fakeGHCR(t)

	t.Run("GITHUB_TOKEN set", func(t *testing.T) {
		dir, calls := fakeGH(t, "echo wrong-token")
		isolateCredentials(t, dir)
		t.Setenv("GITHUB_TOKEN", ghTestToken)
		r := newTestResolver(t, WithTransport(tr), WithKeychain(defaultKeychainForTest(t)))
		if got := r.ResolveOne(context.Background(), "ghcr.io/x/app:1"); got.Err != nil || got.Digest != digest {
			t.Fatalf("resolve = %+v, want %s", got, digest)
		}
		if got := callsOf(t, calls); got != nil {
			t.Errorf("gh ran %q although GITHUB_TOKEN is set", got)
		}
	})

	for _, tc := range []struct {
		name string
		gh   string // script body; "" = no gh at all
	}{
		{"no gh", ""},
		{"not logged in", "echo 'no oauth token found for github.com' >&2; exit 1"},
		{"prints more than a token", "echo 'gho_a gho_b'"},
		{"prints nothing", "exit 0"},
		// sleep is a child of the shell: killing gh leaves it holding
		// stdout, which WaitDelay gives up on.
		{"hangs", "sleep 30; echo " + ghTestToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.gh != "" {
				dir, _ = fakeGH(t, tc.gh)
			}
			isolateCredentials(t, dir)
			t.Setenv("PATH", dir+":/usr/bin:/bin") // sleep, for "hangs"
			if tc.gh == "" {
				t.Setenv("PATH", dir)
			}
			kc := authn.NewMultiKeychain(GitHubKeychain(""), GHKeychain("gh", 300*time.Millisecond))
			r := newTestResolver(t, WithTransport(tr), WithKeychain(kc), WithRetry(1, time.Millisecond, time.Millisecond))
			start := time.Now()
			got := r.ResolveOne(context.Background(), "ghcr.io/x/app:1")
			if got.Err == nil || !strings.Contains(got.Err.Error(), "401 Unauthorized") {
				t.Fatalf("resolve = %+v, want the registry's 401", got)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("resolving took %v; gh's deadline is 300ms", el)
			}
			for _, s := range []string{"gh auth", "executable file not found", "no oauth token", "killed"} {
				if strings.Contains(got.Err.Error(), s) {
					t.Errorf("gh's failure is mentioned (%q): %v", s, got.Err)
				}
			}
		})
	}
}

func TestGHKeychainOtherRegistries(t *testing.T) {
	dir, calls := fakeGH(t, "echo "+ghTestToken)
	isolateCredentials(t, dir)
	kc := GHKeychain("gh", 0)
	for _, reg := range []string{"docker.io", "127.0.0.1:5000", "ghcr.io.example.com"} {
		ref, err := name.ParseReference(reg + "/x/y:1")
		if err != nil {
			t.Fatal(err)
		}
		a, err := kc.Resolve(ref.Context())
		if err != nil || a != authn.Anonymous {
			t.Errorf("%s: %v, %v; want anonymous", reg, a, err)
		}
	}
	if got := callsOf(t, calls); got != nil {
		t.Errorf("gh ran %q for registries other than ghcr.io", got)
	}
}
