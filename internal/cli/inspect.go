package cli

import (
	"github.com/pinner-dev/pinner/internal/progress"

	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/oci"
)

// InspectCmd prints what each reference names: platforms, sizes, created
// times and labels.
type InspectCmd struct {
	JSON bool     `help:"Print a JSON list: [{\"ref\",\"digest\",\"media_type\",\"index\",\"platforms\":[{\"platform\",\"digest\",\"size\",\"layers\",\"created\",\"labels\"}]}]."`
	Refs []string `arg:"" name:"ref" help:"Image references (busybox:1.37, ghcr.io/x/y:v1, ...@sha256:...)."`
	registryFlags
}

// Help is shown by "pinner inspect --help".
func (InspectCmd) Help() string {
	return `Fetches the manifest each reference names and, for every platform image (each entry of an index, attestations left out), its manifest and config: the platform, the digest, the compressed size a pull downloads (config and layers), the number of layers, the created time and the labels. The configuration's mirrors, insecure hosts and credentials apply, as for resolve; nothing is written.

Prints a table with one row per platform image, below a row for the index when the reference names one. Exits 3 when a reference cannot be inspected (after printing the others), 2 when one is not a valid reference.`
}

// inspected is one reference in the JSON shape.
type inspected struct {
	Ref       string           `json:"ref"`
	Digest    string           `json:"digest"`
	MediaType string           `json:"media_type"`
	Index     bool             `json:"index"`
	Platforms []inspectedImage `json:"platforms"`
}

type inspectedImage struct {
	Platform string            `json:"platform"`
	Digest   string            `json:"digest"`
	Size     int64             `json:"size"`
	Layers   int               `json:"layers"`
	Created  string            `json:"created"` // RFC 3339, UTC; "" when the config has none
	Labels   map[string]string `json:"labels"`
}

// Run inspects and prints.
func (c *InspectCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	if err := oci.CheckRefs(c.Refs); err != nil {
		return err
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	r, err := c.newResolver(cfg, env.Log)
	if err != nil {
		return err
	}
	// Each distinct spelling is fetched once.
	var distinct []string
	for _, s := range c.Refs {
		if !slices.Contains(distinct, s) {
			distinct = append(distinct, s)
		}
	}
	env.plainf("inspecting %s", progress.Plural(len(distinct), "reference"))
	bar := env.Progress.Counter("inspecting")
	bar.AddTotal(int64(len(distinct)))
	results := make([]*oci.Inspection, len(distinct))
	errs := make([]error, len(distinct))
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(c.Jobs)
	for i, s := range distinct {
		eg.Go(func() error {
			// Failures stay here so that every reference gets its answer.
			results[i], errs[i] = r.Inspect(ectx, s)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("inspecting %q: %w", s, errs[i])
			}
			bar.Increment()
			return nil
		})
	}
	_ = eg.Wait()
	bar.Done()
	env.Progress.Close()

	byRef := map[string]*oci.Inspection{}
	for i, s := range distinct {
		if results[i] != nil {
			byRef[s] = results[i]
		}
	}
	out := []inspected{}
	for _, s := range c.Refs {
		if in, ok := byRef[s]; ok {
			out = append(out, toInspected(in))
		}
	}
	if c.JSON {
		if err := writeJSON(env.Stdout, out); err != nil {
			return err
		}
	} else if len(out) > 0 {
		if err := printInspected(env, out); err != nil {
			return err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return withCode(ExitOutside, err)
	}
	return nil
}

func toInspected(in *oci.Inspection) inspected {
	out := inspected{Ref: in.Ref, Digest: in.Digest, MediaType: in.MediaType, Index: in.Index, Platforms: []inspectedImage{}}
	for _, img := range in.Images {
		e := inspectedImage{Platform: img.Platform, Digest: img.Digest, Size: img.Size, Layers: img.Layers, Labels: img.Labels}
		if !img.Created.IsZero() {
			e.Created = img.Created.UTC().Format(time.RFC3339)
		}
		if e.Labels == nil {
			e.Labels = map[string]string{}
		}
		out.Platforms = append(out.Platforms, e)
	}
	return out
}

// printInspected writes the table: the reference on its first row, an
// "index" row for an index, then a row per platform image.
func printInspected(env *Env, out []inspected) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REFERENCE\tPLATFORM\tDIGEST\tSIZE\tLAYERS\tCREATED\tLABELS")
	for _, e := range out {
		ref := shortDigest(e.Ref)
		if e.Index {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\t\n", ref, fmt.Sprintf("index of %d", len(e.Platforms)), shortDigest("@" + e.Digest)[1:])
			ref = ""
		}
		for _, p := range e.Platforms {
			created := p.Created
			if created == "" {
				created = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", ref, p.Platform, shortDigest("@" + p.Digest)[1:],
				progress.HumanBytes(p.Size), p.Layers, created, formatLabels(p.Labels))
			ref = ""
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Rows without labels (and the index row) end in tabwriter's padding.
	table := trailingSpaces.ReplaceAll(buf.Bytes(), nil)
	return writeTable(env.Stdout, table, env.Color)
}

var trailingSpaces = regexp.MustCompile(`(?m) +$`)

// formatLabels is "k=v, k2=v2" in key order; --json has them as a map.
func formatLabels(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ", ")
}
