// Command checktime measures `pinner check` as a whole process — start-up,
// parsing, scanning, output — on a tree of about 150 kubenix modules made by
// replicating modules-fixtures, the way a pre-commit hook runs it. In the same
// run it times a grep for image-looking lines over the same tree, the kind of
// script pinner replaces, as the baseline.
//
//	go run ./internal/bench/checktime -pinner bin/pinner
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pinner-dev/pinner/internal/bench/wall"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "pinner binary to measure")
	fixtures := flag.String("fixtures", "modules-fixtures/modules/kubenix", "modules to replicate")
	want := flag.Int("files", 150, "files in the generated tree (at least)")
	runs := flag.Int("runs", 30, "runs of each command")
	flag.Parse()
	if err := run(*pinner, *fixtures, *want, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "checktime:", err)
		os.Exit(1)
	}
}

func run(pinner, fixtures string, want, runs int) error {
	var src []string
	err := filepath.WalkDir(fixtures, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".nix") {
			src = append(src, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	if len(src) == 0 {
		return fmt.Errorf("no .nix files below %s", fixtures)
	}
	dir, err := os.MkdirTemp("", "pinner-checktime-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, size := 0, 0
	for copyNo := 0; n < want; copyNo++ {
		for _, p := range src {
			rel, _ := filepath.Rel(fixtures, p)
			dst := filepath.Join(dir, "modules", "kubenix", fmt.Sprintf("copy%02d", copyNo), rel)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				return err
			}
			n++
			size += len(b)
		}
	}
	fmt.Printf("tree: %d files, %.0f KB\n", n, float64(size)/1e3)

	check := []string{pinner, "--chdir", dir, "check"}
	grep := []string{"grep", "-rEn", `(image|repository|repo|tag|digest)[A-Za-z]* *=`, filepath.Join(dir, "modules")}
	tc, err := wall.Runs(runs, check)
	if err != nil {
		return err
	}
	tg, err := wall.Runs(runs, grep)
	if err != nil {
		return err
	}
	report := func(name string, ds []time.Duration) {
		fmt.Printf("%-40s median %6.2f ms   p90 %6.2f ms\n", name, wall.Ms(ds[len(ds)/2]), wall.Ms(ds[len(ds)*9/10]))
	}
	report("pinner check (whole process)", tc)
	report("baseline: grep -rEn image-like lines", tg)
	fmt.Printf("pinner check / grep: %.1fx; goal: median under 20 ms (%.0f%% of it)\n",
		wall.Ms(tc[len(tc)/2])/wall.Ms(tg[len(tg)/2]), wall.Ms(tc[len(tc)/2])/20*100)
	return nil
}
