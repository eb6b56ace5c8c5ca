// Command parsecmp measures how long `pinner scan` takes to parse a corpus of
// kubenix-like Nix modules against `nix-instantiate --parse` on the same files,
// both allowed two cores, in the same run. It generates the corpus itself
// (deterministically) unless -corpus names an existing directory.
//
//	go run ./internal/bench/parsecmp -pinner bin/pinner
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "pinner binary to measure")
	corpus := flag.String("corpus", "", "directory of .nix files (default: generate one in a temporary directory)")
	files := flag.Int("files", 3000, "number of modules to generate")
	runs := flag.Int("runs", 3, "runs of each command; the median is reported")
	batch := flag.Int("batch", 64, "files per nix-instantiate invocation")
	out := flag.String("generate", "", "only generate the corpus into this directory and exit")
	rssMB := flag.Int("rss-mb", 240, "also measure pinner's peak RSS scanning a generated corpus of about this many MB (0: skip)")
	flag.Parse()
	if *out != "" {
		if err := generate(*out, *files); err != nil {
			fmt.Fprintln(os.Stderr, "parsecmp:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*pinner, *corpus, *files, *runs, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "parsecmp:", err)
		os.Exit(1)
	}
	if *rssMB > 0 {
		if err := peakRSS(*pinner, *rssMB); err != nil {
			fmt.Fprintln(os.Stderr, "parsecmp:", err)
			os.Exit(1)
		}
	}
}

// peakRSS generates a corpus of about mb megabytes and reports the peak
// resident memory of one `pinner scan --json` over it.
func peakRSS(pinner string, mb int) error {
	dir, err := os.MkdirTemp("", "pinner-rss-corpus-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The generated modules average about 4.4 KB.
	if err := generate(dir, mb*1_000_000/4430); err != nil {
		return fmt.Errorf("generating corpus: %w", err)
	}
	paths, size, err := nixFiles(dir)
	if err != nil {
		return err
	}
	cmd := exec.Command(pinner, "scan", "--json", dir)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pinner scan: %w: %s", err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return fmt.Errorf("no resource usage on this platform")
	}
	fmt.Printf("peak RSS of pinner scan --json over %d files, %.0f MB: %.0f MB in %.1f s (goal: < 300 MB)\n",
		len(paths), float64(size)/1e6, float64(ru.Maxrss)/1024, time.Since(start).Seconds())
	return nil
}

func run(pinner, corpus string, n, runs, batch int) error {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		return fmt.Errorf("nix-instantiate not installed (apt-get install nix-bin): %w", err)
	}
	if corpus == "" {
		dir, err := os.MkdirTemp("", "pinner-parse-corpus-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := generate(dir, n); err != nil {
			return fmt.Errorf("generating corpus: %w", err)
		}
		corpus = dir
	}
	paths, size, err := nixFiles(corpus)
	if err != nil {
		return err
	}
	fmt.Printf("corpus: %d files, %.1f MB in %s\n", len(paths), float64(size)/1e6, corpus)

	ctx := context.Background()
	// CPU time (user+sys of the child processes) is measured beside wall
	// time: on a shared machine it is the steadier of the two.
	var cpuPinner, cpuNix time.Duration
	pinnerRun := func() error {
		cmd := exec.CommandContext(ctx, pinner, "scan", "--json", corpus)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = nil, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("pinner scan: %w: %s", err, stderr.String())
		}
		cpuPinner += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return nil
	}
	nixRun := func() error {
		d, err := nixParseAll(ctx, paths, batch, 2)
		cpuNix += d
		return err
	}

	// Warm the page cache and check both accept the corpus before timing.
	if err := pinnerRun(); err != nil {
		return err
	}
	if err := nixRun(); err != nil {
		return err
	}
	cpuPinner, cpuNix = 0, 0
	tp, err := median(runs, pinnerRun)
	if err != nil {
		return err
	}
	tn, err := median(runs, nixRun)
	if err != nil {
		return err
	}
	fmt.Printf("pinner scan (GOMAXPROCS=2):                 %8.1f ms  (%.1f MB/s)\n", ms(tp), float64(size)/1e6/tp.Seconds())
	fmt.Printf("nix-instantiate --parse (2 parallel, %d/call): %8.1f ms  (%.1f MB/s)\n", batch, ms(tn), float64(size)/1e6/tn.Seconds())
	fmt.Printf("ratio (wall): pinner is %.1fx faster\n", tn.Seconds()/tp.Seconds())
	fmt.Printf("CPU per run: pinner %.0f ms, nix-instantiate %.0f ms; ratio (CPU): %.1fx (goal: >= 4x)\n",
		ms(cpuPinner)/float64(runs), ms(cpuNix)/float64(runs), cpuNix.Seconds()/cpuPinner.Seconds())
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(runs int, f func() error) (time.Duration, error) {
	var ds []time.Duration
	for range runs {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}

func nixFiles(dir string) ([]string, int64, error) {
	var paths []string
	var size int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".nix") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		size += info.Size()
		paths = append(paths, p)
		return nil
	})
	return paths, size, err
}

