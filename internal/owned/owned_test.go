package owned

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
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
			r, err := describe(&tt.img, tt.built, tt.git)
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
			if r.Key != "ghcr.io/o/x:"+tt.want[0] {
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
