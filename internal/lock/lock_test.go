package lock

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pinner-dev/pinner/internal/imageref"
)

const (
	d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func TestMarshalIsStable(t *testing.T) {
	pins := map[imageref.Key]string{}
	for _, r := range []string{"quay.io/b:1", "docker.io/library/a:2", "ghcr.io/c/d:3", "docker.io/library/a:1"} {
		pins[imageref.Key(r)] = d1
	}
	first := New().With(pins).Marshal()
	for range 20 {
		if got := New().With(pins).Marshal(); !bytes.Equal(got, first) {
			t.Fatalf("Marshal is not stable:\n%s\n%s", first, got)
		}
	}
	want := `{
  "version": 1,
  "images": {
    "docker.io/library/a:1": {
      "digest": "` + d1 + `"
    },
    "docker.io/library/a:2": {
      "digest": "` + d1 + `"
    },
    "ghcr.io/c/d:3": {
      "digest": "` + d1 + `"
    },
    "quay.io/b:1": {
      "digest": "` + d1 + `"
    }
  }
}
`
	if diff := cmp.Diff(want, string(first)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	// Round trip.
	l, err := Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(l.Marshal(), first) {
		t.Errorf("Parse then Marshal changed the bytes")
	}
}

func TestWith(t *testing.T) {
	old := &Lock{Version: 1, Images: map[imageref.Key]Entry{
		"gone:1":  {Digest: d1},
		"owned:1": {Digest: d1, Pushed: d1, Outputs: map[string]string{"linux/amd64": "/nix/store/x"}},
		"kept:1":  {Digest: d1},
	}}
	got := old.With(map[imageref.Key]string{"kept:1": d2, "new:1": d1})
	want := map[imageref.Key]Entry{
		"owned:1": {Digest: d1, Pushed: d1, Outputs: map[string]string{"linux/amd64": "/nix/store/x"}},
		"kept:1":  {Digest: d2},
		"new:1":   {Digest: d1},
	}
	if diff := cmp.Diff(want, got.Images); diff != "" {
		t.Errorf("With (-want +got):\n%s", diff)
	}
	if old.Images["kept:1"].Digest != d1 {
		t.Errorf("With changed its receiver")
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	l, found, err := Read(filepath.Join(dir, "pinner.lock"))
	if err != nil || found || len(l.Images) != 0 {
		t.Fatalf("missing file: %v %v %v", l, found, err)
	}
	for name, content := range map[string]string{
		"version": `{"version":2,"images":{}}`,
		"unknown": `{"version":1,"images":{},"extra":1}`,
		"syntax":  `{"version":1,`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		if _, _, err := Read(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v, want an error naming the file", name, err)
		}
	}
}
