package registry

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// RequestLog records every request a registry receives, to assert what a
// push uploaded.
type RequestLog struct {
	mu   sync.Mutex
	reqs []string // "METHOD /v2/...?query"
}

// Wrap is a handler wrapper for StartInProcess.
func (l *RequestLog) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.URL.RequestURI())
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Reset forgets the requests so far.
func (l *RequestLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = nil
}

// Requests are the requests so far, in order.
func (l *RequestLog) Requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.reqs...)
}

// BlobUploads are the digests of the blobs whose upload was completed (a
// PUT, or a monolithic POST, with ?digest=), in order.
func (l *RequestLog) BlobUploads() []string {
	var out []string
	for _, r := range l.Requests() {
		method, uri, _ := strings.Cut(r, " ")
		if (method != http.MethodPut && method != http.MethodPost) || !strings.Contains(uri, "/blobs/uploads/") {
			continue
		}
		if _, q, ok := strings.Cut(uri, "digest="); ok {
			d, _, _ := strings.Cut(q, "&")
			out = append(out, strings.ReplaceAll(d, "%3A", ":"))
		}
	}
	return out
}

// Count is the number of requests of method whose path contains part.
func (l *RequestLog) Count(method, part string) int {
	n := 0
	for _, r := range l.Requests() {
		m, uri, _ := strings.Cut(r, " ")
		if m == method && strings.Contains(uri, part) {
			n++
		}
	}
	return n
}

// StartDistributionLogged starts the CNCF distribution registry (see
// StartDistribution) behind a loopback proxy that records every request
// in log, and returns the proxy's host. Unlike the in-process registry,
// distribution keeps blobs per repository, as hosted registries do.
func StartDistributionLogged(t testing.TB, log *RequestLog) string {
	t.Helper()
	backend, _ := StartDistribution(t)
	u, err := url.Parse("http://" + backend)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(log.Wrap(httputil.NewSingleHostReverseProxy(u)))
	t.Cleanup(proxy.Close)
	return strings.TrimPrefix(proxy.URL, "http://")
}
