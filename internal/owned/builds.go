package owned

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/oci"
)

// Built is one platform's image pushed by digest: an entry of
// `pinner build --push --json`.
type Built struct {
	Name       string `json:"name"`
	Repository string `json:"repository"`
	Platform   string `json:"platform"`
	Digest     string `json:"digest"`
}

// Limits on a file of builds.
const (
	maxBuildsSize    = 16 << 20
	maxBuildsEntries = 1 << 16
)

// ReadBuilds reads files of `pinner build --push --json` output, checking
// each entry against the configuration: a known image, its repository, a
// platform it builds, a digest, and one digest per image and platform.
// Every problem is reported, at its file:line:column.
func ReadBuilds(cfg *config.Config, files []string) ([]Built, error) {
	var (
		errs diag.List
		out  []Built
		at   = map[[2]string]string{} // name, platform -> "file:line:col"
	)
	for _, f := range files {
		entries, err := readBuildsFile(f)
		if err != nil {
			var de *diag.Error
			if errors.As(err, &de) {
				errs = append(errs, de)
				continue
			}
			return nil, err
		}
		for _, e := range entries {
			b, pos := e.Built, e.pos
			add := func(format string, args ...any) {
				errs = append(errs, &diag.Error{File: f, Line: pos.line, Column: pos.column, Msg: fmt.Sprintf(format, args...)})
			}
			img, ok := cfg.Image(b.Name)
			switch {
			case !ok:
				add("no image %q in the configuration", b.Name)
				continue
			case b.Repository != img.Repository:
				add("image %q: repository %q, but registry.yaml says %q", b.Name, b.Repository, img.Repository)
				continue
			case !slices.Contains(platformsOfImage(img), b.Platform):
				add("image %q: platform %q is not one it builds (%s)", b.Name, b.Platform, strings.Join(platformsOfImage(img), ", "))
				continue
			}
			if _, err := v1.NewHash(b.Digest); err != nil {
				add("image %q (%s): digest %q: %v", b.Name, b.Platform, b.Digest, err)
				continue
			}
			key := [2]string{b.Name, b.Platform}
			if prev, ok := at[key]; ok {
				if i := slices.IndexFunc(out, func(o Built) bool { return o.Name == b.Name && o.Platform == b.Platform }); out[i].Digest != b.Digest {
					add("image %q (%s): digest %s, but %s gives %s", b.Name, b.Platform, b.Digest, prev, out[i].Digest)
				}
				continue
			}
			at[key] = fmt.Sprintf("%s:%d:%d", f, pos.line, pos.column)
			out = append(out, b)
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return out, nil
}

func platformsOfImage(img *config.Image) []string {
	if len(img.Platforms) == 0 {
		return []string{config.DefaultPlatform}
	}
	return img.Platforms
}

type position struct{ line, column int }

type builtAt struct {
	Built
	pos position
}

// readBuildsFile decodes one file: a JSON array of Built.
func readBuildsFile(path string) ([]builtAt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, diag.AsBadInput(fmt.Errorf("reading builds: %w", err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBuildsSize+1))
	if err != nil {
		return nil, diag.AsOutside(fmt.Errorf("reading builds %s: %w", path, err))
	}
	fail := func(off int64, msg string) error {
		line, col := lineColumn(data, off)
		return &diag.Error{File: path, Line: line, Column: col, Msg: msg}
	}
	if len(data) > maxBuildsSize {
		return nil, fail(0, fmt.Sprintf("larger than %d MiB", maxBuildsSize>>20))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	jsonErr := func(err error) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fail(se.Offset, "not JSON: "+se.Error())
		case errors.As(err, &te):
			return fail(te.Offset, "want [{\"name\",\"repository\",\"platform\",\"digest\"}]: "+te.Error())
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return fail(int64(len(data)), "unexpected end of the file")
		}
		return fail(dec.InputOffset(), err.Error())
	}
	if tok, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	} else if tok != json.Delim('[') {
		return nil, fail(dec.InputOffset()-1, "want a JSON array, as pinner build --push --json prints")
	}
	var out []builtAt
	for dec.More() {
		if len(out) == maxBuildsEntries {
			return nil, fail(dec.InputOffset(), fmt.Sprintf("more than %d entries", maxBuildsEntries))
		}
		start := dec.InputOffset()
		var b Built
		if err := dec.Decode(&b); err != nil {
			return nil, jsonErr(err)
		}
		// InputOffset is before the separator and the spaces that precede
		// the entry.
		off := start + int64(len(data[start:])-len(bytes.TrimLeft(data[start:], ", \t\r\n")))
		line, col := lineColumn(data, off)
		out = append(out, builtAt{Built: b, pos: position{line, col}})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	return out, nil
}

func lineColumn(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	return line, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// Assemble makes each image's artifact from the platform images that
// `pinner build --push` pushed by digest, found in builds, and publishes
// it under the image's tags: the same index a build of every platform on
// one machine makes. Every platform of an image must be in builds and its
// manifest at the destination. Images with no entry in builds are not
// assembled (nor returned). Without push nothing is written: the digests
// are those a push would produce.
func Assemble(ctx context.Context, cfg *config.Config, images []Image, builds []Built, push bool, o Options) ([]Result, error) {
	if o.Publisher == nil {
		return nil, errors.New("assembling images: no destination")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	git := sync.OnceValues(func() (string, error) { return gitShortCommit(ctx, cfg.Dir) })
	fixed := fixedTags(cfg)
	var results []Result
	var arts []oci.Artifact
	for _, img := range images {
		var mine []Built
		for _, b := range builds {
			if b.Name == img.Config.Name {
				mine = append(mine, b)
			}
		}
		if len(mine) == 0 {
			continue
		}
		if img.Config.Tag == "" {
			return nil, fmt.Errorf("image %q: %w: assembling from builds needs tag: in registry.yaml (the tag the Nix image declares is not in the builds)", img.Config.Name, ErrBadInput)
		}
		var imgs []oci.PlatformImage
		var plats []Platform
		for _, p := range platformsOfImage(img.Config) {
			i := slices.IndexFunc(mine, func(b Built) bool { return b.Platform == p })
			if i < 0 {
				return nil, fmt.Errorf("image %q: %w: the builds have no %s image (pinner build %s --platform %s --push --json gives it)", img.Config.Name, ErrBadInput, p, img.Config.Name, p)
			}
			pi, err := o.Publisher.Image(ctx, img.Config.Repository, mine[i].Digest)
			if err != nil {
				return nil, fmt.Errorf("image %q (%s): the destination must hold %s@%s, pushed by pinner build --push: %w", img.Config.Name, p, img.Config.Repository, mine[i].Digest, err)
			}
			imgs = append(imgs, oci.PlatformImage{Platform: p, Image: pi})
			plats = append(plats, Platform{Platform: p, Digest: mine[i].Digest})
		}
		r, err := describe(img.Config, nil, git, o.Lock, fixed)
		if err != nil {
			return nil, err
		}
		r.Platforms = plats
		art, err := oci.NewArtifact(imgs)
		if err != nil {
			return nil, fmt.Errorf("image %q: %w", img.Config.Name, err)
		}
		d, err := art.Digest()
		if err != nil {
			return nil, fmt.Errorf("image %q: %w", img.Config.Name, err)
		}
		r.Digest = d.String()
		results = append(results, r)
		arts = append(arts, art)
	}
	for i := range results {
		if !push {
			break
		}
		r := &results[i]
		if ok, err := o.Publisher.Serves(ctx, r.Repository, r.Tags, r.Digest); err == nil && ok {
			r.Published, r.Unchanged = true, true
			o.Log.Info("unchanged; the destination has it", slog.String("image", r.Name), slog.String("digest", r.Digest))
			continue
		}
		if err := publish(ctx, r, arts[i], o); err != nil {
			return nil, err
		}
	}
	return results, nil
}
