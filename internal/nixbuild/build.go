package nixbuild

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nix-community/go-nix/pkg/derivation"
	"github.com/nix-community/go-nix/pkg/storepath"
	"golang.org/x/sync/errgroup"
)

// Sentinels, matchable with errors.Is. The CLI maps ErrBadInput to exit
// code 2 and everything else from Build (ErrBuildFailed, ErrNixNotFound) to 3.
var (
	// ErrNixNotFound: there is no nix binary to run.
	ErrNixNotFound = errors.New("nix not found in PATH: install nix (apt-get install nix-bin)")
	// ErrBadInput: the build asks for something that does not exist or
	// does not evaluate: a missing file or attribute, a syntax error, an
	// unsupported platform.
	ErrBadInput = errors.New("bad build input")
	// ErrBuildFailed: Nix could not build what it was asked to, or failed in
	// a way that is not the input's fault.
	ErrBuildFailed = errors.New("nix build failed")
)

// TailLines is how many lines of Nix's stderr an error carries.
const TailLines = 20

// Result is what Nix built for one Installable.
type Result struct {
	Installable Installable
	// DrvPath is the derivation, "/nix/store/…-x.drv".
	DrvPath string
	// Out is the "out" output's store path: an image archive, a script
	// that streams one, or an OCI layout directory.
	Out string
	// Outputs holds every output by name, "out" included.
	Outputs map[string]string
	// ImageName and ImageTag are the derivation's imageName and imageTag
	// environment variables, as dockerTools sets them; "" when absent.
	ImageName string
	ImageTag  string
}

// Error is a failed `nix build` invocation. It wraps ErrBadInput or
// ErrBuildFailed (and context.Canceled when ctx was cancelled).
type Error struct {
	// Installables are the ones the failed invocation was building.
	Installables []Installable
	// Tail is the last TailLines lines of Nix's stderr.
	Tail string
	Err  error
}

