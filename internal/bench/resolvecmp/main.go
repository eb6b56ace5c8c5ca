// Command resolvecmp measures `pinner resolve` against the way people pin
// images by hand: a serial loop of `skopeo inspect`, both against the real
// CNCF distribution registry on a loopback port, in the same run.
//
// It starts `docker-registry serve` with storage in a temporary directory,
// pushes repos × tags random images with go-containerregistry, then times
//
//   - pinner resolve --jobs N over every reference (the median of -runs), and
//   - skopeo inspect --no-tags --tls-verify=false docker://HOST/REPO:TAG for
//     each reference, one after the other,
//
// and reports both times, the ratio, and the manifest requests per distinct
// reference, counted twice: from the registry's access log, and from the
// summary pinner logs at debug level.
//
//	go run ./internal/bench/resolvecmp -pinner bin/pinner
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "pinner binary to measure")
	repos := flag.Int("repos", 20, "repositories to seed")
	tags := flag.Int("tags", 5, "tags per repository")
	jobs := flag.Int("jobs", 16, "pinner resolve --jobs")
	runs := flag.Int("runs", 5, "runs of pinner resolve; the median is reported")
	flag.Parse()
	if err := run(*pinner, *repos, *tags, *jobs, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "resolvecmp:", err)
		os.Exit(1)
	}
}

func run(pinner string, repos, tags, jobs, runs int) error {
	for _, bin := range []string{"docker-registry", "skopeo"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not installed (apt-get install docker-registry skopeo): %w", bin, err)
		}
	}
	if _, err := os.Stat(pinner); err != nil {
		return fmt.Errorf("pinner binary: %w (run make build)", err)
	}
	pinner, _ = filepath.Abs(pinner)
	dir, err := os.MkdirTemp("", "pinner-resolvecmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// First with the access log, to count the manifest requests pinner
	// makes; then, for the timings, without it (the log costs the registry
	// time on every request, for both contenders).
	counter := &manifestCounter{}
	reg, err := registry.RunDistribution(registry.DistributionOptions{Dir: dir, AccessLog: counter})
	if err != nil {
		return err
	}
	defer func() { reg.Stop() }()
	fmt.Printf("registry: docker-registry on %s\n", reg.Host)

	refs, err := seed(reg.Host, repos, tags)
	if err != nil {
		return err
	}
	fmt.Printf("seeded: %d references (%d repositories × %d tags)\n", len(refs), repos, tags)

	ctx := context.Background()
	// pinner runs in an empty directory: no registry.yaml, and loopback
	// registries are reached over plain http.
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		return err
	}
	resolver := func(refs []string) func(extra ...string) ([]byte, error) {
		return func(extra ...string) ([]byte, error) {
			args := append([]string{"resolve", "--jobs", strconv.Itoa(jobs)}, extra...)
			cmd := exec.CommandContext(ctx, pinner, append(args, refs...)...)
			cmd.Dir = work
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("pinner resolve: %w: %s", err, tail(stderr.Bytes()))
			}
			if n := bytes.Count(stdout.Bytes(), []byte("\n")); n != len(refs) {
				return nil, fmt.Errorf("pinner resolve printed %d lines for %d references", n, len(refs))
			}
			return stderr.Bytes(), nil
		}
	}
	pinnerRun := resolver(refs)

	// Requests per reference, from one debug run: the registry's access log
	// and pinner's own summary.
	time.Sleep(200 * time.Millisecond) // let the pushes' log lines drain
	counter.n.Store(0)
	logs, err := pinnerRun("--log-level", "debug")
	if err != nil {
		return err
	}
	time.Sleep(200 * time.Millisecond) // let the access log drain
	seen := counter.n.Load()
	stats := parseStats(logs)

	reg.Stop()
	if reg, err = registry.RunDistribution(registry.DistributionOptions{Dir: dir, Host: reg.Host}); err != nil {
		return err
	}

	fmt.Println("\n== against the distribution registry (docker-registry) ==")
	if err := compare(ctx, pinnerRun, reg.Host, refs, jobs, runs); err != nil {
		return err
	}
	fmt.Printf("manifest requests per distinct reference (registry access log): %.2f (%d for %d; goal: <= 1.1)\n",
		float64(seen)/float64(len(refs)), seen, len(refs))
	if stats != "" {
		fmt.Printf("pinner's own count (--log-level debug): %s\n", stats)
	}

	// The distribution registry spends about a millisecond of CPU on each
	// HEAD, on the same two cores as the clients, which caps any client's
	// ratio near 25x. go-containerregistry's in-memory registry answers in a
	// fraction of that, so the same comparison there shows the clients.
	mem := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	defer mem.Close()
	memHost := strings.TrimPrefix(mem.URL, "http://")
	memRefs, err := seed(memHost, repos, tags)
	if err != nil {
		return err
	}
	fmt.Println("\n== against go-containerregistry's in-memory registry (pkg/registry) ==")
	return compare(ctx, resolver(memRefs), memHost, memRefs, jobs, runs)
}

