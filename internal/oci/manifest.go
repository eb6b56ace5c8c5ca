package oci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// manifestTypes are the media types pinner pins: OCI and Docker schema 2
// images and indexes. Anything else a registry answers with (a web page
// from a captive portal or a web UI at the mirror URL, a JSON error, a
// schema 1 manifest) is not something a runtime can pull by digest.
var manifestTypes = []types.MediaType{
	types.OCIManifestSchema1, types.OCIImageIndex,
	types.DockerManifestSchema2, types.DockerManifestList,
}

// maxIndexChildren bounds the manifests of an index that Confirm checks
// one by one. Real indexes list a few platforms (and as many attestations).
const maxIndexChildren = 256

// mediaType is a Content-Type without its parameters ("; charset=utf-8").
func mediaType(contentType string) types.MediaType {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return types.MediaType(contentType)
	}
	return types.MediaType(mt)
}

func isManifestType(mt types.MediaType) bool { return slices.Contains(manifestTypes, mt) }

// manifestInfo is what checkManifest learnt from a manifest.
type manifestInfo struct {
	mediaType types.MediaType
	// children are the manifests an index lists; nil for an image.
	children []v1.Descriptor
}

// checkManifest makes sure body is an image manifest or an index that
// the Content-Type contentType announces: schemaVersion 2, a manifest media
// type (the body's own, or the Content-Type's when the body has none, as
// OCI manifests may), and a config with layers, or a list of manifests.
// The error says what the body is instead; it wraps ErrNotManifest.
func checkManifest(body []byte, contentType string) (manifestInfo, error) {
	header := mediaType(contentType)
	var m struct {
		SchemaVersion *int             `json:"schemaVersion"`
		MediaType     types.MediaType  `json:"mediaType"`
		Config        *v1.Descriptor   `json:"config"`
		Layers        *[]v1.Descriptor `json:"layers"`
		Manifests     *[]v1.Descriptor `json:"manifests"`
	}
	notManifest := func(why string) (manifestInfo, error) {
		what := "a body of type " + string(header)
		if header == "" {
			what = "a body without a Content-Type"
		}
		hint := ""
		if !isManifestType(header) {
			hint = "; a web page or a proxy at the registry's URL?"
		}
		return manifestInfo{}, fmt.Errorf("%w: the registry answered with %s (%s)%s", ErrNotManifest, what, why, hint)
	}
	if header != "" && !isManifestType(header) {
		return notManifest("not a manifest media type")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return notManifest("empty")
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return notManifest("not a manifest's JSON")
	}
	mt := m.MediaType
	if mt == "" {
		mt = header
	}
	switch {
	case m.SchemaVersion == nil:
		return notManifest("no schemaVersion")
	case *m.SchemaVersion != 2:
		return notManifest(fmt.Sprintf("schemaVersion %d; pinner pins schema 2 and OCI manifests", *m.SchemaVersion))
	case !isManifestType(mt):
		return notManifest(fmt.Sprintf("media type %q", string(mt)))
	case header != "" && header != mt:
		return notManifest(fmt.Sprintf("the body says %s", mt))
	}
	info := manifestInfo{mediaType: mt}
	if mt.IsIndex() {
		if m.Manifests == nil || m.Config != nil || m.Layers != nil {
			return notManifest("an index without a list of manifests")
		}
		for _, d := range *m.Manifests {
			if d.Digest.Algorithm == "" {
				return notManifest("an index entry without a digest")
			}
		}
		info.children = *m.Manifests
		if info.children == nil {
			info.children = []v1.Descriptor{}
		}
		return info, nil
	}
	if m.Config == nil || m.Config.Digest.Algorithm == "" || m.Layers == nil || m.Manifests != nil {
		return notManifest("an image manifest without config and layers")
	}
	return info, nil
}
