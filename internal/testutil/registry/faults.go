package registry

import (
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// Faults is an http.Handler wrapper that misbehaves on manifest reads (GET
// and HEAD of /v2/<repo>/manifests/<ref>) and counts them, and, when asked,
// on blob uploads (ResetUploads, FailUploads) and on every request
// (Latency). Everything else passes through untouched. Faults can be changed while the
// server runs; configure them after pushing.
type Faults struct {
	mu             sync.Mutex
	failStatus     int
	failLeft       int
	rateLeft       int
	retryAfter     string
	hang           bool
	wrongDigest    bool
	dropHeadDigest bool
	headDigest     string
	bodyType       string
	body           string
	counts         map[string]int
	release        chan struct{}
	released       bool

	// Upload faults (PATCH and PUT of /v2/<repo>/blobs/uploads/...).
	resetUploads  int
	uploadStatus  int
	failUploads   int
	uploads       int
	faultedUpload int
	// Latency delays every request.
	latency time.Duration
}

// NewFaults returns a Faults that injects nothing yet.
func NewFaults() *Faults {
	return &Faults{counts: map[string]int{}, release: make(chan struct{})}
}

// FailN answers the next n manifest reads with status.
func (f *Faults) FailN(status, n int) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failStatus, f.failLeft = status, n
	return f
}

// RateLimit answers the next n manifest reads with 429 and the given
// Retry-After value ("" sends none).
func (f *Faults) RateLimit(n int, retryAfter string) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rateLeft, f.retryAfter = n, retryAfter
	return f
}

// Hang makes manifest reads never answer, until the client gives up or
// Release is called.
func (f *Faults) Hang() *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hang = true
	return f
}

// Release frees hung requests and stops hanging.
func (f *Faults) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hang = false
	if !f.released {
		close(f.release)
		f.released = true
	}
}

// WrongDigest makes manifest GETs claim a Docker-Content-Digest that is not
// the digest of the bytes served.
func (f *Faults) WrongDigest() *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wrongDigest = true
	return f
}

// DropHeadDigest removes Docker-Content-Digest from HEAD answers, which
// makes well-behaved clients fall back to GET.
func (f *Faults) DropHeadDigest() *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropHeadDigest = true
	return f
}

// ServeBody makes every manifest read answer 200 with the given Content-Type
// and body (HEAD: the headers only), and no Docker-Content-Digest: a
// captive portal or a web UI at the registry's URL.
func (f *Faults) ServeBody(contentType, body string) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodyType, f.body = contentType, body
	return f
}

// HeadDigest makes HEAD answers claim digest d, whatever the manifest is.
func (f *Faults) HeadDigest(d string) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.headDigest = d
	return f
}

// ResetUploads makes the next n blob upload requests (PATCH or PUT of
// /v2/<repo>/blobs/uploads/...) fail mid-request: the server reads part of
// the body, then resets the TCP connection.
func (f *Faults) ResetUploads(n int) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resetUploads = n
	return f
}

// FailUploads answers the next n blob upload requests with status.
func (f *Faults) FailUploads(status, n int) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploadStatus, f.failUploads = status, n
	return f
}

// Uploads is the number of blob upload requests (PATCH and PUT) seen, and
// how many of them were faulted.
func (f *Faults) Uploads() (total, faulted int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploads, f.faultedUpload
}

// Latency delays every request by d before it is handled, so that a run
// takes long enough to be interrupted at many points.
func (f *Faults) Latency(d time.Duration) *Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
	return f
}

// Count is the number of manifest reads with the given method ("GET" or
// "HEAD") seen so far, faulted ones included.
func (f *Faults) Count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[method]
}

// Total is the number of manifest reads seen so far.
func (f *Faults) Total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.counts {
		n += c
	}
	return n
}

// Reset zeroes the counters.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.counts)
}

