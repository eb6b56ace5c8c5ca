package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// defaultModules is where a kubenix repository keeps its modules; it is
// scanned when no PATH is given.
const defaultModules = workspace.DefaultModules

// ScanCmd lists image sites.
type ScanCmd struct {
	JSON  bool     `help:"Print one JSON object: {\"sites\":[...],\"errors\":[...]}."`
	Paths []string `arg:"" optional:"" name:"path" predictor:"nix" help:"Files or directories (every *.nix below them). Default: ${default_modules}."`
}

// Help is shown by "pinner scan --help".
func (ScanCmd) Help() string {
	return `Parses every *.nix file below each PATH with pinner's Nix parser and lists each place a container image is written: its file:line:column, form, the reference, whether it is pinned to a digest and whether pinner can edit it.

Forms: string (a whole reference in a string), attrset (helm values: repository and tag or digest, however the set is written), partial (helm values that set only the tag or only the repository; the rest is the chart's default), embedded (an image: line of YAML kept in a string), pull (the arguments of a pullImage call: an image Nix fetches by digest and hash), chart (a Helm chart Nix fetches: helm.fetch, downloadHelmChart or a fetchurl of a chart's .tgz, pinned by its hash; REFERENCE is the repository, chart and version), derived (a string built from another site; it follows that site).

On a terminal the table fits its width: the widest of LOCATION (cut at its start, keeping the file and line), REFERENCE and NOTE are shortened with "…". Into a file or a pipe the rows stay whole, unless COLUMNS is set; --json has every value in full.

Exits 2 when any file fails to parse (the sites of the others are still listed), as on bad usage.`
}

// Run scans and prints.
func (c *ScanCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	if c.JSON {
		return c.runJSON(ctx, env, g)
	}
	_, res, err := loadAndScan(ctx, env, g, c.Paths)
	if err != nil {
		return err
	}
	{
		if err := printSites(env.Stdout, res.sites, env.Color, env.Width); err != nil {
			return err
		}
		printSyntaxErrors(env.Stderr, res.errors)
	}
	if len(res.errors) > 0 {
		// A syntax error is bad input, as in every other command.
		return withCode(ExitBadInput, nil)
	}
	return nil
}

// printSites writes the scan table, within width columns when width is
// positive (see fitTable).
func printSites(w io.Writer, sites []scan.Site, color bool, width int) error {
	rows := [][]string{{"LOCATION", "FORM", "REFERENCE", "PINNED", "NOTE"}}
	for _, s := range sites {
		pinned := "no"
		if s.Pinned {
			pinned = "yes"
		}
		note := ""
		if !s.Editable {
			note = "not editable"
			if s.Reason != "" {
				note += ": " + s.Reason
			}
		}
		rows = append(rows, []string{fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column), string(s.Form), shortDigest(s.Ref), pinned, note})
	}
	table := fitTable(rows, []cut{cutStart, keep, cutEnd, keep, cutEnd}, width)
	return writeTable(w, []byte(table), color)
}

// shortDigest abbreviates a sha256 digest in ref to 12 hex digits, as
// registries' web pages do, so the table stays readable; --json has it whole.
func shortDigest(ref string) string {
	i := strings.Index(ref, "@sha256:")
	if i < 0 || len(ref)-(i+len("@sha256:")) <= 12 {
		return ref
	}
	return ref[:i+len("@sha256:")+12] + "…"
}

func printSyntaxErrors(w io.Writer, errs diag.List) {
	for _, e := range errs {
		fmt.Fprintf(w, "%s:%d:%d: %s\n", e.File, e.Line, e.Column, e.Msg)
	}
}
