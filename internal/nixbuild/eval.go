package nixbuild

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// ImageOutputs are the flake outputs EvalFlakeImages looks for images in,
// each as <output>.<system>.<name>.
var ImageOutputs = []string{"packages", "legacyPackages", "images"}

// Limits of EvalFlakeImages.
const (
	// MaxFlakeAttrs is the most attributes one <output>.<system> set may
	// have to be searched: a flake that re-exports nixpkgs as
	// legacyPackages has tens of thousands, and evaluating each would take
	// minutes. Larger sets are reported in FlakeImages.Sets and skipped.
	MaxFlakeAttrs = 1000
	// MaxOneByOne bounds the attributes evaluated one invocation each, the
	// fallback when evaluating them together failed.
	MaxOneByOne = 200
	// evalJobs is how many one-by-one evaluations run at once.
	evalJobs = 4
)

// Platform returns the OCI platform of a Nix system, "linux/arm64" for
// "aarch64-linux"; ok is false for systems pinner cannot publish (darwin).
func Platform(system string) (platform string, ok bool) {
	for p, s := range systems {
		if s == system {
			return p, true
		}
	}
	return "", false
}

// FlakeAttr is one attribute <Output>.<System>.<Name> of a flake.
type FlakeAttr struct {
	Output, System, Name string
	// IsImage: its value declares imageName, as dockerTools images (and
	// nix2container's) do. ImageName is "" when imageName is not a string.
	IsImage   bool
	ImageName string
	// ImageTag is the imageTag it declares; HasTag is false when it
	// declares none, or one that is not a string.
	ImageTag string
	HasTag   bool
	// Err says why the attribute could not be evaluated; IsImage is then
	// false.
	Err string
}

// FlakeSet is one <Output>.<System> set a flake has.
type FlakeSet struct {
	Output, System string
	// Attrs is how many attributes it has.
	Attrs int
	// Skipped says why its attributes were not searched: a system with no
	// OCI platform, a set larger than MaxFlakeAttrs, a value that does not
	// evaluate or is not an attribute set. "" when they were.
	Skipped string
}

// FlakeImages is what EvalFlakeImages found.
type FlakeImages struct {
	// Sets lists every <output>.<system> set of ImageOutputs, in order.
	Sets []FlakeSet
	// Attrs lists every attribute of the searched sets, images or not, in
	// order of output, system and name.
	Attrs []FlakeAttr
}

// imagesExpr evaluates the flake PINNER_FLAKE names as the request in
// PINNER_EVAL asks; both come through the environment, so no outside text
// becomes Nix code. Every attribute is guarded with builtins.tryEval (and
// deepSeq, since tryEval looks only at the top of a value), so a package
// that throws is reported, not fatal. abort, and errors such as a missing
// attribute, escape tryEval: then the whole evaluation fails, and Go asks
// for each attribute in an evaluation of its own ("one").
const imagesExpr = `
let
  req = builtins.fromJSON (builtins.getEnv "PINNER_EVAL");
  outputs = (builtins.getFlake (builtins.getEnv "PINNER_FLAKE")).outputs;
  str = v: if builtins.isString v then v else null;
  probe = v:
    let
      x = if builtins.isAttrs v && v ? imageName then {
        imageName = str v.imageName;
        imageTag = if v ? imageTag then str v.imageTag else null;
      } else null;
      r = builtins.tryEval (builtins.deepSeq x x);
    in if r.success then { ok = true; image = r.value; } else { ok = false; image = null; };
  attempt = e: let r = builtins.tryEval e; in if r.success then r.value else null;
  namesOf = v: attempt (if builtins.isAttrs v then builtins.attrNames v else null);
  describe = output: set: system:
    let
      v = builtins.tryEval set.${system};
      names = if v.success then namesOf v.value else null;
      count = if names == null then 0 else builtins.length names;
      wanted = builtins.elem system req.systems;
      searched = wanted && names != null && count <= req.max;
    in {
      inherit output system count;
      skipped =
        if !wanted then "system"
        else if !v.success then "throws"
        else if names == null then "not a set"
        else if count > req.max then "too many"
        else null;
      attrs = if !searched then { } else builtins.listToAttrs (map (name: {
        inherit name;
        value = if req.mode == "list" then null else probe v.value.${name};
      }) names);
    };
  sets = output:
    let
      o = builtins.tryEval (outputs.${output} or { });
      systems = if o.success then namesOf o.value else null;
    in
      if systems == null then
        [ { inherit output; system = ""; count = 0; skipped = if o.success then "not a set" else "throws"; attrs = { }; } ]
      else map (describe output o.value) systems;
in
  if req.mode == "one" then probe outputs.${req.attr.output}.${req.attr.system}.${req.attr.name}
  else builtins.concatMap sets req.outputs
`

