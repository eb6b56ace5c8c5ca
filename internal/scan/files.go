package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// Files scans paths: files as given, directories for every *.nix file below
// them (files whose names start with "_" included; they are disabled
// modules, still deployed by hand). Files are parsed and scanned by up to
// jobs goroutines (jobs < 1 means one).
//
// sites are sorted by file and offset; errs holds the syntax errors of the
// files that failed to parse, sorted. A file with syntax errors is still
// scanned as far as it parsed. err reports a file that could not be read.
func Files(ctx context.Context, paths []string, jobs int) (sites []Site, errs syntax.ErrorList, err error) {
	files, err := collect(paths)
	if err != nil {
		return nil, nil, err
	}
	var perFile [][]Site
	n := 0
	err = Stream(ctx, files, jobs, func(fs FileSites) error {
		perFile = append(perFile, fs.Sites)
		n += len(fs.Sites)
		errs = append(errs, fs.Errors...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sites = make([]Site, 0, n)
	for _, fs := range perFile {
		base := len(sites)
		sites = append(sites, fs...)
		// DerivedFrom points into the file's own slice; move it to the
		// merged one.
		for j := base; j < len(sites); j++ {
			if d := sites[j].DerivedFrom; d != nil {
				for k := range fs {
					if &fs[k] == d {
						sites[j].DerivedFrom = &sites[base+k]
						break
					}
				}
			}
		}
	}
	errs.Sort()
	return sites, errs, nil
}

// FileSites is what Stream reports of one file: its sites in source
// order, and its syntax errors.
type FileSites struct {
	Name   string
	Sites  []Site
	Errors syntax.ErrorList
}

// Stream scans files, as given, with up to jobs goroutines (jobs < 1 means
// one), and calls fn with each file's sites in the order of files, one
// call at a time. Only a few files are held at once, whatever the size of
// the tree: a worker waits while the files before its own are not yet
// handed to fn. An error of fn, or a file that cannot be read, stops the
// scan and is returned.
func Stream(parent context.Context, files []string, jobs int, fn func(FileSites) error) error {
	if len(files) == 0 {
		return parent.Err()
	}
	jobs = min(max(jobs, 1), len(files))
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	// window bounds the files scanned but not yet handed to fn.
	window := make(chan struct{}, 4*jobs)
	results := make([]chan FileSites, len(files))
	for i := range results {
		results[i] = make(chan FileSites, 1)
	}
	refs := &refCache{}
	var (
		next     atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		cancel()
	}
	// A fixed pool of workers takes the files in order: each worker's stack
	// grows once for the parser's recursion and is reused for every file,
	// instead of a fresh goroutine per file growing its own.
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each file's tree is dropped once scanned (sites hold none of
			// it), so the next file's tree can take its memory.
			var arena syntax.Arena
			var mem evalMem
			for {
				select {
				case window <- struct{}{}:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					<-window
					return
				}
				name := files[i]
				src, err := os.ReadFile(name)
				if err != nil {
					fail(fmt.Errorf("reading %q: %w", name, err))
					return
				}
				// src is ours and never modified: the tree may alias it.
				// The scan needs the tokens only for rare directives.
				arena.Reset()
				r := FileSites{Name: name}
				f, err := arena.Parse(name, src, syntax.SkipTokens|syntax.ShareSource)
				if err != nil {
					if !errors.As(err, &r.Errors) {
						fail(fmt.Errorf("parsing %q: %w", name, err))
						return
					}
				}
				if f != nil {
					r.Sites = file(f, refs, &mem)
				}
				results[i] <- r
			}
		}()
	}
	var err error
	for i := range files {
		select {
		case r := <-results[i]:
			<-window
			if err = fn(r); err != nil {
				fail(err)
			}
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	cancel()
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return parent.Err()
}

// Collect is the list of files Files would scan for paths: files as
// given, and every *.nix file below each directory (hidden directories
// skipped), sorted and without duplicates.
func Collect(paths []string) ([]string, error) { return collect(paths) }

// collect expands paths into a sorted, duplicate-free list of files.
func collect(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	add := func(p string) {
		c := filepath.Clean(p)
		if !seen[c] {
			seen[c] = true
			files = append(files, c)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("scanning %q: %w", p, err)
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				// Hidden directories (.git, .direnv) hold no modules.
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), ".nix") {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scanning %q: %w", p, err)
		}
	}
	slices.SortFunc(files, func(a, b string) int { return cmp.Compare(a, b) })
	return files, nil
}
