package oci

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// tlsSpotter is a listener that notices a TLS handshake: the first byte
// a TLS client sends is 0x16 (a handshake record).
type tlsSpotter struct {
	net.Listener
	tls atomic.Int64
}

func (l *tlsSpotter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &spottedConn{Conn: c, l: l}, nil
}

type spottedConn struct {
	net.Conn
	l    *tlsSpotter
	once sync.Once
}

func (c *spottedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.once.Do(func() {
			if b[0] == 0x16 {
				c.l.tls.Add(1)
			}
		})
	}
	return n, err
}

// TestHTTPMirrorNeverHTTPS: a mirror given as http:// is asked over http
// only, pings included (go-containerregistry tried https first), and a
// mirror that is down is reported without an https URL.
func TestHTTPMirrorNeverHTTPS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	spot := &tlsSpotter{Listener: ln}
	srv := httptest.NewUnstartedServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	srv.Listener = spot
	srv.Start()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	want := registry.PushRandom(t, host+"/ghcr.io/x/y:1", false)
	spot.tls.Store(0) // the push above is not pinner's

	r, err := NewResolver(WithMirrors(map[string]string{"ghcr.io": "http://" + host + "/ghcr.io"}), WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if res := r.ResolveOne(context.Background(), "ghcr.io/x/y:1"); res.Err != nil || res.Digest != want {
		t.Fatalf("resolved %q, %v; want %s", res.Digest, res.Err, want)
	}
	if tags, err := r.Tags(context.Background(), "ghcr.io/x/y"); err != nil || len(tags) != 1 {
		t.Fatalf("tags %v, %v", tags, err)
	}
	if n := spot.tls.Load(); n != 0 {
		t.Errorf("%d TLS handshake(s) sent to an http:// mirror", n)
	}

	srv.Close()
	r, err = NewResolver(WithMirrors(map[string]string{"ghcr.io": "http://" + host + "/ghcr.io"}), WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	res := r.ResolveOne(context.Background(), "ghcr.io/x/y:1")
	if res.Err == nil || strings.Contains(res.Err.Error(), "https://") {
		t.Errorf("a mirror that is down: %v", res.Err)
	}
}

// TestUnreachableHostReportedOnce: a registry that does not answer is one
// error line for all its references and repositories, whether or not it
// was given up on (a closed port gave one line per reference).
func TestUnreachableHostReportedOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	up, _ := registry.StartInProcess(t)
	want := registry.PushRandom(t, up+"/quay.io/x/ok:1", false)
	mirrors := map[string]string{"ghcr.io": "http://" + closed + "/ghcr", "quay.io": "http://" + up + "/quay.io"}
	for _, attempts := range []int{1, 5, 20} { // given up on at once, or not yet
		r, err := NewResolver(WithMirrors(mirrors), WithRetry(attempts, time.Millisecond, time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Resolve(context.Background(), []string{"ghcr.io/x/a:1", "ghcr.io/x/b:1", "ghcr.io/x/c:1", "ghcr.io/x/d:1", "quay.io/x/ok:1"})
		msg := fmt.Sprint(err)
		if res[4].Digest != want || strings.Count(msg, "\n") != 0 || strings.Count(msg, "connection refused") != 1 ||
			!strings.Contains(msg, `resolving "ghcr.io/x/a:1", "ghcr.io/x/b:1", "ghcr.io/x/c:1" and 1 more: registry host `+closed+": dial tcp "+closed) {
			t.Errorf("attempts %d: resolve: %s", attempts, msg)
		}

		var errs []error
		for _, repo := range []string{"ghcr.io/x/a", "ghcr.io/x/b", "ghcr.io/x/c", "ghcr.io/x/d", "quay.io/x/ok", "quay.io/x/missing"} {
			if _, err := r.Tags(context.Background(), repo); err != nil {
				errs = append(errs, err)
			}
		}
		msg = fmt.Sprint(JoinByHost(errs))
		lines := strings.Split(msg, "\n")
		if len(lines) != 2 || strings.Count(msg, "connection refused") != 1 ||
			!strings.HasPrefix(lines[0], "listing tags of x/a, x/b, x/c and 1 more: registry ghcr.io (mirror "+closed+") did not answer: dial tcp "+closed) ||
			!strings.Contains(lines[1], "x/missing") {
			t.Errorf("attempts %d: tags:\n%s", attempts, msg)
		}
	}
}
