package nixbuild

// The fixed-output hash of pulled images (pullImage calls), the way Nix
// itself knows it: each call is built with a fake hash and Nix reports the
// hash it got. One Nix invocation instantiates every call of a run and one
// realises them all.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/nix-community/go-nix/pkg/nixhash"
)

// DefaultPullFunction is the pullImage a call is made with when the
// configuration names none: nixpkgs' dockerTools.pullImage, from the
// <nixpkgs> of Nix's search path.
const DefaultPullFunction = "(import <nixpkgs> {}).dockerTools.pullImage"

// FakeHash is the hash a call is built with: no output has it, so Nix
// always reports the one it got.
const FakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

// pullTimeout bounds one run: a registry that stops answering ends it.
const pullTimeout = 30 * time.Minute

// maxPullOutput bounds what is kept of Nix's stderr.
const maxPullOutput = 4 << 20

// ErrNoHash: Nix did not report the hash of a call.
var ErrNoHash = errors.New("nix reported no hash")

// PullCall is one pullImage call: Func is a Nix file whose value is the
// pullImage function ("" is DefaultPullFunction), Args its arguments
// without the hash (strings or booleans), HashKey the argument the hash
// goes in ("hash" or "sha256"), and Spelling an existing hash whose
// encoding the result takes (SRI, or Nix base32). Calls of one run may
// name different functions (dockerTools', nix2container's).
type PullCall struct {
	Func     string
	Args     map[string]any
	HashKey  string
	Spelling string
}

// PullHash is the hash of one request, or why there is none.
type PullHash struct {
	Hash string
	Err  error
}

