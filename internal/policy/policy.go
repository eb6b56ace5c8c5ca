// Package policy decides where tags move under registry.yaml's policies:
// for each tagged image, the newest tag of its repository that its policy
// allows (update step, allow, prerelease, min_age), and which newer tags
// the policy holds back and why. `pinner update` pins the tags it
// chooses; `pinner outdated` lists them. It writes nothing.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/progress"
	"github.com/pinner-dev/pinner/internal/tagver"
)

// Registry is what deciding asks of registries; *oci.Resolver is one.
type Registry interface {
	Tags(ctx context.Context, repository string) ([]string, error)
	Inspect(ctx context.Context, ref string) (*oci.Inspection, error)
}

// MaxAgeChecks bounds how many candidates of one image are inspected for
// their creation time before the rest are held back unseen.
const MaxAgeChecks = 16

// MaxHeld bounds the tags a Decision lists as held back.
const MaxHeld = 8

// Decision is what the policy makes of one tagged image.
type Decision struct {
	Key imageref.Key
	// Policy is the one that applies; nil when none does.
	Policy *config.Policy
	// Scheme read the tags: the policy's versioning, else loose.
	Scheme tagver.Scheme
	// Current is the tag read as a version; Versioned is false when it is
	// not one under Scheme (then nothing else is set).
	Current   tagver.Version
	Versioned bool
	// Newer are the repository's tags that can replace the current one
	// and are newer, newest first.
	Newer []tagver.Version
	// To is the tag the policy moves to, "" when the tag stays; Class is
	// the step.
	To    string
	Class tagver.Class
	// Held are newer tags than To that the policy holds back, newest
	// first, at most MaxHeld.
	Held []Held
}

// Held is a newer tag the policy holds back.
type Held struct {
	Tag    string
	Class  tagver.Class
	Reason string
}

// Options of Decide.
type Options struct {
	// Jobs bounds the repositories listed, and images decided, at once.
	Jobs int
	// All lists the tags of every image; otherwise only of those whose
	// policy moves tags.
	All bool
	// Log receives debug notes (creation times that cannot be trusted).
	Log *slog.Logger
	// Now is the time ages are measured at; nil is time.Now.
	Now func() time.Time
	// Progress shows the listing; nil shows nothing.
	Progress *progress.Reporter
}

// Decide decides for each distinct key. The map holds a Decision for
// every key; the error joins the repositories whose tags could not be
// listed and the candidates that could not be inspected.
func Decide(ctx context.Context, cfg *config.Config, reg Registry, keys []imageref.Key, o Options) (map[imageref.Key]*Decision, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	out := map[imageref.Key]*Decision{}
	var repos []string
	listed := map[string]bool{}
	for _, k := range keys {
		if out[k] != nil {
			continue
		}
		d := &Decision{Key: k, Policy: cfg.PolicyFor(k.Repository()), Scheme: tagver.Loose}
		if d.Policy != nil {
			d.Scheme = d.Policy.Versioning
		}
		d.Current, d.Versioned = d.Scheme.Parse(k.Tag())
		out[k] = d
		if d.Versioned && (o.All || d.moves()) && !listed[k.Repository()] {
			listed[k.Repository()] = true
			repos = append(repos, k.Repository())
		}
	}
	tags, lerr := listTags(ctx, reg, repos, o)

	a := &ager{reg: reg, o: o, created: map[string]ageResult{}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Jobs, 1))
	errs := make([]error, len(keys))
	done := map[imageref.Key]bool{}
	for i, k := range keys {
		d := out[k]
		all, ok := tags[k.Repository()]
		if !ok || done[k] {
			continue
		}
		done[k] = true
		d.Newer = tagver.Newer(d.Scheme, d.Current, all)
		if !d.moves() {
			continue
		}
		g.Go(func() error {
			errs[i] = d.choose(gctx, a)
			return nil
		})
	}
	_ = g.Wait()
	return out, errors.Join(lerr, errors.Join(errs...))
}

func (d *Decision) moves() bool { return d.Policy != nil && d.Policy.Update > tagver.Digest }

