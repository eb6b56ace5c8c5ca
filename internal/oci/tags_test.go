package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func TestTagsThroughMirror(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	want := []string{"1.0.0", "1.1.0", "v2", "latest"}
	for _, tag := range want {
		registry.PushRandom(t, host+"/ghcr/x/y:"+tag, false)
	}
	r := newTestResolver(t, WithMirrors(map[string]string{"ghcr.io": "http://" + host + "/ghcr"}))
	got, err := r.Tags(context.Background(), "ghcr.io/x/y")
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tags (-want +got):\n%s", diff)
	}

	_, err = r.Tags(context.Background(), "ghcr.io/x/missing")
	if err == nil {
		t.Fatal("Tags of a missing repository: no error")
	}
	if _, err := r.Tags(context.Background(), "UPPER/case"); err == nil {
		t.Error("Tags of an invalid repository: no error")
	}
}

func TestOnResolveReportsEachReference(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	a, b := host+"/x/a:1", host+"/x/b:1"
	registry.PushRandom(t, a, false)
	var (
		mu     sync.Mutex
		events []ResolveEvent
	)
	r := newTestResolver(t, WithOnResolve(func(ev ResolveEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
	}))
	_, err := r.Resolve(context.Background(), []string{a, b, a, host + "/x/a@sha256:" + zeros})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve: %v, want ErrNotFound for %s", err, b)
	}
	if len(events) != 3 {
		t.Fatalf("got %d events, want 3 (start, two references): %+v", len(events), events)
	}
	if events[0].Done != 0 || events[0].Total != 2 || events[0].Ref != "" {
		t.Errorf("first event %+v, want Done 0 of 2", events[0])
	}
	failed := 0
	for i, ev := range events[1:] {
		if ev.Done != i+1 || ev.Total != 2 {
			t.Errorf("event %d: %d of %d, want %d of 2", i+1, ev.Done, ev.Total, i+1)
		}
		if ev.Err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed events, want 1", failed)
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

// tagServer is a registry that serves only /v2/x/y/tags/list, page by
// page as page says (nil Link: the last page), and counts the pages
// asked for.
func tagServer(t *testing.T, page func(n int, r *http.Request) (tags []string, link string, pad int)) (string, *atomic.Int64) {
	t.Helper()
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		if r.URL.Path != "/v2/x/y/tags/list" {
			http.NotFound(w, r)
			return
		}
		tags, link, pad := page(int(pages.Add(1)), r)
		if link != "" {
			w.Header().Set("Link", "<"+link+`>; rel="next"`)
		}
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]any{"name": "x/y", "tags": tags})
		if pad > 0 {
			// Whitespace a JSON decoder reads through before the end.
			b = append(b[:len(b)-1], append(bytes.Repeat([]byte(" "), pad), '}')...)
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), &pages
}

// TestTagsBounded: a tag listing ends, with an error, whatever the
// registry does: a Link header naming the same page again (532,000
// requests in 60 s, before), pages without end, too many tags, too many
// bytes.
func TestTagsBounded(t *testing.T) {
	tests := []struct {
		name      string
		page      func(n int, r *http.Request) ([]string, string, int)
		want      string
		wantPages int64
	}{
		{
			name: "Link to itself",
			page: func(n int, r *http.Request) ([]string, string, int) {
				return []string{"1.0"}, "/v2/x/y/tags/list?n=1000", 0
			},
			want: "the registry's Link header leads back to a page already read", wantPages: 2,
		},
		{
			name: "Link around two pages",
			page: func(n int, r *http.Request) ([]string, string, int) {
				return []string{fmt.Sprint(n)}, fmt.Sprintf("/v2/x/y/tags/list?last=%d", n%2), 0
			},
			want: "leads back to a page already read", wantPages: 3,
		},
		{
			name: "pages without end",
			page: func(n int, r *http.Request) ([]string, string, int) {
				return []string{fmt.Sprint(n)}, fmt.Sprintf("/v2/x/y/tags/list?last=%d", n), 0
			},
			want: fmt.Sprintf("more than %d pages", MaxTagPages), wantPages: MaxTagPages,
		},
		{
			name: "growing pages",
			page: func(n int, r *http.Request) ([]string, string, int) {
				tags := make([]string, n*2000)
				for i := range tags {
					tags[i] = fmt.Sprintf("%d.%d", n, i)
				}
				return tags, fmt.Sprintf("/v2/x/y/tags/list?last=%d", n), 0
			},
			want: fmt.Sprintf("more than %d tags", MaxTags),
		},
		{
			name: "one enormous page",
			page: func(n int, r *http.Request) ([]string, string, int) {
				return []string{"1.0"}, "", MaxTagBytes + 1<<20
			},
			want: fmt.Sprintf("more than %d bytes", MaxTagBytes), wantPages: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, pages := tagServer(t, tt.page)
			_, err := newTestResolver(t).Tags(context.Background(), host+"/x/y")
			if !errors.Is(err, ErrTagList) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Tags = %v, want ErrTagList saying %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "registry "+host+": listing tags of x/y: ") {
				t.Errorf("error %q does not name the registry and repository", err)
			}
			if tt.wantPages > 0 && pages.Load() != tt.wantPages {
				t.Errorf("%d pages asked for, want %d", pages.Load(), tt.wantPages)
			}
		})
	}
	t.Run("pages that end", func(t *testing.T) {
		host, _ := tagServer(t, func(n int, r *http.Request) ([]string, string, int) {
			if n == 3 {
				return []string{"3", "2"}, "", 0
			}
			return []string{fmt.Sprint(n)}, fmt.Sprintf("/v2/x/y/tags/list?last=%d", n), 0
		})
		got, err := newTestResolver(t).Tags(context.Background(), host+"/x/y")
		if err != nil || !slices.Equal(got, []string{"1", "2", "3"}) {
			t.Errorf("Tags = %v, %v; want [1 2 3]", got, err)
		}
	})
}
