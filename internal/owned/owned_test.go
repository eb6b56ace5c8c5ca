package owned

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
)

func built(tags ...string) []nixbuild.Result {
	var out []nixbuild.Result
	for i, t := range tags {
		p := []string{"linux/amd64", "linux/arm64"}[i]
		out = append(out, nixbuild.Result{Installable: nixbuild.Installable{Platform: p}, Out: "/nix/store/x-" + p, ImageTag: t})
	}
	return out
}

func TestDescribeTags(t *testing.T) {
	git := func() (string, error) { return "abc1234", nil }
	noGit := func() (string, error) { return "", errors.New("unused") }
	tests := []struct {
		name    string
		img     config.Image
		built   []nixbuild.Result
		git     func() (string, error)
		want    []string
		wantErr error
	}{
		{"declared by nix", config.Image{}, built("1.0", "1.0"), noGit, []string{"1.0"}, nil},
		{"configured", config.Image{Tag: "2.0", ExtraTags: []string{"latest"}}, built("1.0"), noGit, []string{"2.0", "latest"}, nil},
		{"git", config.Image{Tag: "{git}", ExtraTags: []string{"main-{git}"}}, built(""), git, []string{"abc1234", "main-abc1234"}, nil},
		{"none", config.Image{}, built(""), noGit, nil, ErrBadInput},
		{"platforms disagree", config.Image{}, built("1", "2"), noGit, nil, ErrBadInput},
		{"invalid", config.Image{Tag: "a b"}, built(""), noGit, nil, ErrBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.img.Name, tt.img.Repository = "x", "ghcr.io/o/x"
			r, err := describe(&tt.img, tt.built, tt.git, nil, nil)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, r.Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			if r.Key != imageref.MakeKey("ghcr.io/o/x", tt.want[0]) {
				t.Errorf("key %q", r.Key)
			}
		})
	}
}

func TestGitOutsideRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", t.TempDir()+"/..")
	_, err := gitShortCommit(context.Background(), t.TempDir())
	if !errors.Is(err, ErrBadInput) {
		t.Errorf("err = %v, want ErrBadInput", err)
	}
}

func TestUnchanged(t *testing.T) {
	r := &Result{Key: "ghcr.io/o/x:1", Platforms: []Platform{{Platform: "linux/amd64", Output: "/nix/store/a"}}}
	l := lock.New()
	if _, ok := unchanged(r, l); ok {
		t.Error("unchanged without a lock entry")
	}
	l.Images["ghcr.io/o/x:1"] = lock.Entry{Digest: "sha256:1", Outputs: map[string]string{"linux/amd64": "/nix/store/a"}}
	if d, ok := unchanged(r, l); !ok || d != "sha256:1" {
		t.Errorf("unchanged = %q, %v", d, ok)
	}
	r.Platforms[0].Output = "/nix/store/b"
	if _, ok := unchanged(r, l); ok {
		t.Error("unchanged with other outputs")
	}
}

// TestDescribeGitSettles: a "{git}" tag keeps the commit the lock records
// for this repository while the Nix outputs are the same; committing the
// pin moved HEAD and re-tagged the same image on every run.
func TestDescribeGitSettles(t *testing.T) {
	img := config.Image{Name: "x", Repository: "ghcr.io/o/x", Tag: "{git}", ExtraTags: []string{"main-{git}", "latest"}}
	head := func() (string, error) { return "def5678", nil }
	l := lock.New()
	l.Images["ghcr.io/o/x:abc1234"] = lock.Entry{Digest: "sha256:" + strings.Repeat("a", 64), Outputs: map[string]string{"linux/amd64": "/nix/store/x-linux/amd64"}}
	l.Images["ghcr.io/o/other:0a0b0c0"] = lock.Entry{Digest: "sha256:" + strings.Repeat("b", 64), Outputs: map[string]string{"linux/amd64": "/nix/store/x-linux/amd64"}}

	r, err := describe(&img, built(""), head, l, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"abc1234", "main-abc1234", "latest"}, r.Tags); diff != "" || r.Key != "ghcr.io/o/x:abc1234" {
		t.Errorf("same outputs: key %s, tags (-want +got):\n%s", r.Key, diff)
	}
	if _, ok := unchanged(&r, l); !ok {
		t.Errorf("the settled image is not unchanged per the lock")
	}

	changed := built("")
	changed[0].Out = "/nix/store/y-linux/amd64"
	r, err = describe(&img, changed, head, l, nil)
	if err != nil || r.Tag != "def5678" {
		t.Errorf("new outputs: tag %q, %v; want HEAD's commit", r.Tag, err)
	}
	fixed := config.Image{Name: "x", Repository: "ghcr.io/o/x", Tag: "1.0"}
	if r, err := describe(&fixed, built(""), head, l, nil); err != nil || r.Tag != "1.0" {
		t.Errorf("a fixed tag: %q, %v", r.Tag, err)
	}
	// A tag another image of the repository fixes is not this one's.
	if r, err := describe(&img, built(""), head, l, map[imageref.Key]bool{"ghcr.io/o/x:abc1234": true}); err != nil || r.Tag != "def5678" {
		t.Errorf("another image's tag: %q, %v; want HEAD's commit", r.Tag, err)
	}
}