// compare times pinner resolve (median of runs, after a warm-up) against a
// serial loop of skopeo inspect over the same references, and the bare HEAD
// floor of the registry at host, and prints the figures.
func compare(ctx context.Context, pinnerRun func(...string) ([]byte, error), host string, refs []string, jobs, runs int) error {
	if _, err := pinnerRun(); err != nil {
		return err
	}
	var times []time.Duration
	for range runs {
		start := time.Now()
		if _, err := pinnerRun(); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	tp := times[len(times)/2]

	start := time.Now()
	for _, r := range refs {
		cmd := exec.CommandContext(ctx, "skopeo", "inspect", "--no-tags", "--tls-verify=false", "docker://"+r)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("skopeo inspect %s: %w: %s", r, err, tail(stderr.Bytes()))
		}
	}
	ts := time.Since(start)

	floor, err := headFloor(ctx, host, refs, jobs)
	if err != nil {
		return err
	}
	fmt.Printf("pinner resolve --jobs %d (median of %d): %9.1f ms  (%.2f ms/ref)\n", jobs, runs, ms(tp), ms(tp)/float64(len(refs)))
	fmt.Printf("skopeo inspect, serial loop:          %9.1f ms  (%.2f ms/ref)\n", ms(ts), ms(ts)/float64(len(refs)))
	fmt.Printf("ratio: pinner is %.1fx faster (goal: >= 50x)\n", ts.Seconds()/tp.Seconds())
	fmt.Printf("registry floor: bare HEAD requests from %d keep-alive connections, no process start: %.1f ms\n", jobs, ms(floor))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// headFloor times the manifest HEADs alone, from one process with
// keep-alive connections, jobs at a time: what the registry itself needs,
// the least any client can take.
func headFloor(ctx context.Context, host string, refs []string, jobs int) (time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: jobs}}
	head := func(ref string) error {
		repo, tag, _ := strings.Cut(strings.TrimPrefix(ref, host+"/"), ":")
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, "http://"+host+"/v2/"+repo+"/manifests/"+tag, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HEAD %s: %s", ref, resp.Status)
		}
		return nil
	}
	for _, r := range refs[:min(jobs, len(refs))] { // open the connections
		if err := head(r); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	sem := make(chan struct{}, jobs)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, r := range refs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := head(r); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return time.Since(start), nil
}

var statsRE = regexp.MustCompile(`msg="resolver stats".*`)

func parseStats(logs []byte) string {
	return string(statsRE.Find(logs))
}

// seed pushes one random image per reference.
func seed(host string, repos, tags int) ([]string, error) {
	var refs []string
	for r := range repos {
		for t := range tags {
			refs = append(refs, fmt.Sprintf("%s/bench/app%02d:v1.%d.0", host, r, t))
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for _, ref := range refs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := push(ref)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return refs, nil
}

func push(ref string) error {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err
	}
	img, err := random.Image(512, 1)
	if err != nil {
		return err
	}
	if err := remote.Write(r, img); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	return nil
}

// manifestCounter counts the manifest GET/HEAD lines of the registry's
// access log as it is written.
type manifestCounter struct {
	n       atomic.Int64
	pending []byte
}

var manifestLine = regexp.MustCompile(`"(?:GET|HEAD) /v2/[^ ]+/manifests/[^ ]+ HTTP`)

func (c *manifestCounter) Write(p []byte) (int, error) {
	c.pending = append(c.pending, p...)
	for {
		i := bytes.IndexByte(c.pending, '\n')
		if i < 0 {
			break
		}
		if manifestLine.Match(c.pending[:i]) {
			c.n.Add(1)
		}
		c.pending = c.pending[i+1:]
	}
	return len(p), nil
}