type evalRequest struct {
	Mode    string    `json:"mode"` // "all", "list" or "one"
	Outputs []string  `json:"outputs"`
	Systems []string  `json:"systems"`
	Max     int       `json:"max"`
	Attr    *evalAttr `json:"attr,omitempty"`
}

type evalAttr struct {
	Output string `json:"output"`
	System string `json:"system"`
	Name   string `json:"name"`
}

type evalProbe struct {
	OK    bool `json:"ok"`
	Image *struct {
		ImageName *string `json:"imageName"`
		ImageTag  *string `json:"imageTag"`
	} `json:"image"`
	// err is why a one-by-one evaluation gave no answer.
	err string
}

type evalSet struct {
	Output  string                `json:"output"`
	System  string                `json:"system"`
	Count   int                   `json:"count"`
	Skipped *string               `json:"skipped"`
	Attrs   map[string]*evalProbe `json:"attrs"`
}

// skipReasons words the expression's reasons for people.
var skipReasons = map[string]string{
	"system":    "no OCI platform for this Nix system",
	"throws":    "does not evaluate",
	"not a set": "is not an attribute set",
	"too many":  fmt.Sprintf("more than %d attributes (a package set such as nixpkgs?); not searched", MaxFlakeAttrs),
}

// EvalFlakeImages evaluates the flake in dir (a directory with flake.nix;
// in a git repository Nix sees only the files added to git) and reports
// every attribute of its packages, legacyPackages and images outputs for
// the Linux systems pinner can publish, and which of them declare an
// image. It evaluates and never builds: import-from-derivation is turned
// off. An attribute that fails to evaluate is reported in its FlakeAttr;
// the error is for a flake that does not evaluate at all (a syntax error,
// an input that cannot be fetched), or for Nix missing (ErrNixNotFound).
func (b *Builder) EvalFlakeImages(ctx context.Context, dir string) (*FlakeImages, error) {
	nix := b.Nix
	if nix == "" {
		p, err := exec.LookPath("nix")
		if err != nil {
			return nil, ErrNixNotFound
		}
		nix = p
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("evaluating flake %s: %w", dir, err)
	}
	systemsList := slices.Sorted(maps.Values(systems))
	req := evalRequest{Mode: "all", Outputs: ImageOutputs, Systems: systemsList, Max: MaxFlakeAttrs}

	var sets []evalSet
	if err := b.eval(ctx, nix, abs, req, &sets); err != nil {
		// Something escaped tryEval, or the flake itself is broken: list
		// the attributes, which only errors of the flake's own fail, then
		// look at each alone.
		if ctx.Err() != nil {
			return nil, err
		}
		req.Mode = "list"
		if lerr := b.eval(ctx, nix, abs, req, &sets); lerr != nil {
			return nil, lerr
		}
		if err := b.evalOneByOne(ctx, nix, abs, req, sets); err != nil {
			return nil, err
		}
	}
	return collect(sets), nil
}