// PullHashes returns the hash of every request, in order. nixDir is the
// directory holding nix-instantiate and nix-store ("" looks them up in
// $PATH). An error that concerns the whole run (no Nix) is returned; one
// that concerns a call is in its Result.
func PullHashes(ctx context.Context, nixDir string, reqs []PullCall) ([]PullHash, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	tool := func(name string) (string, error) {
		if nixDir != "" {
			return filepath.Join(nixDir, name), nil
		}
		return exec.LookPath(name)
	}
	inst, err := tool("nix-instantiate")
	if err != nil {
		return nil, fmt.Errorf("computing image hashes: %w", err)
	}
	store, err := tool("nix-store")
	if err != nil {
		return nil, fmt.Errorf("computing image hashes: %w", err)
	}
	dir, err := os.MkdirTemp("", "pinner-pullhash-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	calls := make([]pullCallData, len(reqs))
	for i, r := range reqs {
		args := map[string]any{}
		for k, v := range r.Args {
			args[k] = v
		}
		args[r.HashKey] = FakeHash
		abs := ""
		if r.Func != "" {
			if abs, err = filepath.Abs(r.Func); err != nil {
				return nil, err
			}
		}
		calls[i] = pullCallData{Func: abs, Args: args}
	}
	res := make([]PullHash, len(reqs))
	drvs, err := instantiatePulls(ctx, inst, dir, calls)
	if err != nil {
		// One call Nix cannot evaluate fails the whole instantiation:
		// each call on its own tells which, with Nix's reason, and lets
		// the others go on.
		drvs = make([]string, len(calls))
		for i := range calls {
			one, err := instantiatePulls(ctx, inst, dir, calls[i:i+1])
			if err != nil {
				// One line: the reason goes into a warning about one site.
				why := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
				res[i].Err = fmt.Errorf("%w for %s: %s", ErrNoHash, imageOf(reqs[i]), why)
				continue
			}
			drvs[i] = one[0]
		}
	}
	var todo []string
	for _, d := range drvs {
		if d != "" {
			todo = append(todo, d)
		}
	}
	var stderr string
	if len(todo) > 0 {
		_, stderr, _ = runCapped(ctx, store, append([]string{"--realise", "--keep-going"}, todo...)...)
	}
	got := mismatches(stderr)
	for i, d := range drvs {
		if d == "" {
			continue
		}
		h, ok := got[d]
		if !ok {
			why := buildFailure(stderr, d)
			if ctx.Err() != nil {
				why = ctx.Err().Error()
			}
			res[i].Err = fmt.Errorf("%w for %s: %s", ErrNoHash, imageOf(reqs[i]), why)
			continue
		}
		res[i].Hash, res[i].Err = SpellHash(h, reqs[i].Spelling)
	}
	return res, nil
}

// pullCallData is a call as the Nix expression reads it.
type pullCallData struct {
	Func string         `json:"func"`
	Args map[string]any `json:"args"`
}

// instantiatePulls instantiates calls in one nix-instantiate run and
// returns their derivations, in order.
func instantiatePulls(ctx context.Context, inst, dir string, calls []pullCallData) ([]string, error) {
	data, err := json.Marshal(calls)
	if err != nil {
		return nil, err
	}
	reqFile, err := os.CreateTemp(dir, "calls-*.json")
	if err != nil {
		return nil, err
	}
	_, err = reqFile.Write(data)
	if cerr := reqFile.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// The calls come in as data, never as expression text.
	const expr = `{ calls }: map (c: (if c.func == "" then ` + DefaultPullFunction + ` else import c.func) c.args) (builtins.fromJSON (builtins.readFile calls))`
	out, stderr, err := runCapped(ctx, inst, "--expr", expr, "--argstr", "calls", reqFile.Name())
	if err != nil {
		return nil, fmt.Errorf("instantiating %d pulled images: %w\n%s", len(calls), err, lastLines(stderr, 20))
	}
	drvs := strings.Fields(string(out))
	if len(drvs) != len(calls) {
		return nil, fmt.Errorf("instantiating %d pulled images: nix-instantiate printed %d derivations", len(calls), len(drvs))
	}
	return drvs, nil
}

// imageOf names a call's image in its errors.
func imageOf(c PullCall) string {
	name, _ := c.Args["imageName"].(string)
	digest, _ := c.Args["imageDigest"].(string)
	return name + "@" + digest
}

// maxReasonLines bounds the build log a call's error carries.
const maxReasonLines = 10

// buildFailure is what Nix said of drv's build: its log (the lines
// between "building 'drv'..." and the next build or error) and the error
// naming it; the tail of stderr when Nix named it nowhere.
func buildFailure(stderr, drv string) string {
	var log []string
	var verdict string
	in := false
	for _, line := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(line, "building '"):
			in = strings.HasPrefix(line, "building '"+drv+"'")
			continue
		case strings.HasPrefix(line, "error: "):
			in = false
			if verdict == "" && strings.Contains(line, "'"+drv+"'") && !strings.HasPrefix(line, "error: build of ") {
				verdict = strings.TrimPrefix(line, "error: ")
			}
			continue
		}
		if in && strings.TrimSpace(line) != "" {
			log = append(log, line)
			if len(log) > maxReasonLines {
				log = log[1:]
			}
		}
	}
	if verdict == "" {
		return lastLines(stderr, maxReasonLines)
	}
	if len(log) == 0 {
		return verdict
	}
	return verdict + ": " + strings.Join(log, "; ")
}

// mismatchRE matches Nix's report of a fixed-output hash mismatch: the
// derivation, then the specified and the got hash.
var mismatchRE = regexp.MustCompile(`hash mismatch in fixed-output derivation '([^']+)':\s*specified:\s*(\S+)\s*got:\s*(\S+)`)

func mismatches(stderr string) map[string]string {
	out := map[string]string{}
	for _, m := range mismatchRE.FindAllStringSubmatch(stderr, -1) {
		out[m[1]] = m[3]
	}
	return out
}

// SpellHash writes hash (any encoding Nix prints) in the encoding of like: an
// SRI hash when like is one ("sha256-…") or empty, Nix base32 otherwise.
func SpellHash(hash, like string) (string, error) {
	algo := nixhash.Algorithm(nixhash.SHA256)
	h, err := nixhash.ParseAny(hash, &algo)
	if err != nil {
		return "", fmt.Errorf("nix reported hash %q: %w", hash, err)
	}
	if like == "" || strings.HasPrefix(like, "sha256-") {
		return h.Format(nixhash.SRI, true), nil
	}
	return h.Format(nixhash.NixBase32, false), nil
}

func runCapped(ctx context.Context, bin string, args ...string) ([]byte, string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout bytes.Buffer
	stderr := &cappedBuffer{max: maxPullOutput}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

// cappedBuffer keeps the last max bytes written.
type cappedBuffer struct {
	b   []byte
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.b = append(c.b, p...)
	if len(c.b) > c.max {
		c.b = c.b[len(c.b)-c.max:]
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string { return string(c.b) }