// choose takes the newest candidate the policy allows.
func (d *Decision) choose(ctx context.Context, a *ager) error {
	p := d.Policy
	checks := 0
	for _, v := range d.Newer {
		class := tagver.StepOf(d.Current, v)
		reason := ""
		switch {
		case class > p.Update:
			reason = fmt.Sprintf("a %s step; the policy allows %s", class, upTo(p.Update))
		case v.Pre != "" && !p.Prerelease:
			reason = "a pre-release (prerelease: false)"
		case p.Allow != nil && !p.Allow.Check(asSemver(v)):
			reason = fmt.Sprintf("outside allow %q", p.AllowText)
		case p.MinAge > 0 && checks >= MaxAgeChecks:
			reason = fmt.Sprintf("not inspected: %d younger candidates were inspected first", MaxAgeChecks)
		case p.MinAge > 0:
			checks++
			age, known, err := a.age(ctx, d.Key.WithTag(v.Raw))
			if err != nil {
				return err
			}
			if known && age < p.MinAge {
				reason = fmt.Sprintf("%s old, min_age %s", round(age), p.MinAge)
			}
		}
		if reason == "" {
			d.To, d.Class = v.Raw, class
			return nil
		}
		if len(d.Held) < MaxHeld {
			d.Held = append(d.Held, Held{Tag: v.Raw, Class: class, Reason: reason})
		}
	}
	return nil
}

func upTo(c tagver.Class) string {
	if c == tagver.Patch {
		return "patch steps only"
	}
	return "up to " + c.String() + " steps"
}

func round(d time.Duration) time.Duration {
	if d >= time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}

// asSemver is v's first three numbers, for allow's constraint.
func asSemver(v tagver.Version) *semver.Version {
	var n [3]uint64
	copy(n[:], v.Release)
	return semver.New(n[0], n[1], n[2], "", "")
}

// Before trustedSince a creation time is not one: Nix writes the epoch
// (or one second after it) so that images are reproducible.
var trustedSince = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

type ageResult struct {
	created time.Time // zero: unknown
	err     error
}

// ager finds how old candidates are, each reference once.
type ager struct {
	reg     Registry
	o       Options
	mu      sync.Mutex
	created map[string]ageResult
}

// age is how old the image ref names is: for an index, its youngest
// platform image. known is false when no image of it has a trustworthy
// creation time; such an image is never too young.
func (a *ager) age(ctx context.Context, key imageref.Key) (time.Duration, bool, error) {
	ref := string(key)
	a.mu.Lock()
	r, ok := a.created[ref]
	a.mu.Unlock()
	if !ok {
		r = a.inspect(ctx, ref)
		a.mu.Lock()
		a.created[ref] = r
		a.mu.Unlock()
	}
	if r.err != nil {
		return 0, false, r.err
	}
	if r.created.IsZero() {
		a.o.Log.LogAttrs(ctx, slog.LevelDebug, "no trustworthy creation time; min_age does not hold it back",
			slog.String("ref", ref))
		return 0, false, nil
	}
	return a.o.Now().Sub(r.created), true, nil
}

func (a *ager) inspect(ctx context.Context, ref string) ageResult {
	in, err := a.reg.Inspect(ctx, ref)
	if err != nil {
		return ageResult{err: fmt.Errorf("checking the age of %s: %w", ref, err)}
	}
	var youngest time.Time
	for _, img := range in.Images {
		if img.Created.Before(trustedSince) {
			continue
		}
		if img.Created.After(youngest) {
			youngest = img.Created
		}
	}
	return ageResult{created: youngest}
}

// listTags lists each repository's tags concurrently. The map holds the
// repositories that answered; the error joins the others.
func listTags(ctx context.Context, reg Registry, repos []string, o Options) (map[string][]string, error) {
	if len(repos) == 0 {
		return map[string][]string{}, nil
	}
	if o.Progress != nil && o.Progress.Mode() == progress.Plain {
		o.Progress.Logf("listing the tags of %s", progress.Plural(len(repos), "repository"))
	}
	bar := o.Progress.Counter("listing tags")
	bar.AddTotal(int64(len(repos)))
	defer bar.Done()
	var (
		mu   sync.Mutex
		out  = map[string][]string{}
		errs = make([]error, len(repos))
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Jobs, 1))
	for i, repo := range repos {
		g.Go(func() error {
			// Failures stay here so that every repository gets its answer.
			tags, err := reg.Tags(gctx, repo)
			bar.Increment()
			if err != nil {
				errs[i] = err
				return nil
			}
			mu.Lock()
			out[repo] = tags
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	// A registry that does not answer is one error, not one per repository.
	return out, oci.JoinByHost(errs)
}
