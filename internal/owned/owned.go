// Package owned is the build path of the pipeline: it builds the images the
// repository owns (images: in registry.yaml) through Nix, loads each
// platform's output, assembles the platforms into one artifact (an OCI index
// when there are several) and publishes it. Its results are the digests
// plan.Make pins the owned images' sites to, and what pinner.lock records
// about them.
//
// Every image of a run is built by one nixbuild call, so Nix schedules all
// of it at once. An image whose Nix outputs are the store paths the lock
// recorded, and whose destination still serves the recorded digest under
// every tag, is neither loaded nor uploaded again: the lock's digest is
// reused.
package owned

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/gitrepo"
	"github.com/pinner-dev/pinner/internal/image"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
)

// ErrBadInput is wrapped when the configuration asks for something that
// cannot be done: a tag that is not valid, {git} outside a git repository,
// an image that declares no tag when registry.yaml sets none, a platform
// filter that matches nothing. Nix's own bad-input errors wrap
// nixbuild.ErrBadInput.
var ErrBadInput = errors.New("bad image configuration")

// Image is one image to build.
type Image struct {
	Config *config.Image
	// Platforms to build; nil builds every platform of Config.
	Platforms []string
}

// Builder builds Nix installables: nixbuild.Builder runs Nix; tests use
// testutil/fixedbuild, which hands out outputs made beforehand.
type Builder interface {
	Build(ctx context.Context, ins []nixbuild.Installable) ([]nixbuild.Result, error)
}

