package oci_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// Uploads are not idempotent requests, so the transport does not retry
// them; the publisher starts a failed blob upload over instead. A reset
// connection or a 5xx in the middle of a PATCH or PUT is met, the push
// succeeds, and the registry serves the digest; a registry that keeps
// failing uploads ends the push with an error that names it, after a
// bounded number of attempts.
func TestPublishRetriesUploads(t *testing.T) {
	t.Parallel()
	img, err := random.Image(4096, 3)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	tests := []struct {
		name    string
		inject  func(*registry.Faults)
		wantErr string
	}{
		{name: "connection reset once", inject: func(f *registry.Faults) { f.ResetUploads(1) }},
		{name: "connection reset on three uploads", inject: func(f *registry.Faults) { f.ResetUploads(3) }},
		{name: "503 twice", inject: func(f *registry.Faults) { f.FailUploads(http.StatusServiceUnavailable, 2) }},
		{name: "502 then 500", inject: func(f *registry.Faults) { f.FailUploads(http.StatusBadGateway, 1) }},
		{name: "keeps failing", inject: func(f *registry.Faults) { f.FailUploads(http.StatusInternalServerError, 1000) }, wantErr: "500 Internal Server Error"},
		{name: "keeps resetting", inject: func(f *registry.Faults) { f.ResetUploads(1000) }, wantErr: "connection reset"},
		{name: "400 is not retried", inject: func(f *registry.Faults) { f.FailUploads(http.StatusBadRequest, 1000) }, wantErr: "400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := registry.NewFaults()
			host, _ := registry.StartInProcess(t, f.Wrap)
			t.Cleanup(f.Release)
			tt.inject(f)
			p := newPublisher(t, oci.WithRetry(4, time.Millisecond, 5*time.Millisecond), oci.WithKeychain(authn.NewMultiKeychain()), oci.WithJobs(1))
			start := time.Now()
			pub, err := p.Publish(context.Background(), oci.Request{
				Repository: host + "/x/retry", Tags: []string{"1"}, Artifact: oci.Artifact{Image: img}})
			if el := time.Since(start); el > 10*time.Second {
				t.Errorf("took %v", el)
			}
			total, faulted := f.Uploads()
			if tt.wantErr != "" {
				if err == nil {
					t.Fatal("push succeeded")
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "registry "+host) {
					t.Errorf("error %q lacks %q or the registry", err, tt.wantErr)
				}
				// 4 attempts of the first blob, then nothing more: the
				// other blobs never start with one job.
				if tt.name != "400 is not retried" && faulted != 4 {
					t.Errorf("%d uploads faulted, want 4 (one blob, 4 attempts)", faulted)
				}
				if tt.name == "400 is not retried" && faulted != 1 {
					t.Errorf("a 400 was tried %d times", faulted)
				}
				return
			}
			if err != nil {
				t.Fatalf("push: %v (uploads %d, faulted %d)", err, total, faulted)
			}
			if faulted == 0 {
				t.Fatal("no upload was faulted")
			}
			if pub.Digest != want || headDigest(t, host+"/x/retry:1") != want {
				t.Errorf("pushed %s, want %s", pub.Digest, want)
			}
		})
	}
}
