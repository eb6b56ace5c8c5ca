// Command demo is `make demo`: pinner's main job, `pinner update --all`, on
// a copy of this repository's registry.yaml and modules-fixtures, with the
// eleven fixture images built through Nix and pushed into an OCI image
// layout in the same temporary directory. No registry and no network.
//
// Third-party images cannot be resolved offline, so the copy's
// registry.yaml gets an `ignore:` list naming every third-party repository
// the modules use (found with pinner scan --json): update then touches only
// the images this repository builds. That overlay is the only difference
// from the repository's own registry.yaml, and it is printed.
//
// The run: a dry run (the diff), the update, the changelog and the lock,
// what the layout holds, then the same update again, which must change
// nothing: no file, no byte of the layout.
//
// Usage: go run ./internal/demo -pinner bin/pinner [-keep]
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "the pinner binary")
	keep := flag.Bool("keep", os.Getenv("DEMO_KEEP") != "", "keep the temporary directory (also DEMO_KEEP=1)")
	flag.Parse()
	if err := run(*pinner, *keep); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

func run(pinnerPath string, keep bool) error {
	pinner, err := filepath.Abs(pinnerPath)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("nix"); err != nil {
		return errors.New("nix is not installed: sudo apt-get install -y nix-bin")
	}
	tmp, err := os.MkdirTemp("", "pinner-demo-")
	if err != nil {
		return err
	}
	if keep {
		defer fmt.Printf("\n(kept %s)\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	store := filepath.Join(tmp, "oci-store")

	step("copy registry.yaml and modules-fixtures to %s", tmp)
	if err := os.CopyFS(filepath.Join(tmp, "modules-fixtures"), os.DirFS("modules-fixtures")); err != nil {
		return fmt.Errorf("copying modules-fixtures: %w", err)
	}
	cfgText, err := os.ReadFile(config.FileName)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, config.FileName), cfgText, 0o644); err != nil {
		return err
	}

	step("overlay: ignore the third-party repositories (they cannot be resolved offline)")
	ignore, err := thirdParty(pinner, tmp)
	if err != nil {
		return err
	}
	overlay, err := withIgnore(string(cfgText), ignore)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, config.FileName), []byte(overlay), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d third-party repositories ignored, e.g. %s\n", len(ignore), strings.Join(ignore[:min(3, len(ignore))], ", "))

	// A git repository, so that postgresql-vchord-bitnami's tag "{git}"
	// expands to a commit and the changes show as a git diff.
	git := func(args ...string) error { return cmd(tmp, "git", args...) }
	if err := git("init", "-q"); err != nil {
		return err
	}
	if err := git("add", "-A"); err != nil {
		return err
	}
	if err := git("-c", "user.name=pinner demo", "-c", "user.email=demo@pinner.invalid", "commit", "-q", "-m", "fixtures"); err != nil {
		return err
	}

	update := []string{"update", "--all", "--push-to", "oci:" + store}
	step("pinner update --all --push-to oci:oci-store --dry-run")
	if err := cmd(tmp, pinner, append(update, "--dry-run")...); err != nil {
		return err
	}

	step("pinner update --all --push-to oci:oci-store")
	start := time.Now()
	if err := cmd(tmp, pinner, update...); err != nil {
		return err
	}
	fmt.Printf("(%.2fs)\n", time.Since(start).Seconds())

	step("git diff --stat")
	if err := git("--no-pager", "diff", "--stat"); err != nil {
		return err
	}
	step("modules-fixtures/CHANGELOG.md")
	if err := cat(filepath.Join(tmp, "modules-fixtures", "CHANGELOG.md")); err != nil {
		return err
	}
	step("modules-fixtures/pinner.lock")
	if err := cat(filepath.Join(tmp, "modules-fixtures", "pinner.lock")); err != nil {
		return err
	}
	step("what the OCI layout holds (index.json)")
	if err := listLayout(store); err != nil {
		return err
	}
	step("pinner check")
	_ = cmd(tmp, pinner, "check") // the site pinner cannot edit is reported

	step("incremental: the same update again must change nothing")
	before, err := fingerprint(tmp)
	if err != nil {
		return err
	}
	start = time.Now()
	if err := cmd(tmp, pinner, update...); err != nil {
		return err
	}
	fmt.Printf("(%.2fs)\n", time.Since(start).Seconds())
	after, err := fingerprint(tmp)
	if err != nil {
		return err
	}
	if before != after {
		return errors.New("the second update changed files or the layout")
	}
	fmt.Println("no file and no byte of the layout changed (contents and modification times compared)")
	return nil
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

// cmd runs a program in dir, its output on ours; no shell is involved.
func cmd(dir, prog string, args ...string) error {
	c := exec.Command(prog, args...)
	c.Dir = dir
	c.Stdout, c.Stderr = os.Stdout, os.Stdout
	c.Env = append(os.Environ(), "NIX_CONFIG=substituters =")
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", filepath.Base(prog), strings.Join(args, " "), err)
	}
	return nil
}

func cat(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(b)
	return err
}

// thirdParty lists the repositories of the sites that no image of the
// configuration builds, from pinner scan --json.
func thirdParty(pinner, dir string) ([]string, error) {
	c := exec.Command(pinner, "scan", "--json")
	c.Dir = dir
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, os.Stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("pinner scan --json: %w", err)
	}
	var res struct {
		Sites []struct {
			Ref string `json:"ref"`
		} `json:"sites"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("reading pinner scan --json: %w", err)
	}
	cfg, err := config.Load(filepath.Join(dir, config.FileName))
	if err != nil {
		return nil, err
	}
	owned := map[string]bool{}
	for _, img := range cfg.Images {
		if r, err := imageref.ParseRepository(img.Repository); err == nil {
			owned[r.Context()] = true
		}
	}
	var repos []string
	for _, s := range res.Sites {
		r, err := imageref.Parse(s.Ref)
		if err != nil || r.Repository == "" || owned[r.Context()] || slices.Contains(repos, r.Context()) {
			continue // references with unknown parts are reported, never resolved
		}
		repos = append(repos, r.Context())
	}
	slices.Sort(repos)
	return repos, nil
}

// withIgnore replaces the ignore: line of registry.yaml with a list of
// repos.
func withIgnore(cfg string, repos []string) (string, error) {
	var b strings.Builder
	found := false
	for l := range strings.Lines(cfg) {
		if strings.HasPrefix(l, "ignore:") {
			found = true
			b.WriteString("# make demo: third-party repositories, not resolvable offline.\nignore:\n")
			for _, r := range repos {
				fmt.Fprintf(&b, "  - %q\n", r)
			}
			continue
		}
		b.WriteString(l)
	}
	if !found {
		return "", errors.New("registry.yaml has no ignore: line to extend")
	}
	return b.String(), nil
}

// listLayout prints the reference each index.json entry names.
func listLayout(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return err
	}
	var idx struct {
		Manifests []struct {
			MediaType   string            `json:"mediaType"`
			Digest      string            `json:"digest"`
			Annotations map[string]string `json:"annotations"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return err
	}
	for _, m := range idx.Manifests {
		kind := "image"
		if strings.Contains(m.MediaType, "index") {
			kind = "index"
		}
		fmt.Printf("%-5s %s  %s\n", kind, m.Digest[:19], m.Annotations["org.opencontainers.image.ref.name"])
	}
	return nil
}

// fingerprint is every file below dir (.git aside) with its size,
// modification time and content hash.
func fingerprint(dir string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d %x\n", p, fi.Size(), fi.ModTime().UnixNano(), sha256.Sum256(data))
		return nil
	})
	return b.String(), err
}