// Wrap is the handler wrapper to give StartInProcess.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		latency := f.latency
		f.mu.Unlock()
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		if (r.Method == http.MethodPatch || r.Method == http.MethodPut) && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			if f.uploadFault(w, r) {
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) ||
			!strings.HasPrefix(r.URL.Path, "/v2/") || !strings.Contains(r.URL.Path, "/manifests/") {
			next.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		f.counts[r.Method]++
		hang, release := f.hang, f.release
		var status int
		retryAfter := ""
		switch {
		case hang:
		case f.failLeft > 0:
			f.failLeft--
			status = f.failStatus
		case f.rateLeft > 0:
			f.rateLeft--
			status, retryAfter = http.StatusTooManyRequests, f.retryAfter
		}
		wrong := f.wrongDigest && r.Method == http.MethodGet
		drop := f.dropHeadDigest && r.Method == http.MethodHead
		var headDigest string
		if r.Method == http.MethodHead {
			headDigest = f.headDigest
		}
		bodyType, body := f.bodyType, f.body
		f.mu.Unlock()

		switch {
		case hang:
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		case status != 0:
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			return
		case bodyType != "" || body != "":
			w.Header().Set("Content-Type", bodyType)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodGet {
				io.WriteString(w, body)
			}
			return
		}
		if headDigest != "" {
			w = &headerRewriter{ResponseWriter: w, rewrite: func(h http.Header) {
				if h.Get("Docker-Content-Digest") != "" {
					h.Set("Docker-Content-Digest", headDigest)
				}
			}}
		}
		if wrong || drop {
			w = &headerRewriter{ResponseWriter: w, rewrite: func(h http.Header) {
				if drop {
					h.Del("Docker-Content-Digest")
				}
				if wrong && h.Get("Docker-Content-Digest") != "" {
					h.Set("Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64))
				}
			}}
		}
		next.ServeHTTP(w, r)
	})
}

// uploadFault applies the upload faults to r and reports whether it
// answered (or dropped) the request.
func (f *Faults) uploadFault(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	f.uploads++
	reset, status := false, 0
	switch {
	case f.resetUploads > 0:
		f.resetUploads--
		reset = true
	case f.failUploads > 0:
		f.failUploads--
		status = f.uploadStatus
	}
	if reset || status != 0 {
		f.faultedUpload++
	}
	f.mu.Unlock()
	switch {
	case reset:
		// Take some of the body, so the client is mid-upload, then send
		// a TCP RST rather than a clean close.
		_, _ = io.CopyN(io.Discard, r.Body, 64)
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("registry: the server does not support hijacking")
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			return true
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
		return true
	case status != 0:
		w.WriteHeader(status)
		return true
	}
	return false
}

// headerRewriter edits the headers just before they are sent.
type headerRewriter struct {
	http.ResponseWriter
	rewrite func(http.Header)
	done    bool
}

func (h *headerRewriter) WriteHeader(code int) {
	if !h.done {
		h.done = true
		h.rewrite(h.Header())
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerRewriter) Write(b []byte) (int, error) {
	if !h.done {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// BearerAuth is an http.Handler wrapper that puts a registry behind a
// bearer-token handshake like ghcr.io's: /v2/ requests without the token get
// 401 with a Bearer challenge whose realm is /token on the same server,
// and /token hands out Token for Basic User:Password. It counts token
// requests so tests can check that tokens are reused.
type BearerAuth struct {
	User, Password, Token string

	mu       sync.Mutex
	required bool
	echo     bool
	tokens   int
}

// Echo makes the registry repeat the credentials it got in its error
// bodies, as some proxies print the headers they refused: a refused token
// exchange quotes its Authorization header, and every manifest read with
// a valid token is refused with 403, quoting the token (HEAD gets 405, so
// clients ask again with a GET, which has a body).
func (a *BearerAuth) Echo(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.echo = on
}

// echoBody is an error body that quotes the request's Authorization header
// in its message and, decoded when basic, in its detail.
func echoBody(code string, r *http.Request) string {
	h := r.Header.Get("Authorization")
	detail := map[string]any{"headers": map[string][]string{"Authorization": {h}}}
	if u, p, ok := r.BasicAuth(); ok {
		detail["user"], detail["password"] = u, p
	}
	b, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"code": code, "message": "refused request with Authorization: " + h, "detail": detail,
	}}})
	return string(b)
}

// Require turns the check on or off (it starts off, so images can be pushed
// anonymously first).
func (a *BearerAuth) Require(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.required = on
}

// TokenRequests is the number of successful token exchanges.
func (a *BearerAuth) TokenRequests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokens
}

// Wrap is the handler wrapper to give StartInProcess.
func (a *BearerAuth) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		required, echo := a.required, a.echo
		a.mu.Unlock()
		if r.URL.Path == "/token" {
			u, p, ok := r.BasicAuth()
			if !ok || u != a.User || p != a.Password {
				body := `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`
				if echo {
					body = echoBody("UNAUTHORIZED", r)
				}
				http.Error(w, body, http.StatusUnauthorized)
				return
			}
			a.mu.Lock()
			a.tokens++
			a.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"token":`+strconv.Quote(a.Token)+`}`)
			return
		}
		if required && r.Header.Get("Authorization") != "Bearer "+a.Token {
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		if required && echo && strings.Contains(r.URL.Path, "/manifests/") {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			http.Error(w, echoBody("DENIED", r), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
