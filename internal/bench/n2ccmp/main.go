// Command n2ccmp is `make bench-n2c`: pushing a 1 GiB nix2container image
// (image.json, several layers) with pinner, against skopeo copying the same
// content as a docker-archive, each to the CNCF distribution registry on a
// loopback port with fresh storage.
//
// The image (bench-n2c.nix) is built once through Nix with the real
// nix2container binary: -layers store paths of -layer-mib MiB of
// deterministic pseudo-random bytes, one layer each. The docker-archive
// holds the very same layer tars and config blob (written from the
// image.json by package nix2container, outside the timing), so both tools
// push the same bytes:
//
//   - pinner: `pinner update bench` in a directory whose registry.yaml
//     names the image (build: file: bench-n2c.nix) and one module that
//     uses it; the Nix build is cached by then, so this is Nix's
//     evaluation, the tars streamed from the store and the upload. Then the
//     same command again against the same registry (no lock, so the image
//     is loaded again): every layer is there, nothing is tarred;
//   - skopeo: `skopeo copy docker-archive:OUT docker://HOST/bench:1`, as
//     skopeo pushes by default (it gzips the uncompressed layers).
//
// Wall time and peak RSS (wait4's ru_maxrss) are reported for each, best of
// -runs, alternating the tools, and their ratios.
//
// Usage: go run ./internal/bench/n2ccmp -pinner bin/pinner [-layers 4 -layer-mib 256 -runs 2 -n2c DIR]
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pinner-dev/pinner/internal/nix2container"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "the pinner binary")
	layers := flag.Int("layers", 4, "layers in the image")
	layerMiB := flag.Int("layer-mib", 256, "MiB of each layer")
	runs := flag.Int("runs", 2, "runs of each tool (best is reported)")
	n2c := flag.String("n2c", filepath.Join("..", "shared", "tools", "nix2container"), "the directory of the nix2container binary and n2c.nix")
	flag.Parse()
	if err := run(*pinner, *n2c, *layers, *layerMiB, *runs); err != nil {
		fmt.Fprintf(os.Stderr, "n2ccmp: %v\n", err)
		os.Exit(1)
	}
}

type measurement struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

func (m *measurement) String() string {
	return fmt.Sprintf("%6.2fs  max RSS %6.1f MiB", m.wall.Seconds(), float64(m.maxRSS)/1024)
}

type bench struct {
	pinner, bin, recipe, src, tmp string
	layers, layerMiB              int
	env                           []string
}

func run(pinnerPath, n2cDir string, layers, layerMiB, runs int) error {
	for _, c := range []string{"nix", "docker-registry", "skopeo", "openssl", "jq"} {
		if _, err := exec.LookPath(c); err != nil {
			return fmt.Errorf("%s not installed (apt-get install nix-bin docker-registry skopeo openssl jq): %w", c, err)
		}
	}
	b := &bench{layers: layers, layerMiB: layerMiB, env: append(os.Environ(), "NIX_CONFIG=substituters =")}
	var err error
	if b.pinner, err = filepath.Abs(pinnerPath); err != nil {
		return err
	}
	dir, err := filepath.Abs(n2cDir)
	if err != nil {
		return err
	}
	b.bin, b.recipe = filepath.Join(dir, "nix2container"), filepath.Join(dir, "n2c.nix")
	for _, f := range []string{b.bin, b.recipe} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("nix2container: %w (set -n2c)", err)
		}
	}
	if b.src, err = filepath.Abs(filepath.Join("internal", "bench", "n2ccmp", "bench-n2c.nix")); err != nil {
		return err
	}
	if b.tmp, err = os.MkdirTemp("", "pinner-n2ccmp-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.tmp)

	fmt.Printf("image: nix2container image.json, %d layers x %d MiB of pseudo-random bytes, built through Nix\n", layers, layerMiB)
	start := time.Now()
	imageJSON, err := b.build()
	if err != nil {
		return err
	}
	fmt.Printf("built %s in %.1fs\n", imageJSON, time.Since(start).Seconds())
	archive := filepath.Join(b.tmp, "bench.tar")
	if err := dockerArchive(imageJSON, archive); err != nil {
		return fmt.Errorf("writing the docker-archive: %w", err)
	}
	fi, err := os.Stat(archive)
	if err != nil {
		return err
	}
	fmt.Printf("docker-archive of the same layers: %.0f MiB\n", float64(fi.Size())/(1<<20))
	warm(archive)

	var cold, again, skopeo *measurement
	better := func(best **measurement, m *measurement) {
		if *best == nil || m.wall < (*best).wall {
			*best = m
		}
	}
	for i := range runs {
		for tool := range 2 {
			dir := filepath.Join(b.tmp, fmt.Sprintf("run-%d-%d", i, tool))
			reg, err := registry.RunDistribution(registry.DistributionOptions{Dir: filepath.Join(dir, "registry")})
			if err != nil {
				return err
			}
			if tool == 0 {
				var m1, m2 *measurement
				m1, err = b.pushPinner(dir, reg.Host)
				if err == nil {
					m2, err = b.pushPinner(dir, reg.Host)
				}
				if err == nil {
					fmt.Printf("run %d pinner        %s\nrun %d pinner again  %s\n", i+1, m1, i+1, m2)
					better(&cold, m1)
					better(&again, m2)
				}
			} else {
				var m *measurement
				m, err = measure(exec.Command("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
					"docker-archive:"+archive, "docker://"+reg.Host+"/skopeo/bench:1"), b.env)
				if err == nil {
					fmt.Printf("run %d skopeo        %s\n", i+1, m)
					better(&skopeo, m)
				}
			}
			reg.Stop()
			os.RemoveAll(dir)
			if err != nil {
				return err
			}
		}
	}
	fmt.Printf("\nbest of %d (%d CPUs):\n", runs, runtime.NumCPU())
	fmt.Printf("  pinner update (image.json, empty registry)  %s\n", cold)
	fmt.Printf("  pinner update again (every layer there)     %s\n", again)
	fmt.Printf("  skopeo copy docker-archive:                 %s\n", skopeo)
	fmt.Printf("  pinner/skopeo: time %.2fx, peak RSS %.2fx; again/skopeo time %.3fx\n",
		cold.wall.Seconds()/skopeo.wall.Seconds(), float64(cold.maxRSS)/float64(skopeo.maxRSS), again.wall.Seconds()/skopeo.wall.Seconds())
	return nil
}

