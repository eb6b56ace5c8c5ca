package oci_test

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// The CNCF registry keeps blobs per repository: a second image that shares
// a layer with one pushed before to another repository mounts the layer
// from there and uploads only its own.
func TestPublishMountsSharedLayers(t *testing.T) {
	log := &registry.RequestLog{}
	host := registry.StartDistributionLogged(t, log)

	a, err := random.Image(4096, 2)
	if err != nil {
		t.Fatal(err)
	}
	aLayers, _ := a.Layers()
	own, err := random.Layer(4096, "application/vnd.oci.image.layer.v1.tar")
	if err != nil {
		t.Fatal(err)
	}
	b, err := mutate.AppendLayers(empty.Image, aLayers[0], own)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := oci.NewRegistryPublisher()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := pub.Publish(ctx, oci.Request{Repository: host + "/x/a", Tags: []string{"1"}, Artifact: oci.Artifact{Image: a}}); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if _, err := pub.Publish(ctx, oci.Request{Repository: host + "/x/b", Tags: []string{"1"}, Artifact: oci.Artifact{Image: b}}); err != nil {
		t.Fatal(err)
	}
	shared, _ := aLayers[0].Digest()
	ownD, _ := own.Digest()
	uploads := log.BlobUploads()
	if slices.Contains(uploads, shared.String()) || !slices.Contains(uploads, ownD.String()) {
		t.Errorf("uploads %v: want %s, not the shared %s", uploads, ownD, shared)
	}
	if n := log.Count("POST", "mount="+url.QueryEscape(shared.String())); n != 1 {
		t.Errorf("%d mounts of the shared layer; requests %v", n, log.Requests())
	}

	// A later run (another publisher) knows nothing of the first push: the
	// repositories it is told of are asked for the layer.
	c, err := mutate.AppendLayers(empty.Image, aLayers[1], own)
	if err != nil {
		t.Fatal(err)
	}
	later, err := oci.NewRegistryPublisher(oci.WithMountFrom(host+"/x/b", host+"/x/a"))
	if err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if _, err := later.Publish(ctx, oci.Request{Repository: host + "/x/c", Tags: []string{"1"}, Artifact: oci.Artifact{Image: c}}); err != nil {
		t.Fatal(err)
	}
	second, _ := aLayers[1].Digest()
	if got := log.BlobUploads(); slices.Contains(got, second.String()) || slices.Contains(got, ownD.String()) {
		t.Errorf("later run uploaded %v; both layers were in x/a or x/b", got)
	}
}
