package oci

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// TestOnePingPerRegistry: pkg/v1/remote pings once per repository; the
// Resolver answers all but the first from memory, with or without auth.
func TestOnePingPerRegistry(t *testing.T) {
	for _, auth := range []bool{false, true} {
		t.Run(fmt.Sprintf("auth=%v", auth), func(t *testing.T) {
			var pings atomic.Int64
			count := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/v2/" {
						pings.Add(1)
					}
					next.ServeHTTP(w, r)
				})
			}
			ba := &registry.BearerAuth{User: "u", Password: "p", Token: "tok"}
			host, _ := registry.StartInProcess(t, count, ba.Wrap)
			var refs []string
			want := map[string]string{}
			for i := range 6 {
				ref := fmt.Sprintf("%s/x/repo%d:1", host, i)
				want[ref] = registry.PushRandom(t, ref, false)
				refs = append(refs, ref)
			}
			ba.Require(auth)
			pings.Store(0)
			opts := []Option{}
			if auth {
				opts = append(opts, WithKeychain(staticKeychain{authn.FromConfig(authn.AuthConfig{Username: "u", Password: "p"})}))
			}
			r := newTestResolver(t, opts...)
			res, err := r.Resolve(context.Background(), refs)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range res {
				if x.Digest != want[x.Ref] {
					t.Errorf("%s: digest %s, want %s", x.Ref, x.Digest, want[x.Ref])
				}
			}
			if n := pings.Load(); n != 1 {
				t.Errorf("registry saw %d pings for %d repositories, want 1", n, len(refs))
			}
			if auth && ba.TokenRequests() != len(refs) {
				t.Errorf("%d token requests, want one per repository (%d)", ba.TokenRequests(), len(refs))
			}
		})
	}
}
