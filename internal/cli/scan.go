package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/pinner-dev/pinner/internal/config"
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

Forms: string (a whole reference in a string), attrset (helm values: repository and tag or digest, however the set is written), partial (helm values that set only the tag or only the repository; the rest is the chart's default), embedded (an image: line of YAML kept in a string), derived (a string built from another site; it follows that site).

Exits 1 when any file fails to parse, 2 on bad usage.`
}

// Run scans and prints.
func (c *ScanCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	if c.JSON {
		return c.runJSON(ctx, env, g)
	}
	_, res, err := loadAndScan(ctx, g, c.Paths)
	if err != nil {
		return err
	}
	{
		if err := printSites(env.Stdout, res.sites, env.Color); err != nil {
			return err
		}
		printSyntaxErrors(env.Stderr, res.errors)
	}
	if len(res.errors) > 0 {
		return withCode(ExitFindings, nil)
	}
	return nil
}

// runJSON prints the sites as the files are scanned, so that a tree of
// any size takes the memory of a few files, not of all its sites.
func (c *ScanCmd) runJSON(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	files, err := scanFiles(cfg, c.Paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(env.Stdout)
	arr := jsonArray{w: w, indent: "    "}
	fmt.Fprint(w, "{\n  \"sites\": ")
	var errs diag.List
	var buf []byte
	err = streamSites(ctx, files, func(sites []scan.Site, perrs diag.List) error {
		errs = append(errs, perrs...)
		for i := range sites {
			buf = appendSiteJSON(buf[:0], &sites[i], arr.indent)
			arr.addRaw(buf)
		}
		return nil
	})
	if err != nil {
		return err
	}
	arr.close()
	fmt.Fprint(w, ",\n  \"errors\": ")
	errs.Sort()
	errArr := jsonArray{w: w, indent: "    "}
	for i := range errs {
		if err := errArr.add(&errs[i]); err != nil {
			return err
		}
	}
	errArr.close()
	fmt.Fprint(w, "\n}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	if len(errs) > 0 {
		return withCode(ExitFindings, nil)
	}
	return nil
}

// jsonArray writes a JSON array one element at a time, indented as
// writeJSON indents a whole document.
type jsonArray struct {
	w      *bufio.Writer
	indent string
	n      int
}

func (a *jsonArray) add(v any) error {
	b, err := json.MarshalIndent(v, a.indent, "  ")
	if err != nil {
		return err
	}
	a.addRaw(b)
	return nil
}

// addRaw adds an element already encoded, indented for the array.
func (a *jsonArray) addRaw(b []byte) {
	if a.n == 0 {
		a.w.WriteString("[\n")
	} else {
		a.w.WriteString(",\n")
	}
	a.n++
	a.w.WriteString(a.indent)
	a.w.Write(b)
}

func (a *jsonArray) close() {
	if a.n == 0 {
		a.w.WriteString("[]")
		return
	}
	a.w.WriteString("\n" + a.indent[:len(a.indent)-2] + "]")
}

// streamSites scans files and hands fn each file's sites and syntax
// errors, file names relative to the working directory where possible.
func streamSites(ctx context.Context, files []string, fn func([]scan.Site, diag.List) error) error {
	cwd, _ := os.Getwd()
	err := scan.Stream(ctx, files, runtime.NumCPU(), func(fs scan.FileSites) error {
		// Every site of a file has the file's name.
		shown := displayPath(cwd, fs.Name)
		for i := range fs.Sites {
			if fs.Sites[i].File == fs.Name {
				fs.Sites[i].File = shown
			} else {
				fs.Sites[i].File = displayPath(cwd, fs.Sites[i].File)
			}
		}
		var errs diag.List
		for _, e := range fs.Errors {
			errs = append(errs, &diag.Error{
				File: displayPath(cwd, e.File), Line: e.Line, Column: e.Column, Msg: e.Msg,
			})
		}
		return fn(fs.Sites, errs)
	})
	if err != nil {
		return withCode(ExitOutside, err)
	}
	return nil
}

// scanResult is what scan and check share: the sites and the parse errors,
// with file names relative to the working directory where possible.
type scanResult struct {
	sites  []scan.Site
	errors diag.List
}

type scanOutput struct {
	Sites  []scan.Site `json:"sites"`
	Errors diag.List   `json:"errors"`
}

// loadConfig finds and loads registry.yaml (--config, PINNER_CONFIG, or
// registry.yaml in the working directory); without one it returns the
// defaults, and found is false.
func loadConfig(g *Globals) (*config.Config, error) {
	path, found, err := config.Find(g.Config, ".")
	if err != nil {
		return nil, withCode(ExitBadInput, err)
	}
	if !found {
		return config.Default("."), nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, withCode(ExitBadInput, err)
	}
	return cfg, nil
}

// loadAndScan loads the configuration and scans paths with it: what scan,
// check and outdated all begin with.
func loadAndScan(ctx context.Context, g *Globals, paths []string) (*config.Config, *scanResult, error) {
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, nil, err
	}
	res, err := scanPaths(ctx, cfg, paths)
	return cfg, res, err
}

// scanPaths scans the given files and directories; without any, the modules
// of the configuration file, or modules/kubenix when there is none.
//
// The configuration's exclude globs apply to paths given explicitly too
// (files, and the files below directories), so a pre-commit hook can pass
// every staged .nix file. Explicit paths are not limited to the modules
// globs: naming a file is asking for it.
func scanPaths(ctx context.Context, cfg *config.Config, paths []string) (*scanResult, error) {
	files, err := scanFiles(cfg, paths)
	if err != nil {
		return nil, err
	}
	sites, perrs, err := scan.Files(ctx, files, runtime.NumCPU())
	if err != nil {
		return nil, withCode(ExitOutside, err)
	}
	res := &scanResult{sites: sites, errors: diag.List{}}
	if res.sites == nil {
		res.sites = []scan.Site{}
	}
	cwd, _ := os.Getwd()
	for i := range res.sites {
		res.sites[i].File = displayPath(cwd, res.sites[i].File)
	}
	for _, e := range perrs {
		res.errors = append(res.errors, &diag.Error{
			File: displayPath(cwd, e.File), Line: e.Line, Column: e.Column, Msg: e.Msg,
		})
	}
	return res, nil
}

// scanFiles lists the files scanPaths scans (see workspace.Files).
func scanFiles(cfg *config.Config, paths []string) ([]string, error) {
	return workspace.Files(cfg, paths)
}

// displayPath makes p relative to cwd when it lies below it, as the contract
// asks; other paths are shown as they are.
func displayPath(cwd, p string) string { return workspace.RelativeTo(cwd, p) }

func printSites(w io.Writer, sites []scan.Site, color bool) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOCATION\tFORM\tREFERENCE\tPINNED\tNOTE")
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
		fmt.Fprintf(tw, "%s:%d:%d\t%s\t%s\t%s\t%s\n", s.File, s.Line, s.Column, s.Form, shortDigest(s.Ref), pinned, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeTable(w, buf.Bytes(), color)
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// relativeErrors are errs with file names relative to the working
// directory, as every command shows them.
func relativeErrors(errs diag.List) diag.List {
	cwd, _ := os.Getwd()
	out := make(diag.List, len(errs))
	for i, e := range errs {
		c := *e
		c.File = displayPath(cwd, e.File)
		out[i] = &c
	}
	return out
}
