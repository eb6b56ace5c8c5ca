// Command pushcmp is `make bench-push`: pushing a 1 GiB image that Nix
// built, with pinner and with skopeo, to the CNCF distribution registry on a
// loopback port.
//
// The image (bench-image.nix) is a docker-archive .tar of 4 layers of
// 256 MiB of deterministic pseudo-random bytes (AES-CTR over zeros), so
// compression cannot make the work vanish. Each tool pushes it to a
// registry with fresh storage, so neither benefits from blobs the other
// uploaded:
//
//   - pinner: `pinner update bench` in a directory whose registry.yaml
//     names the image (build: file: bench-image.nix) and one module that
//     uses it: the real command, Nix invocation included (the build itself
//     is cached by then);
//   - skopeo: `skopeo copy docker-archive:OUT docker://HOST/bench:1
//     --dest-tls-verify=false`.
//
// Wall time and peak RSS (wait4's ru_maxrss, from os.ProcessState) are
// reported for each, best of -runs, alternating the tools.
//
// Usage: go run ./internal/bench/pushcmp -pinner bin/pinner [-layers 4 -layer-mib 256 -runs 2]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "the pinner binary")
	layers := flag.Int("layers", 4, "layers in the image")
	layerMiB := flag.Int("layer-mib", 256, "MiB of each layer")
	runs := flag.Int("runs", 2, "runs of each tool (best is reported)")
	flag.Parse()
	if err := run(*pinner, *layers, *layerMiB, *runs); err != nil {
		fmt.Fprintf(os.Stderr, "pushcmp: %v\n", err)
		os.Exit(1)
	}
}

// measurement is one process run.
type measurement struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

func run(pinnerPath string, layers, layerMiB, runs int) error {
	for _, bin := range []string{"nix", "docker-registry", "skopeo", "openssl"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not installed (apt-get install nix-bin docker-registry skopeo openssl): %w", bin, err)
		}
	}
	pinner, err := filepath.Abs(pinnerPath)
	if err != nil {
		return err
	}
	src, err := filepath.Abs(filepath.Join("internal", "bench", "pushcmp"))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "pinner-pushcmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	env := append(os.Environ(), "NIX_CONFIG=substituters =")

	// The image, built once through Nix.
	for _, f := range []string{"bench-image.nix", "bench-image.sh"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("image: %d layers x %d MiB of pseudo-random bytes, docker-archive .tar, built through Nix\n", layers, layerMiB)
	start := time.Now()
	build := exec.Command("nix", "build", "--no-link", "--json", "--extra-experimental-features", "nix-command flakes",
		"-f", filepath.Join(tmp, "bench-image.nix"), "--argstr", "layers", fmt.Sprint(layers), "--argstr", "layerMiB", fmt.Sprint(layerMiB))
	build.Env = env
	var out, errb bytes.Buffer
	build.Stdout, build.Stderr = &out, &errb
	if err := build.Run(); err != nil {
		return fmt.Errorf("nix build: %w\n%s", err, errb.String())
	}
	var built []struct {
		Outputs map[string]string `json:"outputs"`
	}
	if err := json.Unmarshal(out.Bytes(), &built); err != nil || len(built) != 1 {
		return fmt.Errorf("reading nix build --json: %v: %s", err, out.String())
	}
	archive := built[0].Outputs["out"]
	fi, err := os.Stat(archive)
	if err != nil {
		return err
	}
	fmt.Printf("built %s (%.0f MiB) in %.1fs\n", archive, float64(fi.Size())/(1<<20), time.Since(start).Seconds())
	// Warm the page cache for both tools alike.
	if f, err := os.Open(archive); err == nil {
		buf := make([]byte, 1<<20)
		for {
			if _, err := f.Read(buf); err != nil {
				break
			}
		}
		f.Close()
	}

	var best [2]*measurement
	for i := range runs {
		for tool := range 2 {
			dir := filepath.Join(tmp, fmt.Sprintf("run-%d-%d", i, tool))
			reg, err := registry.RunDistribution(registry.DistributionOptions{Dir: dir})
			if err != nil {
				return err
			}
			var m *measurement
			if tool == 0 {
				m, err = pushPinner(pinner, dir, reg.Host, tmp, layers, layerMiB, env)
			} else {
				m, err = measure(exec.Command("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
					"docker-archive:"+archive, "docker://"+reg.Host+"/skopeo/bench:1"), env)
			}
			reg.Stop()
			os.RemoveAll(dir)
			if err != nil {
				return err
			}
			name := [2]string{"pinner", "skopeo"}[tool]
			fmt.Printf("run %d %-6s %6.2fs  max RSS %6.1f MiB\n", i+1, name, m.wall.Seconds(), float64(m.maxRSS)/1024)
			if best[tool] == nil || m.wall < best[tool].wall {
				best[tool] = m
			}
		}
	}
	p, s := best[0], best[1]
	fmt.Printf("\nbest of %d (%d CPUs):\n", runs, runtime.NumCPU())
	fmt.Printf("  pinner update (build cached, push)  %6.2fs  max RSS %6.1f MiB\n", p.wall.Seconds(), float64(p.maxRSS)/1024)
	fmt.Printf("  skopeo copy                          %6.2fs  max RSS %6.1f MiB\n", s.wall.Seconds(), float64(s.maxRSS)/1024)
	fmt.Printf("  pinner/skopeo time: %.2fx (goal <= 0.8x); pinner peak RSS goal < 32 MiB\n", p.wall.Seconds()/s.wall.Seconds())
	return nil
}

// pushPinner prepares a pinner project whose one image is the benchmark's
// and runs `pinner update bench` in it.
func pushPinner(pinner, dir, host, src string, layers, layerMiB int, env []string) (*measurement, error) {
	repo := host + "/pinner/bench"
	cfg := fmt.Sprintf(`version: 1
modules: ["modules/*.nix"]
changelog: ""
images:
  bench:
    repository: %s
    build:
      file: bench-image.nix
      args: {layers: "%d", layerMiB: "%d"}
`, repo, layers, layerMiB)
	for name, content := range map[string]string{
		"registry.yaml":   cfg,
		"modules/app.nix": fmt.Sprintf("{ image = %q; }\n", repo+":1"),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	// The build file must lie below the configuration's directory; the
	// same file gives the same derivation, so Nix builds nothing again.
	for _, f := range []string{"bench-image.nix", "bench-image.sh"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return nil, err
		}
	}
	c := exec.Command(pinner, "update", "bench")
	c.Dir = dir
	m, err := measure(c, env)
	if err != nil {
		return nil, err
	}
	app, _ := os.ReadFile(filepath.Join(dir, "modules", "app.nix"))
	if !strings.Contains(string(app), "@sha256:") {
		return nil, fmt.Errorf("pinner did not pin the module: %s", app)
	}
	return m, nil
}

// measure runs c and reports its wall time and peak RSS.
func measure(c *exec.Cmd, env []string) (*measurement, error) {
	c.Env = env
	var errb bytes.Buffer
	c.Stdout, c.Stderr = &errb, &errb
	start := time.Now()
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", strings.Join(c.Args, " "), err, errb.String())
	}
	m := &measurement{wall: time.Since(start)}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss
	}
	return m, nil
}
