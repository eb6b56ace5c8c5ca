package registry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// distributionConfig is a minimal CNCF distribution (v2) configuration:
// filesystem storage, no auth, loopback only, quiet unless the access log is
// asked for.
const distributionConfig = `version: 0.1
log:
  level: error
  accesslog:
    disabled: %t
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: true
http:
  addr: %q
`

// DistributionOptions says how RunDistribution starts the registry.
type DistributionOptions struct {
	// Dir holds the configuration and the storage.
	Dir string
	// Host is the address to listen on; "" picks a free loopback port.
	Host string
	// AccessLog, when set, receives the registry's output with its access
	// log switched on (one line per request).
	AccessLog io.Writer
}

// StartDistribution runs the CNCF distribution registry (`docker-registry
// serve CONFIG`) on a free loopback port with storage in t.TempDir(), waits
// until /v2/ answers, and stops it in t.Cleanup. It returns the host
// ("127.0.0.1:PORT") and a handle whose Stop ends it early. The test is
// skipped only when docker-registry is not installed; any other failure to
// start fails the test.
func StartDistribution(t testing.TB) (string, *Server) {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		t.Skip("docker-registry not installed")
	}
	dir := t.TempDir()
	var lastErr error
	// Another process may take the port between choosing and binding it;
	// a fresh port usually fixes that.
	for range 3 {
		host, s, err := startDistribution(bin, dir)
		if err == nil {
			t.Cleanup(s.Stop)
			return host, s
		}
		lastErr = err
	}
	t.Fatalf("starting docker-registry: %v", lastErr)
	return "", nil
}

func startDistribution(bin, dir string) (string, *Server, error) {
	s, err := runDistribution(bin, DistributionOptions{Dir: dir})
	if err != nil {
		return "", nil, err
	}
	return s.Host, s, nil
}

// RunDistribution starts the CNCF distribution registry (`docker-registry
// serve CONFIG`) outside any test, as the benchmark drivers need, and waits
// until /v2/ answers. The caller stops it with Stop.
func RunDistribution(opts DistributionOptions) (*Server, error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return nil, fmt.Errorf("docker-registry not installed (apt-get install docker-registry): %w", err)
	}
	return runDistribution(bin, opts)
}

func runDistribution(bin string, opts DistributionOptions) (*Server, error) {
	host := opts.Host
	if host == "" {
		var err error
		if host, err = freeLoopbackAddr(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	storage := filepath.Join(opts.Dir, "storage-"+filepath.Base(host))
	cfg := filepath.Join(opts.Dir, "config-"+filepath.Base(host)+".yml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, distributionConfig, opts.AccessLog == nil, storage, host), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", cfg)
	var output lockedBuffer
	var out io.Writer = &output
	if opts.AccessLog != nil {
		out = io.MultiWriter(&output, opts.AccessLog)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s := &Server{Host: host, stop: func() {
		_ = cmd.Process.Kill()
		<-exited
	}}
	if err := waitReady(host, exited); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w; output: %s", err, output.tail(2048))
	}
	return s, nil
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(host string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/v2/", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("docker-registry exited before answering on %s", host)
		case <-ctx.Done():
			return fmt.Errorf("docker-registry did not answer on %s within 15s", host)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// lockedBuffer collects the child's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