// nixParseAll runs nix-instantiate --parse over paths in batches with the
// given number of parallel workers. Batching spares Nix most of its start-up
// cost, which only makes the comparison harder for pinner.
func nixParseAll(ctx context.Context, paths []string, batch, workers int) (time.Duration, error) {
	work := make(chan []string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var cpu time.Duration
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				cmd := exec.CommandContext(ctx, "nix-instantiate", append([]string{"--parse"}, b...)...)
				cmd.Env = append(os.Environ(), "NIX_CONFIG=substituters =")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Run(); err != nil {
					errs <- fmt.Errorf("nix-instantiate --parse: %w: %s", err, stderr.String())
					return
				}
				mu.Lock()
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				mu.Unlock()
			}
		}()
	}
	var err error
feed:
	for i := 0; i < len(paths); i += batch {
		select {
		case work <- paths[i:min(i+batch, len(paths))]:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return cpu, err
}

// generate writes n kubenix-like modules below dir, spread over a few
// sub-directories as a real repository would be.
func generate(dir string, n int) error {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		sub := filepath.Join(dir, []string{"apps", "backup", "monitoring", "system", "media"}[i%5])
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		name := fmt.Sprintf("%s-%d", words[r.IntN(len(words))], i)
		if err := os.WriteFile(filepath.Join(sub, name+".nix"), module(r, name), 0o644); err != nil {
			return err
		}
	}
	return nil
}

var words = []string{"valoris", "openclaw", "immich", "jellyfin", "grafana", "loki", "postgres", "redis", "qbittorrent", "sonarr", "radarr", "prowlarr", "homepage", "vaultwarden", "paperless", "ntfy", "mealie", "linkding"}

var registries = []string{"ghcr.io/josevictorferreira", "docker.io/bitnami", "quay.io/prometheus", "ghcr.io/onedr0p", "registry.k8s.io"}

func hex64(r *rand.Rand) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for range 64 {
		b.WriteByte(digits[r.IntN(16)])
	}
	return b.String()
}

