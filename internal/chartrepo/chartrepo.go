// Package chartrepo lists the versions of Helm charts: from a chart
// repository's index.yaml, or, for an oci:// repository, from the
// registry's tags. Registry presents them to package policy the way an
// image registry presents tags, so that charts move under the same
// policies as images.
package chartrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/scan"
)

// Bounds of one index: large public repositories' index.yaml files run to
// tens of MB.
const (
	MaxIndexBytes = 128 << 20
	MaxVersions   = 100_000 // of one chart
	// RequestTimeout bounds one download of an index.
	RequestTimeout = 2 * time.Minute
)

// Version is one version of a chart.
type Version struct {
	Version string
	// Created is when the repository says it was packaged; zero when it
	// does not say (an OCI registry).
	Created time.Time
	// URLs are where the archive is, absolute.
	URLs []string
}

// Chart names a chart in a repository.
type Chart struct{ Repo, Name string }

// ID is scan.ChartID of the chart.
func (c Chart) ID() string { return scan.ChartID(c.Repo, c.Name) }

// IsOCI reports whether the repository is an OCI registry.
func (c Chart) IsOCI() bool { return strings.HasPrefix(c.Repo, "oci://") }

// Registry lists chart versions and answers package policy's questions
// about charts by their ID. Add the charts first.
type Registry struct {
	// Client fetches index.yaml files; nil is a client of its own.
	Client *http.Client
	// OCI lists the tags of oci:// repositories.
	OCI *oci.Resolver

	mu      sync.Mutex
	charts  map[string]Chart     // by ID
	indexes map[string]*index    // by repository URL
	listed  map[string][]Version // by ID
}

type index struct {
	once sync.Once
	ent  map[string][]Version
	err  error
}

// Add makes c known by its ID.
func (r *Registry) Add(c Chart) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.charts == nil {
		r.charts = map[string]Chart{}
	}
	r.charts[c.ID()] = c
}

// Versions lists the versions of the chart id names, in the
// repository's order.
func (r *Registry) Versions(ctx context.Context, id string) ([]Version, error) {
	r.mu.Lock()
	c, ok := r.charts[id]
	vs, done := r.listed[id]
	r.mu.Unlock()
	switch {
	case !ok:
		return nil, fmt.Errorf("chart %s: not a chart of the modules", id)
	case done:
		return vs, nil
	}
	var err error
	if c.IsOCI() {
		vs, err = r.ociVersions(ctx, c)
	} else {
		vs, err = r.indexVersions(ctx, c)
	}
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.listed == nil {
		r.listed = map[string][]Version{}
	}
	r.listed[id] = vs
	r.mu.Unlock()
	return vs, nil
}

// Tags is Versions' version strings: policy.Registry.
func (r *Registry) Tags(ctx context.Context, id string) ([]string, error) {
	vs, err := r.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	return out, nil
}

// Inspect tells a version's creation time, for policies' min_age:
// policy.Registry. ref is "ID:VERSION".
func (r *Registry) Inspect(ctx context.Context, ref string) (*oci.Inspection, error) {
	k := imageref.Key(ref)
	vs, err := r.Versions(ctx, k.Repository())
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.Version == k.Tag() {
			return &oci.Inspection{Ref: ref, Images: []oci.ImageInfo{{Created: v.Created}}}, nil
		}
	}
	return nil, fmt.Errorf("chart %s has no version %s", k.Repository(), k.Tag())
}

// ociVersions are the tags of the chart's repository. Helm writes a
// version's "+" as "_" in a tag.
func (r *Registry) ociVersions(ctx context.Context, c Chart) ([]Version, error) {
	if r.OCI == nil {
		return nil, fmt.Errorf("chart %s: no registry client", c.ID())
	}
	tags, err := r.OCI.Tags(ctx, c.ID())
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(tags))
	for _, t := range tags {
		out = append(out, Version{Version: strings.ReplaceAll(t, "_", "+")})
	}
	return out, nil
}

// indexVersions reads the repository's index.yaml, once per run for all
// its charts.
func (r *Registry) indexVersions(ctx context.Context, c Chart) ([]Version, error) {
	repo := strings.TrimRight(c.Repo, "/")
	r.mu.Lock()
	if r.indexes == nil {
		r.indexes = map[string]*index{}
	}
	ix := r.indexes[repo]
	if ix == nil {
		ix = &index{}
		r.indexes[repo] = ix
	}
	r.mu.Unlock()
	ix.once.Do(func() { ix.ent, ix.err = r.fetchIndex(ctx, repo) })
	if ix.err != nil {
		return nil, ix.err
	}
	vs, ok := ix.ent[c.Name]
	if !ok {
		return nil, fmt.Errorf("chart repository %s has no chart %q", repo, c.Name)
	}
	return vs, nil
}

// ErrIndex wraps every failure to read a repository's index.
var ErrIndex = errors.New("reading the chart repository's index")

func (r *Registry) fetchIndex(ctx context.Context, repo string) (map[string][]Version, error) {
	fail := func(err error) error { return fmt.Errorf("%w %s/index.yaml: %w", ErrIndex, repo, err) }
	base, err := url.Parse(repo + "/")
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fail(fmt.Errorf("not an http(s) or oci:// repository URL"))
	}
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("index.yaml").String(), nil)
	if err != nil {
		return nil, fail(err)
	}
	client := r.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fail(fmt.Errorf("HTTP %s", resp.Status))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxIndexBytes+1))
	if err != nil {
		return nil, fail(err)
	}
	if len(data) > MaxIndexBytes {
		return nil, fail(fmt.Errorf("larger than %d MiB", MaxIndexBytes>>20))
	}
	ent, err := ParseIndex(data, base)
	if err != nil {
		return nil, fail(err)
	}
	return ent, nil
}

type rawIndex struct {
	Entries map[string][]struct {
		Version string   `yaml:"version"`
		Created string   `yaml:"created"`
		URLs    []string `yaml:"urls"`
	} `yaml:"entries"`
}

// ParseIndex reads an index.yaml: the versions of each chart, URLs made
// absolute against base (the repository's URL, with a trailing slash).
func ParseIndex(data []byte, base *url.URL) (map[string][]Version, error) {
	var raw rawIndex
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := make(map[string][]Version, len(raw.Entries))
	for name, es := range raw.Entries {
		if len(es) > MaxVersions {
			return nil, fmt.Errorf("chart %q lists %d versions, more than %d", name, len(es), MaxVersions)
		}
		vs := make([]Version, 0, len(es))
		for _, e := range es {
			if e.Version == "" {
				continue
			}
			v := Version{Version: e.Version}
			if t, err := time.Parse(time.RFC3339Nano, e.Created); err == nil {
				v.Created = t.UTC()
			}
			for _, u := range e.URLs {
				if ref, err := url.Parse(u); err == nil && base != nil {
					v.URLs = append(v.URLs, base.ResolveReference(ref).String())
				}
			}
			vs = append(vs, v)
		}
		out[name] = vs
	}
	return out, nil
}