// Options configure Build.
type Options struct {
	// Builder builds; nil runs Nix with the zero nixbuild.Builder.
	Builder Builder
	// Publisher writes each artifact, confirming it (oci.Publisher); with
	// Lock, an image whose outputs are the locked ones and whose digest
	// the destination still serves is neither loaded nor uploaded. nil
	// writes nothing: the digests are those a push would produce.
	Publisher oci.Publisher
	// Lock is the previous lock file; nil when there is none.
	Lock *lock.Lock
	// ByDigest publishes each platform's image by its digest alone, with
	// no tag and no index (`pinner build --push`): another run assembles
	// the index from the digests (Assemble). Lock plays no part then.
	ByDigest bool
	// Jobs bounds the images loaded and published at once; 0 is the number
	// of CPUs.
	Jobs int
	// Log receives progress at info and debug level; nil discards it.
	Log *slog.Logger
	// Progress, if set, receives the run's events for a progress display.
	// It may be called from several goroutines at once (one per image) and
	// must not block long.
	Progress func(Event)
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventBuilding: Nix starts building Count installables (every
	// platform of every image).
	EventBuilding EventKind = iota
	// EventBuilt: Nix finished.
	EventBuilt
	// EventLoaded: Image was loaded; Digest is what it will be pinned to.
	EventLoaded
	// EventUnchanged: Image's outputs and destination match the lock;
	// nothing is loaded or uploaded. Digest is the locked one.
	EventUnchanged
	// EventPublishing: Image starts going to Ref ("repository:tag").
	EventPublishing
	// EventUploaded: Complete of Total bytes of Image's blobs are written
	// (registries only).
	EventUploaded
	// EventPublished: Image is at Ref with Digest.
	EventPublished
	// EventLayer: Complete of Total bytes of the layer Layer of Image are
	// written to Repository; the layer's last event has Done (written in
	// full) or Skipped (the destination had it) set. Registries and OCI
	// layouts only.
	EventLayer
)

// Event is one step of Build, for progress displays.
type Event struct {
	Kind   EventKind
	Image  string
	Ref    string
	Digest string
	// Count of installables, for EventBuilding.
	Count int
	// Complete and Total bytes, for EventUploaded and EventLayer.
	Complete, Total int64
	// Repository, Layer (a layer digest), Done and Skipped, for
	// EventLayer.
	Repository    string
	Layer         string
	Done, Skipped bool
}

// Platform is one platform's build.
type Platform struct {
	Platform string `json:"platform"`
	// Output is the Nix store path built.
	Output string `json:"output"`
	// Digest is the platform image's manifest digest; "" when an unchanged
	// image was not loaded.
	Digest string `json:"digest,omitempty"`
}

// Result is one image built.
type Result struct {
	Name string `json:"name"`
	// Repository as in registry.yaml.
	Repository string `json:"repository"`
	// Key is the normalised repository and tag the lock and the plan use.
	Key imageref.Key `json:"-"`
	// Tag is the image's tag; Tags are it and the extra tags.
	Tag  string   `json:"tag"`
	Tags []string `json:"-"`
	// Digest is what sites are pinned to: the manifest digest for one
	// platform, the index digest for several.
	Digest    string     `json:"digest"`
	Platforms []Platform `json:"platforms"`
	// Published: written (or confirmed present) at the destination in
	// this run. Unchanged: the outputs and the destination matched the lock,
	// so nothing was loaded or uploaded.
	Published bool `json:"-"`
	Unchanged bool `json:"-"`
	// Source is registry.yaml's source: the SourceLabel each platform's
	// image gets; "" for none.
	Source string `json:"-"`
}

// SourceLabel names the repository an image is built from; ghcr.io links
// a package to the repository it names.
const SourceLabel = "org.opencontainers.image.source"

// Outputs are the store paths by platform, as pinner.lock records them;
// nil for an image assembled from builds of other machines, whose store
// paths this run does not know.
func (r *Result) Outputs() map[string]string {
	var m map[string]string
	for _, p := range r.Platforms {
		if p.Output == "" {
			continue
		}
		if m == nil {
			m = make(map[string]string, len(r.Platforms))
		}
		m[p.Platform] = p.Output
	}
	return m
}

// Build builds, loads and publishes images, and returns one Result per
// image, in order. Nothing is published unless every image built.
func Build(ctx context.Context, cfg *config.Config, images []Image, o Options) ([]Result, error) {
	if o.Builder == nil {
		o.Builder = &nixbuild.Builder{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	if o.ByDigest {
		o.Lock = nil
	}

	// One Build call for every platform of every image.
	var (
		ins   []nixbuild.Installable
		first = make([]int, len(images)) // images[i]'s installables start here
	)
	for i, img := range images {
		all, err := nixbuild.ForImage(cfg, img.Config)
		if err != nil {
			return nil, err
		}
		first[i] = len(ins)
		n := 0
		for _, in := range all {
			if img.Platforms == nil || slices.Contains(img.Platforms, in.Platform) {
				ins = append(ins, in)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("image %q: %w: it has no platform %s (it builds %s)", img.Config.Name, ErrBadInput,
				strings.Join(img.Platforms, ", "), strings.Join(platformsOf(all), ", "))
		}
	}
	// {git} outside a git repository fails now, not after a build that
	// may take an hour, unless the lock may keep the commit of a tag
	// already published (settledCommit), which only the build can tell.
	git := sync.OnceValues(func() (string, error) { return gitShortCommit(ctx, cfg.Dir) })
	fixed := fixedTags(cfg)
	for _, img := range images {
		if needsGit(img.Config) && !maySettle(img.Config, o.Lock, fixed) {
			if _, err := git(); err != nil {
				return nil, fmt.Errorf("image %q: expanding {git} in its tags, before building: %w", img.Config.Name, err)
			}
		}
	}
	o.Log.Info("building through nix", slog.Int("images", len(images)), slog.Int("installables", len(ins)))
	o.event(Event{Kind: EventBuilding, Count: len(ins)})
	built, err := o.Builder.Build(ctx, ins)
	if err != nil {
		return nil, err
	}
	o.event(Event{Kind: EventBuilt, Count: len(ins)})

	results := make([]Result, len(images))
	for i, img := range images {
		end := len(ins)
		if i+1 < len(images) {
			end = first[i+1]
		}
		r, err := describe(img.Config, built[first[i]:end], git, o.Lock, fixed)
		if err != nil {
			return nil, err
		}
		results[i] = r
	}

	// Load every image before publishing any, so that an output that is
	// no image stops the run before the destination changes.
	loaded := make([]*loadedImage, len(results))
	defer func() {
		for _, l := range loaded {
			l.close()
		}
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Jobs)
	for i := range results {
		g.Go(func() (err error) {
			loaded[i], err = load(gctx, &results[i], o)
			if err == nil {
				kind := EventLoaded
				if results[i].Unchanged {
					kind = EventUnchanged
				}
				o.event(Event{Kind: kind, Image: results[i].Name, Ref: results[i].Repository + ":" + results[i].Tag, Digest: results[i].Digest})
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if o.Publisher == nil {
		return results, nil
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(o.Jobs)
	for i := range results {
		if loaded[i] == nil {
			continue
		}
		if o.ByDigest {
			g.Go(func() error { return publishPlatforms(gctx, &results[i], loaded[i].imgs, o) })
			continue
		}
		g.Go(func() error { return publish(gctx, &results[i], loaded[i].art, o) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

// loadedImage is an image's artifact and the outputs it reads from.
type loadedImage struct {
	art  oci.Artifact
	imgs []oci.PlatformImage
	outs []*image.Output
}

func (l *loadedImage) close() {
	if l == nil {
		return
	}
	for _, out := range l.outs {
		out.Close()
	}
}

func platformsOf(ins []nixbuild.Installable) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Platform
	}
	return out
}

// fixedTags are the keys of the configuration's images with tags that are
// not patterns: a {git} image never settles on one of those (another image
// of its repository, built from the same Nix, owns it).
func fixedTags(cfg *config.Config) map[imageref.Key]bool {
	out := map[imageref.Key]bool{}
	for _, img := range cfg.Images {
		repo, err := imageref.ParseRepository(img.Repository)
		if err != nil {
			continue
		}
		for _, t := range append([]string{img.Tag}, img.ExtraTags...) {
			if t != "" && !strings.Contains(t, "{git}") {
				out[imageref.MakeKey(repo.Context(), t)] = true
			}
		}
	}
	return out
}

// describe works out an image's tags and key from the configuration and
// what Nix built (and, for a {git} tag, the lock and the tags other images
// fix).
func describe(img *config.Image, built []nixbuild.Result, git func() (string, error), l *lock.Lock, fixed map[imageref.Key]bool) (Result, error) {
	r := Result{Name: img.Name, Repository: img.Repository, Source: img.Source}
	for _, b := range built {
		r.Platforms = append(r.Platforms, Platform{Platform: b.Installable.Platform, Output: b.Out})
	}
	repo, err := imageref.ParseRepository(img.Repository)
	if err != nil {
		return Result{}, fmt.Errorf("image %q: %w: %w", img.Name, ErrBadInput, err)
	}
	if settled, ok := settledCommit(img.Tag, repo.Context(), r.Outputs(), l, fixed); ok {
		git = func() (string, error) { return settled, nil }
	}
	tag := img.Tag
	if tag == "" {
		// The tag the Nix image declares; platforms must agree on it.
		for _, b := range built {
			switch {
			case b.ImageTag == "":
			case tag == "":
				tag = b.ImageTag
			case tag != b.ImageTag:
				return Result{}, fmt.Errorf("image %q: %w: its platforms declare different tags (%q, %q); set tag: in registry.yaml", img.Name, ErrBadInput, tag, b.ImageTag)
			}
		}
		if tag == "" {
			return Result{}, fmt.Errorf("image %q: %w: its derivation declares no imageTag; set tag: in registry.yaml", img.Name, ErrBadInput)
		}
	}
	tags := append([]string{tag}, img.ExtraTags...)
	for i, t := range tags {
		if !strings.Contains(t, "{git}") {
			continue
		}
		commit, err := git()
		if err != nil {
			return Result{}, fmt.Errorf("image %q: expanding {git} in tag %q: %w", img.Name, t, err)
		}
		tags[i] = strings.ReplaceAll(t, "{git}", commit)
	}
	for _, t := range tags {
		if _, err := name.NewTag(img.Repository+":"+t, name.StrictValidation); err != nil {
			return Result{}, fmt.Errorf("image %q: %w: tag %q is not a valid tag", img.Name, ErrBadInput, t)
		}
	}
	r.Tag, r.Tags = tags[0], slices.Compact(tags)
	r.Key = imageref.MakeKey(repo.Context(), r.Tag)
	return r, nil
}

// needsGit reports whether one of img's tags holds {git}.
func needsGit(img *config.Image) bool {
	return slices.ContainsFunc(append([]string{img.Tag}, img.ExtraTags...), func(t string) bool { return strings.Contains(t, "{git}") })
}

// maySettle reports whether the lock records a tag that img's {git} tag
// could keep without asking git (settledCommit, whatever the outputs).
func maySettle(img *config.Image, l *lock.Lock, fixed map[imageref.Key]bool) bool {
	repo, err := imageref.ParseRepository(img.Repository)
	if err != nil || l == nil {
		return false
	}
	for key, e := range l.Images {
		if key.Repository() != repo.Context() || len(e.Outputs) == 0 {
			continue
		}
		if _, ok := settledCommit(img.Tag, repo.Context(), e.Outputs, l, fixed); ok {
			return true
		}
	}
	return false
}

// settledCommit is the commit a "{git}" tag keeps: the one in the tag the
// lock records for this repository with exactly these Nix outputs. HEAD's
// commit changes with every commit, the one that pins the image included,
// so expanding {git} to it made every run re-tag, re-push and rewrite the
// same image (a scheduled job would open a pull request every week). The
// outputs are store paths, hashes of every build input, so equal outputs
// are the same image: it keeps the tag it was published under. Only when
// the outputs change does the tag take HEAD's commit.
func settledCommit(tmpl, repo string, outputs map[string]string, l *lock.Lock, fixed map[imageref.Key]bool) (string, bool) {
	if l == nil || !strings.Contains(tmpl, "{git}") {
		return "", false
	}
	parts := strings.Split(tmpl, "{git}")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("^" + strings.Join(parts, "([0-9a-f]{4,64})") + "$")
	keys := slices.Sorted(maps.Keys(l.Images))
	for _, key := range keys {
		tag := key.Tag()
		if key.Repository() != repo || tag == "" || fixed[key] {
			continue
		}
		e := l.Images[key]
		m := re.FindStringSubmatch(tag)
		if m == nil || e.Digest == "" || !maps.Equal(e.Outputs, outputs) {
			continue
		}
		if commits := slices.Compact(slices.Clone(m[1:])); len(commits) == 1 {
			return commits[0], true
		}
	}
	return "", false
}

// load loads and assembles one image and sets its digest, unless the lock
// shows it unchanged (then it returns nil).
func load(ctx context.Context, r *Result, o Options) (l *loadedImage, err error) {
	log := o.Log.With(slog.String("image", r.Name))
	if prev, ok := unchanged(r, o.Lock); ok {
		if o.Publisher == nil {
			r.Digest, r.Unchanged = prev, true
			log.Debug("outputs unchanged; reusing the locked digest", slog.String("digest", prev))
			return nil, nil
		}
		present, err := o.Publisher.Serves(ctx, r.Repository, r.Tags, prev)
		if err != nil {
			log.Debug("checking the destination", slog.String("error", err.Error()))
		}
		if present {
			r.Digest, r.Unchanged, r.Published = prev, true, true
			log.Info("unchanged; the destination has it", slog.String("digest", prev))
			return nil, nil
		}
	}

	l = &loadedImage{}
	defer func() {
		if err != nil {
			l.close()
		}
	}()
	var imgs []oci.PlatformImage
	for i, p := range r.Platforms {
		out, err := image.Load(ctx, p.Output)
		if err != nil {
			return nil, fmt.Errorf("image %q (%s): loading Nix output: %w", r.Name, p.Platform, err)
		}
		l.outs = append(l.outs, out)
		if out.Image == nil {
			return nil, fmt.Errorf("image %q (%s): %w: %s is an OCI layout holding an index; pinner assembles the platforms itself, so each output must be one image", r.Name, p.Platform, image.ErrNotImage, p.Output)
		}
		img, err := withLabel(out.Image, SourceLabel, r.Source)
		if err != nil {
			return nil, fmt.Errorf("image %q (%s): reading %s: %w", r.Name, p.Platform, p.Output, err)
		}
		d, err := img.Digest()
		if err != nil {
			return nil, fmt.Errorf("image %q (%s): reading %s: %w", r.Name, p.Platform, p.Output, err)
		}
		r.Platforms[i].Digest = d.String()
		imgs = append(imgs, oci.PlatformImage{Platform: p.Platform, Image: img})
	}
	l.imgs = imgs
	if l.art, err = oci.NewArtifact(imgs); err != nil {
		return nil, fmt.Errorf("image %q: %w", r.Name, err)
	}
	d, err := l.art.Digest()
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", r.Name, err)
	}
	r.Digest = d.String()
	return l, nil
}

// withLabel is img with the label key set to value in its config, unless
// value is "" or the image sets the label itself.
func withLabel(img v1.Image, key, value string) (v1.Image, error) {
	if value == "" {
		return img, nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	if _, ok := cf.Config.Labels[key]; ok {
		return img, nil
	}
	c := cf.Config
	c.Labels = maps.Clone(c.Labels)
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	c.Labels[key] = value
	return mutate.Config(img, c)
}

// publishPlatforms writes each platform's image of r by its digest.
func publishPlatforms(ctx context.Context, r *Result, imgs []oci.PlatformImage, o Options) error {
	for i, pi := range imgs {
		ref := r.Repository + "@" + r.Platforms[i].Digest
		o.Log.Info("publishing by digest", slog.String("image", r.Name), slog.String("platform", pi.Platform), slog.String("ref", ref))
		o.event(Event{Kind: EventPublishing, Image: r.Name, Ref: ref, Digest: r.Platforms[i].Digest})
		pub, err := o.Publisher.Publish(ctx, oci.Request{Repository: r.Repository, Artifact: oci.Artifact{Image: pi.Image}})
		if err != nil {
			return fmt.Errorf("image %q (%s): %w", r.Name, pi.Platform, err)
		}
		if pub.Digest.String() != r.Platforms[i].Digest {
			return fmt.Errorf("image %q (%s): %w: published %s, computed %s", r.Name, pi.Platform, oci.ErrDigestMismatch, pub.Digest, r.Platforms[i].Digest)
		}
		o.event(Event{Kind: EventPublished, Image: r.Name, Ref: ref, Digest: r.Platforms[i].Digest})
	}
	r.Published = true
	return nil
}

// publish writes one image's artifact to the destination, which confirms
// it serves the artifact under every tag.
func publish(ctx context.Context, r *Result, art oci.Artifact, o Options) error {
	o.Log.Info("publishing", slog.String("image", r.Name), slog.String("repository", r.Repository), slog.String("digest", r.Digest))
	ref := r.Repository + ":" + r.Tag
	o.event(Event{Kind: EventPublishing, Image: r.Name, Ref: ref, Digest: r.Digest})
	req := oci.Request{Repository: r.Repository, Tags: r.Tags, Artifact: art}
	if o.Progress != nil {
		req.Progress = func(p oci.Progress) {
			o.Progress(Event{Kind: EventUploaded, Image: r.Name, Ref: ref, Complete: p.Complete, Total: p.Total})
		}
		req.LayerProgress = func(p oci.LayerProgress) {
			o.Progress(Event{Kind: EventLayer, Image: r.Name, Ref: ref, Repository: p.Repository, Layer: p.Digest.String(),
				Complete: p.Complete, Total: p.Total, Done: p.Done, Skipped: p.Skipped})
		}
	}
	pub, err := o.Publisher.Publish(ctx, req)
	if err != nil {
		return fmt.Errorf("image %q: %w", r.Name, err)
	}
	if pub.Digest.String() != r.Digest {
		return fmt.Errorf("image %q: %w: published %s, computed %s", r.Name, oci.ErrDigestMismatch, pub.Digest, r.Digest)
	}
	r.Published = true
	o.event(Event{Kind: EventPublished, Image: r.Name, Ref: ref, Digest: r.Digest})
	return nil
}

func (o *Options) event(e Event) {
	if o.Progress != nil {
		o.Progress(e)
	}
}

// unchanged returns the locked digest when the lock records exactly these
// outputs for the image's key.
func unchanged(r *Result, l *lock.Lock) (string, bool) {
	if l == nil {
		return "", false
	}
	e, ok := l.Images[r.Key]
	if !ok || e.Digest == "" || len(e.Outputs) == 0 {
		return "", false
	}
	if !maps.Equal(e.Outputs, r.Outputs()) {
		return "", false
	}
	return e.Digest, true
}

// gitShortCommit is `git rev-parse --short HEAD` in dir, run without a
// shell.
func gitShortCommit(ctx context.Context, dir string) (string, error) {
	commit, err := gitrepo.ShortCommit(ctx, dir)
	switch {
	case errors.Is(err, gitrepo.ErrNoGit):
		return "", fmt.Errorf("%w: git is not installed", ErrBadInput)
	case err != nil && ctx.Err() != nil:
		return "", ctx.Err()
	case err != nil:
		return "", fmt.Errorf("%w: %s is not a git repository with a commit (%v)", ErrBadInput, cmp.Or(dir, "."), err)
	}
	return commit, nil
}
