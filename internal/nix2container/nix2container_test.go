package nix2container_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/nix2container"
	"github.com/pinner-dev/pinner/internal/testutil/n2cimage"
)

func build(t *testing.T, attr string) (string, *nix2container.Image) {
	t.Helper()
	path := n2cimage.Build(t, "testdata/images.nix", attr, nil)
	img, err := nix2container.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, img
}

// Every layer nix2container describes, tarred from its store paths, has
// the digest and the size nix2container computed: copyToRoot rewrites,
// perms (modes with setuid-style bits, owners and names), symlinks, empty
// files and directories, implied parent directories.
func TestTarIsNix2containers(t *testing.T) {
	for _, attr := range []string{"app", "other", "tarred"} {
		_, img := build(t, attr)
		for i, l := range img.Layers {
			var buf bytes.Buffer
			if err := nix2container.WriteTar(&buf, l.Paths); err != nil {
				t.Fatalf("%s layer %d: %v", attr, i+1, err)
			}
			sum := sha256.Sum256(buf.Bytes())
			if got := "sha256:" + hex.EncodeToString(sum[:]); got != l.Digest || int64(buf.Len()) != l.Size {
				t.Errorf("%s layer %d (%v): tar is %s, %d bytes; nix2container: %s, %d bytes", attr, i+1, l.Paths, got, buf.Len(), l.Digest, l.Size)
			}
		}
	}
}

// The config blob is the image-spec image nix2container marshals: its
// keys in that order, image-config as given, one diff_id and one history
// entry per layer.
func TestConfigBlob(t *testing.T) {
	path, img := build(t, "app")
	blob, err := img.ConfigBlob(nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(blob))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	if diff := cmp.Diff([]string{"created", "architecture", "os", "config", "rootfs", "history"}, keys); diff != "" {
		t.Errorf("config keys (-want +got):\n%s", diff)
	}
	var raw struct {
		Config map[string]any `json:"image-config"`
		Layers []struct {
			DiffIDs string         `json:"diff_ids"`
			History map[string]any `json:"History"`
		} `json:"layers"`
	}
	data, _ := os.ReadFile(path)
	json.Unmarshal(data, &raw)
	var got struct {
		Created, Architecture, OS string
		Config                    map[string]any
		RootFS                    struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
		History []map[string]any
	}
	if err := json.Unmarshal(blob, &got); err != nil {
		t.Fatal(err)
	}
	if got.Created != "0001-01-01T00:00:00Z" || got.Architecture != "amd64" || got.OS != "linux" || got.RootFS.Type != "layers" {
		t.Errorf("config: %s", blob)
	}
	if diff := cmp.Diff(raw.Config, got.Config); diff != "" {
		t.Errorf("config (-image.json +blob):\n%s", diff)
	}
	for i, l := range raw.Layers {
		if got.RootFS.DiffIDs[i] != l.DiffIDs || !cmp.Equal(got.History[i], l.History) {
			t.Errorf("layer %d: diff_id %s, history %v; image.json: %s, %v", i+1, got.RootFS.DiffIDs[i], got.History[i], l.DiffIDs, l.History)
		}
	}
	if !bytes.Contains(blob, []byte(`"A=\u003c\u0026\u003e"`)) {
		t.Errorf("config does not escape <&> as encoding/json does: %s", blob)
	}

	labelled, err := img.ConfigBlob(map[string]string{"org.opencontainers.image.source": "https://example.com/x", "org.example.a": "not this"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(labelled, []byte(`"org.example.a":"first","org.example.z":"last","org.opencontainers.image.source":"https://example.com/x"`)) {
		t.Errorf("labelled config: %s", labelled)
	}
	if again, _ := img.ConfigBlob(nil); !bytes.Equal(again, blob) {
		t.Errorf("adding labels changed the image: %s", again)
	}
}

// A layer whose store paths do not tar to the recorded digest fails the
// read with an error naming the layer, before the reader ends.
func TestLayerMismatch(t *testing.T) {
	_, img := build(t, "app")
	img.Layers[1].Paths = img.Layers[0].Paths
	v1img, err := nix2container.NewImage(img, nil)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := v1img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		var le *nix2container.LayerError
		switch {
		case i == 1 && (!errors.As(err, &le) || le.Index != 2 || !errors.Is(err, nix2container.ErrLayerMismatch)):
			t.Errorf("layer 2: %v, want a LayerError", err)
		case i == 1 && !strings.Contains(err.Error(), img.Layers[1].Digest):
			t.Errorf("error does not name the layer's digest: %v", err)
		case i != 1 && err != nil:
			t.Errorf("layer %d: %v", i+1, err)
		}
	}
}

// A layer-path blob is read from its file, and checked too.
func TestLayerPath(t *testing.T) {
	_, img := build(t, "tarred")
	if img.Layers[0].LayerPath == "" {
		t.Fatal("no layer-path")
	}
	// Paths that do not exist: the layer must come from the file.
	img.Layers[0].Paths = []nix2container.Path{{Path: "/nonexistent"}}
	v1img, err := nix2container.NewImage(img, nil)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := v1img.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		t.Errorf("reading layer-path: %v", err)
	}
	rc.Close()

	bad := filepath.Join(t.TempDir(), "bad.tar")
	os.WriteFile(bad, []byte("not the layer"), 0o644)
	img.Layers[0].LayerPath = bad
	v1img, _ = nix2container.NewImage(img, nil)
	layers, _ = v1img.Layers()
	rc, _ = layers[0].Compressed()
	if _, err := io.Copy(io.Discard, rc); !errors.Is(err, nix2container.ErrLayerMismatch) || !strings.Contains(err.Error(), bad) {
		t.Errorf("reading a wrong layer-path: %v", err)
	}
}

func TestReadRejects(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"version":  `{"version":2,"arch":"amd64","layers":[]}`,
		"digest":   `{"version":1,"arch":"amd64","layers":[{"digest":"sha256:zz","diff_ids":"sha256:zz","mediatype":"application/vnd.oci.image.layer.v1.tar","paths":[{"path":"/x"}]}]}`,
		"regex":    `{"version":1,"arch":"amd64","layers":[{"digest":"sha256:` + strings.Repeat("a", 64) + `","diff_ids":"sha256:` + strings.Repeat("a", 64) + `","mediatype":"application/vnd.oci.image.layer.v1.tar","paths":[{"path":"/x","options":{"rewrite":{"regex":"(","repl":""}}}]}]}`,
		"nolayer":  `{"version":1,"arch":"amd64","layers":[{"digest":"sha256:` + strings.Repeat("a", 64) + `","diff_ids":"sha256:` + strings.Repeat("a", 64) + `","mediatype":"application/vnd.oci.image.layer.v1.tar"}]}`,
		"not json": `{"version":1,`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := nix2container.Read(p); !errors.Is(err, nix2container.ErrNotImageJSON) {
			t.Errorf("%s: %v, want ErrNotImageJSON", name, err)
		}
	}
}