// evalOneByOne fills in every attribute of sets with an evaluation of its
// own, at most MaxOneByOne of them.
func (b *Builder) evalOneByOne(ctx context.Context, nix, dir string, req evalRequest, sets []evalSet) error {
	type job struct {
		set  *evalSet
		name string
	}
	var jobs []job
	for i := range sets {
		for _, n := range slices.Sorted(maps.Keys(sets[i].Attrs)) {
			jobs = append(jobs, job{&sets[i], n})
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(evalJobs)
	for i, j := range jobs {
		if i >= MaxOneByOne {
			mu.Lock()
			j.set.Attrs[j.name] = &evalProbe{err: fmt.Sprintf("not evaluated: evaluating the attributes together failed, and only %d are evaluated one by one", MaxOneByOne)}
			mu.Unlock()
			continue
		}
		g.Go(func() error {
			one := req
			one.Mode = "one"
			one.Attr = &evalAttr{Output: j.set.Output, System: j.set.System, Name: j.name}
			p := &evalProbe{}
			if err := b.eval(gctx, nix, dir, one, p); err != nil {
				if gctx.Err() != nil {
					return err
				}
				p = &evalProbe{err: "does not evaluate"}
				var ee *evalError
				if errors.As(err, &ee) && ee.tail != "" {
					p.err = firstErrorLine(ee.tail)
				}
			}
			mu.Lock()
			j.set.Attrs[j.name] = p
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

// evalError is a failed nix eval.
type evalError struct {
	dir  string
	err  error
	tail string
}

func (e *evalError) Error() string {
	msg := fmt.Sprintf("evaluating flake %s: %v", e.dir, e.err)
	if e.tail != "" {
		msg += "\n" + e.tail
	}
	return msg
}

func (e *evalError) Unwrap() error { return e.err }

// eval runs one nix eval of imagesExpr and decodes its JSON into out.
func (b *Builder) eval(ctx context.Context, nix, dir string, req evalRequest, out any) error {
	reqJSON, err := json.Marshal(req)
	if err != nil {
		return err
	}
	args := []string{"eval", "--json", "--impure",
		"--extra-experimental-features", "nix-command flakes",
		"--option", "allow-import-from-derivation", "false",
		"--expr", imagesExpr}
	withEnv := *b
	withEnv.Env = append(slices.Clone(b.Env), "PINNER_FLAKE="+dir, "PINNER_EVAL="+string(reqJSON))
	stdout, tail, err := withEnv.exec(ctx, nix, args)
	if err != nil {
		return &evalError{dir: dir, err: err, tail: tail}
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		return &evalError{dir: dir, err: fmt.Errorf("%w: reading nix eval --json output: %w", ErrBuildFailed, err), tail: tail}
	}
	return nil
}

func collect(sets []evalSet) *FlakeImages {
	out := &FlakeImages{}
	for _, s := range sets {
		fs := FlakeSet{Output: s.Output, System: s.System, Attrs: s.Count}
		if s.Skipped != nil {
			fs.Skipped = skipReasons[*s.Skipped]
			if fs.Skipped == "" {
				fs.Skipped = *s.Skipped
			}
		}
		out.Sets = append(out.Sets, fs)
		for _, n := range slices.Sorted(maps.Keys(s.Attrs)) {
			a := FlakeAttr{Output: s.Output, System: s.System, Name: n}
			p := s.Attrs[n]
			switch {
			case p == nil:
				a.Err = "not evaluated"
			case p.err != "":
				a.Err = p.err
			case !p.OK:
				a.Err = "does not evaluate (it throws, or an assertion fails)"
			case p.Image != nil:
				a.IsImage = true
				if p.Image.ImageName != nil {
					a.ImageName = *p.Image.ImageName
				}
				if p.Image.ImageTag != nil {
					a.ImageTag, a.HasTag = *p.Image.ImageTag, true
				}
			}
			out.Attrs = append(out.Attrs, a)
		}
	}
	return out
}

// firstErrorLine picks Nix's "error: ..." line out of its stderr tail.
func firstErrorLine(tail string) string {
	for _, l := range strings.Split(tail, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "error:") {
			return l
		}
	}
	return lastLines(tail, 1)
}
