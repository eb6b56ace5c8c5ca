package image

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/pinner-dev/pinner/internal/nixbuild"
)

const fixturesDir = "../../modules-fixtures/oci-images"

// fixtures is every fixture image with its tag and the kind of output its
// Nix expression produces.
var fixtures = []struct {
	name, tag string
	kind      Kind
}{
	{"backup-toolbox", "1.0.0", DockerArchiveGzip},
	{"postgresql-vchord-bitnami", "38c40fefe0c58cff6622de77f787634320e1ae5e", Stream},
	{"valoris-frontend", "latest", OCILayout},
	{"valoris-backend", "latest", DockerArchiveGzip},
	{"openclaw-nix", "latest", Stream},
	{"youtube-transcriber", "0.0.1", DockerArchive},
	{"alarm-server", "v0.2.3", DockerArchiveGzip},
	{"libebooker", "latest", OCILayout},
	{"openrouter-proxy", "v0.0.5", Stream},
	{"mcpo", "latest", DockerArchive},
	{"ollama", "0.12.6-1-g7f551c4-dirty-rocm", DockerArchiveGzip},
}

// build builds fixture images with real Nix (for the given Nix system) and
// returns their output paths by name.
func build(t *testing.T, system string, names ...string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	var ins []nixbuild.Installable
	for _, n := range names {
		f, err := filepath.Abs(filepath.Join(fixturesDir, n+".nix"))
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, nixbuild.Installable{File: f, Args: map[string]string{"system": system}, Image: n})
	}
	b := &nixbuild.Builder{Env: []string{"NIX_CONFIG=substituters ="}}
	res, err := b.Build(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range res {
		out[r.Installable.Image] = r.Out
	}
	return out
}

func TestLoadFixtures(t *testing.T) {
	var names []string
	for _, f := range fixtures {
		names = append(names, f.name)
	}
	outs := build(t, "x86_64-linux", names...)
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			out, err := Load(context.Background(), outs[f.name])
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			if out.Kind != f.kind {
				t.Errorf("kind = %s, want %s", out.Kind, f.kind)
			}
			wantTag := f.name + ":" + f.tag
			if f.kind == OCILayout {
				wantTag = f.tag // the layout entry's ref.name is the tag alone
			}
			if out.RepoTag != wantTag {
				t.Errorf("RepoTag = %q, want %q", out.RepoTag, wantTag)
			}
			if out.Image == nil {
				t.Fatal("no image")
			}
			if err := validate.Image(out.Image); err != nil {
				t.Errorf("invalid image: %v", err)
			}
			cf, err := out.Image.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.Architecture != "amd64" || cf.OS != "linux" || len(cf.RootFS.DiffIDs) != 2 {
				t.Errorf("config: %s/%s with %d layers", cf.OS, cf.Architecture, len(cf.RootFS.DiffIDs))
			}
		})
	}
}

// The one-pass reader and the indexed reader (plain .tar) must agree on the
// digest of the same archive, or an image's digest would depend on how it
// was built.
func TestOnePassMatchesIndexed(t *testing.T) {
	outs := build(t, "x86_64-linux", "backup-toolbox", "mcpo", "openclaw-nix")
	for _, name := range []string{"backup-toolbox", "mcpo"} {
		t.Run(name, func(t *testing.T) {
			loaded, err := Load(context.Background(), outs[name])
			if err != nil {
				t.Fatal(err)
			}
			defer loaded.Close()
			kind, err := Detect(outs[name])
			if err != nil {
				t.Fatal(err)
			}
			opener := func() (io.ReadCloser, error) { return os.Open(outs[name]) }
			if kind == DockerArchiveGzip {
				opener = gunzipOpener(outs[name])
			}
			rc, err := opener()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			viaOnePass, err := readOnePass(rc, outs[name])
			if err != nil {
				t.Fatal(err)
			}
			defer viaOnePass.Close()
			for _, img := range []v1.Image{viaOnePass.Image, loaded.Image} {
				if err := validate.Image(img); err != nil {
					t.Errorf("invalid image: %v", err)
				}
			}
			if a, b := digest(t, loaded.Image), digest(t, viaOnePass.Image); a != b {
				t.Errorf("Load reads %s, one pass %s", a, b)
			}
		})
	}

	// The stream is the same archive as its image tree: its digest must be
	// stable across runs of the script.
	first, err := Load(context.Background(), outs["openclaw-nix"])
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Load(context.Background(), outs["openclaw-nix"])
	if err != nil {
		t.Fatal(err)
	}
	if a, b := digest(t, first.Image), digest(t, second.Image); a != b {
		t.Errorf("two runs of the stream read %s and %s", a, b)
	}
	tmp := second.tmp
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s behind: %v", tmp, err)
	}
}

func TestLoadRejectsNonImages(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty-dir")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{text, empty} {
		_, err := Load(context.Background(), p)
		if !errors.Is(err, ErrNotImage) {
			t.Errorf("Load(%s) = %v, want ErrNotImage", p, err)
			continue
		}
		if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "OCI layout directory") {
			t.Errorf("error %q should name the path and what is expected", err)
		}
	}
}

func TestLoadFailingStream(t *testing.T) {
	script := filepath.Join(t.TempDir(), "stream")
	body := "#!/bin/sh\necho 'pinner-stream-broke: no layers' >&2\nexit 4\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), script)
	if err == nil || !strings.Contains(err.Error(), "pinner-stream-broke") {
		t.Fatalf("err = %v, want the script's stderr", err)
	}
}

func TestLoadCancelledStream(t *testing.T) {
	script := filepath.Join(t.TempDir(), "stream")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, script); err == nil {
		t.Fatal("a cancelled stream loaded")
	}
}

func digest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A .tar.gz with many layers (buildLayeredImage) is read in one pass into
// a valid image.
func TestLoadLayeredGzip(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	lib, err := filepath.Abs(filepath.Join(fixturesDir, "lib"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "layered.nix")
	src := `{ system ? "x86_64-linux" }:
(import ` + lib + ` { inherit system; }).archiveGz {
  name = "layered";
  tag = "1";
  layers = map (i: { "etc/layer-${toString i}" = "layer ${toString i}\n"; }) [ 1 2 3 4 5 6 ];
}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &nixbuild.Builder{Env: []string{"NIX_CONFIG=substituters ="}}
	res, err := b.Build(context.Background(), []nixbuild.Installable{{File: file}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Load(context.Background(), res[0].Out)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if out.Kind != DockerArchiveGzip || out.tmp == "" {
		t.Errorf("kind %s, read in one pass: %v", out.Kind, out.tmp != "")
	}
	if err := validate.Image(out.Image); err != nil {
		t.Errorf("invalid image: %v", err)
	}
	if l, err := out.Image.Layers(); err != nil || len(l) != 6 {
		t.Errorf("layers: %d, %v", len(l), err)
	}
}

// A script that writes a whole archive and then fails is a failure.
func TestLoadStreamFailingAfterArchive(t *testing.T) {
	outs := build(t, "x86_64-linux", "mcpo")
	script := filepath.Join(t.TempDir(), "stream")
	body := "#!/bin/sh\ncat " + outs["mcpo"] + "\necho 'pinner-late-failure' >&2\nexit 1\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), script)
	if err == nil || !strings.Contains(err.Error(), "pinner-late-failure") {
		t.Fatalf("err = %v, want the script's failure", err)
	}
}