func (e *Error) Error() string {
	names := make([]string, len(e.Installables))
	for i, in := range e.Installables {
		names[i] = in.String()
	}
	msg := fmt.Sprintf("building %s: %v", strings.Join(names, ", "), e.Err)
	if e.Tail != "" {
		msg += "\n" + e.Tail
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Builder runs `nix build`. The zero value is ready to use: it finds nix in
// $PATH and inherits the environment.
type Builder struct {
	// Nix is the nix binary; "" looks "nix" up in $PATH.
	Nix string
	// Dir is the working directory of nix; "" is the current one.
	Dir string
	// Env is added to the inherited environment, e.g. "NIX_CONFIG=...".
	Env []string
	// Args are added to every `nix build` unchanged (registry.yaml's
	// nix_args: --max-jobs, --builders, --option NAME VALUE, ...).
	Args []string
	// KillDelay is how long nix gets to stop after an interrupt when ctx
	// is cancelled before it is killed; 0 means 10s.
	KillDelay time.Duration
}

// Build builds every installable and returns one Result per installable, in
// order. Flake installables share one `nix build` invocation; file
// installables share one per file and argument set (the command line takes
// one -f and one set of --argstr). The invocations run concurrently; the
// first failure cancels the others and is returned.
func (b *Builder) Build(ctx context.Context, ins []Installable) ([]Result, error) {
	if len(ins) == 0 {
		return nil, nil
	}
	for _, in := range ins {
		if (in.Flake == "") == (in.File == "") {
			return nil, fmt.Errorf("building %s: %w: exactly one of flake and file must be set", in, ErrBadInput)
		}
	}
	nix := b.Nix
	if nix == "" {
		p, err := exec.LookPath("nix")
		if err != nil {
			return nil, ErrNixNotFound
		}
		nix = p
	}
	results := make([]Result, len(ins))
	g, gctx := errgroup.WithContext(ctx)
	for _, gr := range plan(ins) {
		g.Go(func() error {
			built, err := b.run(gctx, nix, gr, ins)
			if err != nil {
				return err
			}
			for i, m := range gr.members {
				r := built[gr.attrIdx[i]]
				r.Installable = ins[m]
				results[m] = r
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

// builtPath is one element of `nix build --json`.
type builtPath struct {
	DrvPath string            `json:"drvPath"`
	Outputs map[string]string `json:"outputs"`
}

// run makes one `nix build` invocation and returns a Result per distinct
// attribute of gr, in gr.attrs order.
func (b *Builder) run(ctx context.Context, nix string, gr *group, ins []Installable) ([]Result, error) {
	members := make([]Installable, len(gr.members))
	for i, m := range gr.members {
		members[i] = ins[m]
	}
	fail := func(err error, tail string) error {
		return &Error{Installables: members, Tail: tail, Err: err}
	}

	stdout, tail, err := b.exec(ctx, nix, gr.argv(b.Args))
	if err != nil {
		return nil, fail(err, tail)
	}
	var paths []builtPath
	if err := json.Unmarshal(stdout, &paths); err != nil {
		return nil, fail(fmt.Errorf("%w: reading nix build --json output: %w", ErrBuildFailed, err), tail)
	}
	byDrv := map[string]Result{}
	for _, p := range paths {
		r, err := readResult(p)
		if err != nil {
			return nil, fail(fmt.Errorf("%w: %w", ErrBuildFailed, err), "")
		}
		byDrv[r.DrvPath] = r
	}
	if len(gr.attrs) == 1 {
		if len(paths) != 1 {
			return nil, fail(fmt.Errorf("%w: nix reported %d results for one installable", ErrBuildFailed, len(paths)), tail)
		}
		return []Result{byDrv[paths[0].DrvPath]}, nil
	}

	// Nix lists what it built in its own order, not the command line's, so
	// each attribute's derivation is looked up to match them. Evaluating
	// again costs one `nix eval` per attribute; the build itself stays one
	// invocation, which lets Nix schedule all of it at once.
	drvs := make([]string, len(gr.attrs))
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(4)
	for i := range gr.attrs {
		eg.Go(func() error {
			out, tail, err := b.exec(ectx, nix, gr.evalArgv(i))
			if err != nil {
				return fail(err, tail)
			}
			drvs[i] = strings.TrimSpace(string(out))
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	out := make([]Result, len(gr.attrs))
	for i, d := range drvs {
		r, ok := byDrv[d]
		if !ok {
			return nil, fail(fmt.Errorf("%w: nix did not report building %s", ErrBuildFailed, d), tail)
		}
		out[i] = r
	}
	return out, nil
}

// exec runs nix with args and returns its stdout, or an error wrapping
// ErrBadInput or ErrBuildFailed, with the tail of its stderr either way.
func (b *Builder) exec(ctx context.Context, nix string, args []string) ([]byte, string, error) {
	cmd := exec.CommandContext(ctx, nix, args...)
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), b.Env...)
	// Nix gets SIGINT in its own process group, so it stops its builders
	// and releases its locks; KillDelay later, it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = b.KillDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = 10 * time.Second
	}
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 64 << 10}
	cmd.Stdout = &stdout
	cmd.Stderr = stderr

	err := cmd.Run()
	tail := lastLines(stderr.String(), TailLines)
	if ctx.Err() != nil {
		return nil, tail, fmt.Errorf("%w: %w", ErrBuildFailed, context.Cause(ctx))
	}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, tail, fmt.Errorf("%w: running %s: %w", ErrBuildFailed, nix, err)
		}
		return nil, tail, fmt.Errorf("%w (%v)", classify(stderr.String()), ee.ProcessState)
	}
	return stdout.Bytes(), tail, nil
}

// readResult checks the store paths Nix reported and reads the image name
// and tag from the derivation.
func readResult(p builtPath) (Result, error) {
	if _, err := storepath.FromAbsolutePath(p.DrvPath); err != nil || !strings.HasSuffix(p.DrvPath, ".drv") {
		return Result{}, fmt.Errorf("nix reported derivation %q, which is not a store derivation path", p.DrvPath)
	}
	r := Result{DrvPath: p.DrvPath, Outputs: p.Outputs}
	for name, path := range p.Outputs {
		if _, err := storepath.FromAbsolutePath(path); err != nil {
			return Result{}, fmt.Errorf("nix reported output %s = %q: %w", name, path, err)
		}
	}
	out, ok := p.Outputs["out"]
	if !ok {
		return Result{}, fmt.Errorf("derivation %s has no output \"out\"", p.DrvPath)
	}
	r.Out = out
	env, err := DerivationEnv(p.DrvPath)
	if err != nil {
		return Result{}, err
	}
	r.ImageName, r.ImageTag = env["imageName"], env["imageTag"]
	return r, nil
}

// DerivationEnv reads the environment a .drv file gives its builder.
func DerivationEnv(drvPath string) (map[string]string, error) {
	f, err := os.Open(drvPath)
	if err != nil {
		return nil, fmt.Errorf("reading derivation: %w", err)
	}
	defer f.Close()
	drv, err := derivation.ReadDerivation(f)
	if err != nil {
		return nil, fmt.Errorf("parsing derivation %s: %w", drvPath, err)
	}
	return drv.Env, nil
}

// badInputMarkers are how Nix 2.x words evaluation errors that are the
// input's fault: a missing attribute or file, a syntax error.
var badInputMarkers = []string{
	"does not provide attribute",
	"in selection path",
	"' missing",
	"No such file or directory",
	"does not exist",
	"syntax error",
	"undefined variable",
	"does not evaluate to a derivation",
	"cannot find flake",
	"unsupported platform",
}

// classify decides whether a failed nix build is the input's fault. A
// builder's log may say anything ("No such file" from tar, say), so a
// failed builder is always a build failure.
func classify(stderr string) error {
	if strings.Contains(stderr, "builder for '") || strings.Contains(stderr, "build of '") {
		return ErrBuildFailed
	}
	for _, m := range badInputMarkers {
		if strings.Contains(stderr, m) {
			return ErrBadInput
		}
	}
	return ErrBuildFailed
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// tailBuffer keeps the last max bytes written to it, so a chatty build
// cannot grow memory without bound.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
