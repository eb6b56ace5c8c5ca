package syntax

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The corpus under testdata/corpus records what Nix 2.8 (`nix-instantiate
// --parse`) does with each file: accept/ parses, reject/ does not, and newer/
// uses syntax that only newer Nix accepts (the pipe operators), which pinner
// accepts too. The directory is the expectation; the files are never moved to
// suit the parser.
const corpusDir = "testdata/corpus"

// parseTimeout bounds one Parse call, so a parser that loops forever on a
// corpus file fails that file instead of hanging the whole run.
const parseTimeout = 10 * time.Second

// nixTimeout bounds one nix-instantiate run.
const nixTimeout = 60 * time.Second

type corpusFile struct {
	rel string // slash-separated, relative to corpusDir: "accept/x.nix"
	dir string // "accept", "reject", "newer" or "stricter"
	src []byte
}

// loadCorpus reads every .nix file in the corpus's three directories.
func loadCorpus(t *testing.T) []corpusFile {
	t.Helper()
	var files []corpusFile
	for _, dir := range []string{"accept", "reject", "newer", "stricter"} {
		root := filepath.Join(corpusDir, dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".nix") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(corpusDir, path)
			if err != nil {
				return err
			}
			files = append(files, corpusFile{rel: filepath.ToSlash(rel), dir: dir, src: src})
			return nil
		})
		if err != nil {
			t.Fatalf("reading corpus directory %q: %v", root, err)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no corpus files under %q", corpusDir)
	}
	return files
}

// parseResult is the outcome of one guarded Parse call.
type parseResult struct {
	file  *File
	err   error
	panic any
}

// guardedParse calls Parse, turning a panic or a hang into a result the
// caller can report, so that one bad file doesn't take the others down.
func guardedParse(filename string, src []byte) (parseResult, bool) {
	done := make(chan parseResult, 1)
	go func() {
		var r parseResult
		defer func() {
			if p := recover(); p != nil {
				r.panic = p
			}
			done <- r
		}()
		r.file, r.err = Parse(filename, src)
	}()
	select {
	case r := <-done:
		return r, true
	case <-time.After(parseTimeout):
		return parseResult{}, false
	}
}

// parseOrFail parses src and fails t on a panic or timeout; otherwise it
// returns Parse's results.
func parseOrFail(t *testing.T, filename string, src []byte) (*File, error) {
	t.Helper()
	r, ok := guardedParse(filename, src)
	if !ok {
		t.Fatalf("%s: Parse did not return within %v", filename, parseTimeout)
	}
	if r.panic != nil {
		t.Fatalf("%s: Parse panicked: %v", filename, r.panic)
	}
	return r.file, r.err
}

// checkErrorType reports an error that isn't the ErrorList the API promises.
func checkErrorType(t *testing.T, filename string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Errorf("%s: Parse returned %T (%v), want syntax.ErrorList", filename, err, err)
	}
}

func TestCorpusExpectations(t *testing.T) {
	for _, cf := range loadCorpus(t) {
		t.Run(cf.rel, func(t *testing.T) {
			t.Parallel()
			name := filepath.Join(corpusDir, filepath.FromSlash(cf.rel))
			_, err := parseOrFail(t, name, cf.src)
			checkErrorType(t, name, err)
			switch cf.dir {
			case "accept":
				if err != nil {
					t.Errorf("%s: Nix 2.8 accepts this file, but Parse rejected it: %v", name, err)
				}
			case "newer":
				if err != nil {
					t.Errorf("%s: newer Nix accepts this file and so must pinner, but Parse rejected it: %v", name, err)
				}
			case "reject":
				if err == nil {
					t.Errorf("%s: Nix 2.8 rejects this file, but Parse accepted it", name)
				}
			case "stricter":
				if err == nil {
					t.Errorf("%s: pinner refuses NUL bytes and invalid UTF-8 on purpose, but Parse accepted it", name)
				}
			}
		})
	}
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, cf := range loadCorpus(t) {
		t.Run(cf.rel, func(t *testing.T) {
			t.Parallel()
			name := filepath.Join(corpusDir, filepath.FromSlash(cf.rel))
			f, _ := parseOrFail(t, name, cf.src)
			if f == nil {
				t.Fatalf("%s: Parse returned a nil *File; tokens must be kept even when there are errors", name)
			}
			checkTokensCover(t, name, cf.src, f.Tokens)
		})
	}
}

// checkTokensCover checks that toks tile src exactly: contiguous, in order,
// non-empty, and together covering every byte.
func checkTokensCover(t *testing.T, name string, src []byte, toks []Token) {
	t.Helper()
	var buf bytes.Buffer
	pos := 0
	for i, tok := range toks {
		if tok.Start != pos || tok.End < tok.Start || tok.End > len(src) {
			t.Fatalf("%s: token %d (%v) has span [%d,%d), want it to start at %d (src length %d)",
				name, i, tok.Kind, tok.Start, tok.End, pos, len(src))
		}
		if tok.Start == tok.End {
			t.Errorf("%s: token %d (%v) is empty at offset %d", name, i, tok.Kind, tok.Start)
		}
		buf.Write(src[tok.Start:tok.End])
		pos = tok.End
	}
	if pos != len(src) {
		t.Fatalf("%s: tokens end at offset %d, want %d (the rest is %q)", name, pos, len(src), clip(src[pos:]))
	}
	if !bytes.Equal(buf.Bytes(), src) {
		t.Fatalf("%s: token texts concatenated differ from the input", name)
	}
}