// module renders one module mixing the constructs real kubenix files use:
// lambdas with formals, let bindings, helm values, lists of containers,
// indented shell scripts with interpolation, lib calls and comments.
func module(r *rand.Rand, name string) []byte {
	var b strings.Builder
	img := fmt.Sprintf("%s/%s", registries[r.IntN(len(registries))], name)
	tag := fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30))
	fmt.Fprintf(&b, `{ kubenix, config, lib, homelab, ... }:

let
  namespace = "%s";
  app = "%s";
  imageTag = "%s";
  image = "%s:${imageTag}@sha256:%s";
  labels = {
    "app.kubernetes.io/name" = app;
    "app.kubernetes.io/part-of" = "homelab";
  };
  # Resources are kept small on the Pi nodes.
  resources = {
    requests = { cpu = "%dm"; memory = "%dMi"; };
    limits.memory = "%dMi";
  };
in
{
  kubernetes.resources.deployments.${app} = {
    metadata = { inherit namespace labels; };
    spec = {
      replicas = %d;
      selector.matchLabels = labels;
      template = {
        metadata.labels = labels;
        spec = {
          containers = [
`, words[r.IntN(len(words))], name, tag, img, hex64(r), 50+r.IntN(500), 64+r.IntN(1024), 128+r.IntN(2048), 1+r.IntN(3))
	for c := range 1 + r.IntN(3) {
		fmt.Fprintf(&b, `            {
              name = "%s-%d";
              inherit image resources;
              imagePullPolicy = "IfNotPresent";
              args = [ "--port" (toString %d) "--log-level=info" ];
              env = [
                { name = "TZ"; value = "America/Sao_Paulo"; }
                { name = "DATABASE_URL"; valueFrom.secretKeyRef = { name = "${app}-db"; key = "url"; }; }
              ] ++ lib.optionals (config.homelab.debug or false) [
                { name = "DEBUG"; value = "1"; }
              ];
              ports = [ { containerPort = %d; name = "http"; } ];
              volumeMounts = [
                { name = "data"; mountPath = "/var/lib/%s"; }
                { name = "config"; mountPath = "/etc/%s/config.yaml"; subPath = "config.yaml"; }
              ];
              livenessProbe.httpGet = { path = "/healthz"; port = "http"; };
            }
`, name, c, 8000+c, 8000+c, name, name)
	}
	fmt.Fprintf(&b, `          ];
          volumes = [
            { name = "data"; persistentVolumeClaim.claimName = "${app}-data"; }
            { name = "config"; configMap.name = "${app}-config"; }
          ];
        };
      };
    };
  };

  kubernetes.resources.configMaps."${app}-config".data."config.yaml" = ''
    server:
      port: %d
      name: ${app}
    storage:
      path: /var/lib/${app}
      retention: %dd
    # a comment inside YAML, with a lone ' and a $ sign
    escaped: ''${NOT_INTERPOLATED}
  '';

  kubernetes.helm.releases."${app}-cache" = {
    chart = kubenix.lib.helm.fetch {
      repo = "https://charts.bitnami.com/bitnami";
      chart = "redis";
      version = "%d.%d.%d";
      sha256 = "sha256-%s=";
    };
    inherit namespace;
    values = {
      image = {
        registry = "docker.io";
        repository = "bitnami/redis";
        tag = "7.%d.%d";
        pullPolicy = "IfNotPresent";
      };
      architecture = "standalone";
      auth.enabled = false;
      master.persistence = {
        enabled = true;
        size = "%dGi";
        storageClass = if config.homelab.fast then "ceph-block-ssd" else "ceph-block";
      };
      metrics.enabled = %t;
    };
  };

  kubernetes.resources.cronJobs."${app}-backup".spec = {
    schedule = "%d %d * * *";
    jobTemplate.spec.template.spec = {
      restartPolicy = "OnFailure";
      containers = [{
        name = "backup";
        image = "ghcr.io/josevictorferreira/backup-toolbox@sha256:%s";
        command = [ "/bin/sh" "-c" ''
          set -euo pipefail
          pg_dump "$DATABASE_URL" | zstd -19 > /backup/${app}-$(date +%%F).sql.zst
          rclone copy /backup remote:${namespace}/${app} --max-age ${toString %d}h
        '' ];
      }];
    };
  };
}
`, 8000+r.IntN(1000), 1+r.IntN(30), 10+r.IntN(10), r.IntN(20), r.IntN(10), hex64(r)[:43], r.IntN(4), r.IntN(10), 1+r.IntN(50), r.IntN(2) == 0, r.IntN(60), r.IntN(24), hex64(r), 24*(1+r.IntN(7)))
	return []byte(b.String())
}