func (b *bench) args() []string {
	return []string{"--arg", "n2c", b.recipe, "--argstr", "bin", b.bin,
		"--argstr", "layers", fmt.Sprint(b.layers), "--argstr", "layerMiB", fmt.Sprint(b.layerMiB)}
}

// build builds the image.json once, so that pinner's runs find it built.
func (b *bench) build() (string, error) {
	c := exec.Command("nix-build", append([]string{b.src, "--no-out-link"}, b.args()...)...)
	c.Env = b.env
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("nix-build: %w\n%s", err, errb.String())
	}
	return strings.TrimSpace(out.String()), nil
}

// pushPinner runs `pinner update bench` in dir (written the first time).
func (b *bench) pushPinner(dir, host string) (*measurement, error) {
	repo := host + "/pinner/bench"
	cfg := fmt.Sprintf(`version: 1
modules: ["modules/*.nix"]
changelog: ""
lock: ""
images:
  bench:
    repository: %s
    tag: "1"
    build:
      file: bench-n2c.nix
      args: {n2c: %q, bin: %q, layers: "%d", layerMiB: "%d"}
`, repo, b.recipe, b.bin, b.layers, b.layerMiB)
	nixFile, err := os.ReadFile(b.src)
	if err != nil {
		return nil, err
	}
	for name, content := range map[string]string{
		"registry.yaml":   cfg,
		"modules/app.nix": fmt.Sprintf("{ image = %q; }\n", repo+":1"),
		"bench-n2c.nix":   string(nixFile),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	c := exec.Command(b.pinner, "update", "bench")
	c.Dir = dir
	m, err := measure(c, b.env)
	if err != nil {
		return nil, err
	}
	app, _ := os.ReadFile(filepath.Join(dir, "modules", "app.nix"))
	if !strings.Contains(string(app), "@sha256:") {
		return nil, fmt.Errorf("pinner did not pin the module: %s", app)
	}
	return m, nil
}

// dockerArchive writes the image.json's image as a docker-archive: the
// same config blob and layer tars pinner pushes.
func dockerArchive(imageJSON, out string) error {
	img, err := nix2container.Read(imageJSON)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigBlob(nil)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	add := func(name string, size int64, write func(io.Writer) error) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		return write(tw)
	}
	sum := sha256.Sum256(cfg)
	cfgName := hex.EncodeToString(sum[:]) + ".json"
	if err := add(cfgName, int64(len(cfg)), func(w io.Writer) error { _, err := w.Write(cfg); return err }); err != nil {
		return err
	}
	var layerNames []string
	for _, l := range img.Layers {
		name := strings.TrimPrefix(l.Digest, "sha256:") + "/layer.tar"
		if err := add(name, l.Size, func(w io.Writer) error { return nix2container.WriteTar(w, l.Paths) }); err != nil {
			return fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		layerNames = append(layerNames, name)
	}
	manifest, err := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{"pinner-bench:1"}, "Layers": layerNames}})
	if err != nil {
		return err
	}
	if err := add("manifest.json", int64(len(manifest)), func(w io.Writer) error { _, err := w.Write(manifest); return err }); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// warm reads a file once so that both tools find it in the page cache.
func warm(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	io.Copy(io.Discard, f)
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