// nixVerdict is what nix-instantiate --parse made of one file.
type nixVerdict struct {
	accepted bool
	message  string // the error message, for rejected files
}

// runNixParse runs `nix-instantiate --parse path` and reports whether Nix
// accepted the file. An error means Nix could not be run at all.
func runNixParse(ctx context.Context, nix, path string) (nixVerdict, error) {
	ctx, cancel := context.WithTimeout(ctx, nixTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nix, "--parse", path)
	// An empty substituters list keeps Nix from reaching for the network.
	cmd.Env = append(os.Environ(), "NIX_CONFIG=substituters =")
	var stderr bytes.Buffer
	cmd.Stdout = nil // the printed AST is of no interest
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nixVerdict{}, fmt.Errorf("running nix-instantiate --parse %q: %w", path, ctx.Err())
	}
	if err == nil {
		return nixVerdict{accepted: true}, nil
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return nixVerdict{}, fmt.Errorf("running nix-instantiate --parse %q: %w", path, err)
	}
	msg := nixMessage(stderr.String())
	if !exitErr.Exited() {
		// Killed by a signal: some Nix 2.x builds crash on a few inputs
		// (nix#6562). A crash is still not an acceptance.
		msg = fmt.Sprintf("nix-instantiate died (%v): %s", exitErr, msg)
	}
	return nixVerdict{accepted: false, message: msg}, nil
}

// nixMessage condenses Nix's stderr to its error line and position, e.g.
// "error: syntax error, unexpected '-' at /x/list.nix:1:5:".
func nixMessage(stderr string) string {
	var parts []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "error:") || strings.HasPrefix(line, "at ") {
			parts = append(parts, line)
		}
		if len(parts) == 2 {
			break
		}
	}
	if len(parts) == 0 {
		return strings.TrimSpace(stderr)
	}
	return strings.Join(parts, " ")
}

// repoRoot walks up from the working directory to the directory holding
// go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getting working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("finding go.mod above the working directory: none found")
		}
		dir = parent
	}
}

// diffFile is one file for the differential test: name is for messages
// and subtest names, path is where to read it.
type diffFile struct {
	name, path string
}

// differentialFiles lists every .nix file under testdata (except the fuzz
// corpus) and under the repository's modules-fixtures directory, if any.
func differentialFiles(t *testing.T) []diffFile {
	t.Helper()
	var files []diffFile
	walk := func(root, skip string, name func(path string) string) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path == skip {
				return fs.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".nix") {
				files = append(files, diffFile{name: name(path), path: path})
			}
			return nil
		})
		if err != nil {
			t.Fatalf("listing .nix files under %q: %v", root, err)
		}
	}
	// testdata/fuzz holds Go fuzz inputs, not .nix files.
	walk("testdata", filepath.Join("testdata", "fuzz"), filepath.ToSlash)
	root := repoRoot(t)
	fixtures := filepath.Join(root, "modules-fixtures")
	if _, err := os.Stat(fixtures); err == nil {
		walk(fixtures, "", func(path string) string {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return filepath.ToSlash(path)
			}
			return filepath.ToSlash(rel)
		})
	}
	slices.SortFunc(files, func(a, b diffFile) int { return strings.Compare(a.name, b.name) })
	return files
}

// inCorpusDir reports whether path lies in the corpus directory dir.
func inCorpusDir(path, dir string) bool {
	rel, err := filepath.Rel(filepath.Join(corpusDir, dir), path)
	return err == nil && !strings.HasPrefix(rel, "..")
}

func TestDifferentialNix(t *testing.T) {
	nix, err := exec.LookPath("nix-instantiate")
	if err != nil {
		t.Skip("nix-instantiate not installed")
	}
	files := differentialFiles(t)
	if len(files) == 0 {
		t.Fatal("no .nix files to compare")
	}
	sem := make(chan struct{}, runtime.NumCPU())
	ctx := t.Context()
	t.Run("files", func(t *testing.T) {
		for _, df := range files {
			path, name := df.path, df.name
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("reading %q: %v", path, err)
				}
				abs, err := filepath.Abs(path)
				if err != nil {
					t.Fatalf("resolving %q: %v", path, err)
				}
				sem <- struct{}{}
				verdict, err := runNixParse(ctx, nix, abs)
				<-sem
				if err != nil {
					t.Fatal(err)
				}
				if inCorpusDir(path, "stricter") {
					// pinner is stricter than Nix here on purpose; the
					// exception is only honest while Nix really accepts.
					if !verdict.accepted {
						t.Errorf("%s: is in stricter/ but nix-instantiate rejects it (%s); move it to reject/", name, verdict.message)
					}
					if _, perr := parseOrFail(t, name, src); perr == nil {
						t.Errorf("%s: pinner must reject NUL bytes and invalid UTF-8", name)
					}
					return
				}
				if inCorpusDir(path, "newer") {
					// The exception below is only honest while Nix 2.8 (or a
					// Nix without pipe-operators enabled) really rejects it.
					if verdict.accepted {
						t.Errorf("%s: is in newer/ but this nix-instantiate accepts it; move it to accept/ or check the Nix version", name)
					}
					return
				}
				_, perr := parseOrFail(t, name, src)
				switch {
				case verdict.accepted && perr != nil:
					t.Errorf("%s: Nix accepts, pinner rejects: %v", name, perr)
				case !verdict.accepted && perr == nil:
					t.Errorf("%s: Nix rejects (%s), pinner accepts", name, verdict.message)
				}
			})
		}
	})
}

// clip shortens b for a message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
