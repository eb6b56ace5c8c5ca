package oci

import (
	"context"
	"errors"
	"slices"
	"sync"
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
