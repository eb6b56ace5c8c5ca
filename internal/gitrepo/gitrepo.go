// Package gitrepo is the only package that runs git. It reads what git has
// staged for the next commit (the files whose content the commit will
// hold, and that content, from the index rather than the working tree),
// and answers the few questions pinner asks of a repository: the short
// commit of HEAD, whether a directory is in a work tree, whether a file is
// tracked, whether there is a commit yet. git is run directly (never through
// a shell), with file names passed as NUL-separated output and objects
// named by their hash, so no file name is ever parsed as an argument or a
// pattern.
package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Sentinels, matchable with errors.Is.
var (
	// ErrNoGit: git is not installed.
	ErrNoGit = errors.New("git not found")
	// ErrNotRepository: the directory is not inside a git work tree.
	ErrNotRepository = errors.New("not a git repository")
	// ErrTooLarge: a staged blob is larger than the caller allows.
	ErrTooLarge = errors.New("staged file too large")
)

// Blob is one staged file: its path relative to the directory asked
// about, slash-separated as git writes it, and its staged content.
type Blob struct {
	Path string
	Data []byte
}

// Staged returns the files of dir (a directory inside a git work tree, or
// below it) that the index adds or changes against HEAD (added, copied,
// modified, renamed under their new name, or changed type), for which keep
// returns true, with their staged content, sorted by path. Symlinks and
// submodules are left out: their blobs are not file content. A blob over
// max bytes is an error wrapping ErrTooLarge.
func Staged(ctx context.Context, dir string, keep func(path string) bool, max int64) ([]Blob, error) {
	run, err := runner(ctx, dir)
	if err != nil {
		return nil, err
	}
	// Staged against HEAD (or the empty tree before the first commit);
	// --relative keeps to dir and names files relative to it. Without
	// rename detection a renamed or copied file is an addition under its
	// new name, so nothing staged slips by.
	names, err := run(nil, "diff", "--cached", "--name-only", "-z", "--no-renames", "--relative", "--diff-filter=ACMT")
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range strings.Split(string(names), "\x00") {
		if n != "" && keep(n) {
			want[n] = true
		}
	}
	return indexBlobs(run, want, max)
}

// Indexed returns the content the index holds for path (relative to dir,
// slash-separated), and false when the index has no such file.
func Indexed(ctx context.Context, dir, path string, max int64) ([]byte, bool, error) {
	run, err := runner(ctx, dir)
	if err != nil {
		return nil, false, err
	}
	blobs, err := indexBlobs(run, map[string]bool{path: true}, max)
	if err != nil || len(blobs) == 0 {
		return nil, false, err
	}
	return blobs[0].Data, true, nil
}

type runFunc func(stdin io.Reader, args ...string) ([]byte, error)

// runner runs git in dir, its error the first line of git's stderr,
// once it has made sure dir is in a work tree (outside one, git diff
// would compare two paths instead).
func runner(ctx context.Context, dir string) (runFunc, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrNoGit
	}
	run := runFunc(func(stdin io.Reader, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, git, args...)
		cmd.Dir = dir
		cmd.Stdin = stdin
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			msg := strings.TrimSpace(stderr.String())
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			if strings.Contains(msg, "not a git repository") {
				return nil, fmt.Errorf("%w: %s", ErrNotRepository, msg)
			}
			return nil, fmt.Errorf("git %s: %w: %s", args[0], err, msg)
		}
		return stdout.Bytes(), nil
	})
	out, err := run(nil, "rev-parse", "--is-inside-work-tree")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(out)) != "true" {
		return nil, fmt.Errorf("%w: %s is not in a work tree", ErrNotRepository, dir)
	}
	return run, nil
}

// indexBlobs reads the index's regular files among want.
func indexBlobs(run runFunc, want map[string]bool, max int64) ([]Blob, error) {
	if len(want) == 0 {
		return nil, nil
	}
	// The index's entry of each: mode, blob hash, stage, path.
	index, err := run(nil, "ls-files", "--stage", "-z")
	if err != nil {
		return nil, err
	}
	var blobs []Blob
	var hashes []string
	for _, e := range strings.Split(string(index), "\x00") {
		meta, path, ok := strings.Cut(e, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || !want[path] || f[2] != "0" {
			continue
		}
		if f[0] != "100644" && f[0] != "100755" {
			continue // a symlink (120000) or a submodule (160000)
		}
		blobs = append(blobs, Blob{Path: path})
		hashes = append(hashes, f[1])
	}
	if len(blobs) == 0 {
		return nil, nil
	}
	out, err := run(strings.NewReader(strings.Join(hashes, "\n")+"\n"), "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(out))
	for i := range blobs {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("reading staged %q: %w", blobs[i].Path, err)
		}
		f := strings.Fields(header)
		if len(f) != 3 || f[0] != hashes[i] || f[1] != "blob" {
			return nil, fmt.Errorf("reading staged %q: git cat-file answered %q", blobs[i].Path, strings.TrimSpace(header))
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("reading staged %q: git cat-file answered %q", blobs[i].Path, strings.TrimSpace(header))
		}
		if size > max {
			return nil, fmt.Errorf("staged %q: %w: %d bytes, the limit is %d", blobs[i].Path, ErrTooLarge, size, max)
		}
		blobs[i].Data = make([]byte, size)
		if _, err := io.ReadFull(r, blobs[i].Data); err != nil {
			return nil, fmt.Errorf("reading staged %q: %w", blobs[i].Path, err)
		}
		if _, err := r.Discard(1); err != nil { // the newline after each object
			return nil, fmt.Errorf("reading staged %q: %w", blobs[i].Path, err)
		}
	}
	return blobs, nil
}

// gitTimeout bounds the small questions below.
const gitTimeout = 10 * time.Second

// ask runs git in dir with a deadline (never through a shell) and returns
// its trimmed output, its error the first line of git's stderr.
func ask(ctx context.Context, dir string, args ...string) (string, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return "", ErrNoGit
	}
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, git, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// ShortCommit is HEAD's abbreviated commit in dir (git rev-parse --short
// HEAD).
func ShortCommit(ctx context.Context, dir string) (string, error) {
	return ask(ctx, dir, "rev-parse", "--short", "HEAD")
}

// InWorkTree reports whether dir lies in a git work tree.
func InWorkTree(ctx context.Context, dir string) bool {
	out, err := ask(ctx, dir, "rev-parse", "--is-inside-work-tree")
	return err == nil && out == "true"
}

// HasCommit reports whether dir's repository has a HEAD commit.
func HasCommit(ctx context.Context, dir string) bool {
	_, err := ask(ctx, dir, "rev-parse", "--verify", "--quiet", "HEAD")
	return err == nil
}

// Tracks reports whether git tracks file (relative to dir).
func Tracks(ctx context.Context, dir, file string) bool {
	out, err := ask(ctx, dir, "ls-files", "--", file)
	return err == nil && out != ""
}
