package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// MaxManifestSize is the largest manifest Resolve accepts. Real manifests
// are a few KiB; a 4 MiB one is an attack or a mistake.
const MaxManifestSize = 4 << 20

// retryTransport sits below go-containerregistry's auth transports and above
// the connection pool. Every HTTP request pinner sends passes through it, so
// it is the one place that
//   - refuses plain http to hosts that are not allowed it,
//   - puts a deadline on each request,
//   - retries idempotent requests on 429, 500, 502, 503, 504, timeouts and
//     connection resets, with exponential backoff, jitter and Retry-After,
//   - caps manifest bodies at MaxManifestSize, and error bodies at 64 KiB
//     with the credentials a registry may quote in them removed,
//   - records Docker-Content-Digest for the caller (see withCapture),
//   - counts requests and logs them without credentials.
//
// go-containerregistry's own retries are switched off (see Resolver.puller)
// so that attempts do not multiply.
type retryTransport struct {
	next     http.RoundTripper
	attempts int
	base     time.Duration
	max      time.Duration
	timeout  time.Duration
	insecure []string
	// httpOnly are the hosts of mirrors given as http://: never asked
	// over https (see RoundTrip).
	httpOnly map[string]bool
	log      *slog.Logger

	requests  atomic.Int64
	manifests atomic.Int64

	// pings, when set, answers repeated GET /v2/ from memory.
	pings *pingCache
	// health, when set, gives up on a host after failed attempts in a
	// row (see HostDownError).
	health *health

	// sleep waits or returns early with ctx's error.
	sleep func(ctx context.Context, d time.Duration) error
}

func newRetryTransport(o *options) *retryTransport {
	return &retryTransport{
		next:     o.transport,
		attempts: o.attempts,
		base:     o.baseBackoff,
		max:      o.maxBackoff,
		timeout:  o.requestTimeout,
		insecure: o.insecure,
		httpOnly: httpOnlyHosts(o.mirrors),
		log:      o.logger,
		sleep:    sleepCtx,
	}
}

// httpOnlyHosts are the hosts that mirrors name with http:// only (a host
// also given as https:// is not one).
func httpOnlyHosts(mirrors map[string]string) map[string]bool {
	out := map[string]bool{}
	https := map[string]bool{}
	for key, base := range mirrors {
		m, err := parseMirror(key, base)
		switch {
		case err != nil:
		case m.scheme == "http":
			out[m.host] = true
		default:
			https[m.host] = true
		}
	}
	for h := range https {
		delete(out, h)
	}
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func isManifestPath(p string) bool {
	return strings.HasPrefix(p, "/v2/") && strings.Contains(p, "/manifests/")
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "https" && t.httpOnly[req.URL.Host] {
		// go-containerregistry pings a plain-http registry over https
		// first, and reports both failures when it is down. A mirror
		// given as http:// is asked over http only: the https ping is
		// redirected (the client follows, and go-containerregistry takes
		// the scheme of where it landed for every later request); any
		// other request goes over http as it is.
		u := *req.URL
		u.Scheme = "http"
		if req.Method == http.MethodGet || req.Method == http.MethodHead {
			return &http.Response{
				Status: "307 Temporary Redirect", StatusCode: http.StatusTemporaryRedirect,
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Location": {u.String()}}, Body: http.NoBody, Request: req,
			}, nil
		}
		req = req.Clone(req.Context())
		req.URL = &u
	}
	if req.URL.Scheme == "http" && !httpAllowed(req.URL.Host, t.insecure) {
		return nil, fmt.Errorf("%w: %s is neither loopback nor listed in insecure", ErrInsecureHTTP, req.URL.Host)
	}
	if t.health != nil {
		if down := t.health.Down(req.URL.Host); down != nil {
			return nil, down
		}
	}
	if t.pings != nil && isPing(req) {
		return t.pings.roundTrip(req, t.roundTrip)
	}
	return t.roundTrip(req)
}

func (t *retryTransport) roundTrip(req *http.Request) (*http.Response, error) {
	idempotent := (req.Method == http.MethodGet || req.Method == http.MethodHead) &&
		(req.Body == nil || req.Body == http.NoBody)
	tries := 1
	if idempotent {
		tries = t.attempts
	}
	manifest := isManifestPath(req.URL.Path)
	for attempt := 1; ; attempt++ {
		resp, retry, err := t.try(req, manifest, idempotent, attempt, attempt >= tries)
		if retry == nil {
			return resp, err
		}
		if attempt >= tries {
			return nil, &AttemptsError{Err: retry.err, Attempts: attempt}
		}
		delay := t.backoff(attempt)
		if retry.after > delay {
			delay = min(retry.after, t.max)
		}
		t.log.LogAttrs(req.Context(), slog.LevelWarn, "retrying registry request",
			slog.String("method", req.Method), slog.String("url", redactURL(req)),
			slog.Int("attempt", attempt), slog.String("error", retry.err.Error()),
			slog.Duration("delay", delay))
		ctx, stop := t.hostContext(req.Context(), req.URL.Host)
		serr := t.sleep(ctx, delay)
		stop()
		if serr != nil {
			if down := t.down(req); down != nil {
				return nil, down
			}
			return nil, fmt.Errorf("waiting to retry after %v: %w", retry.err, serr)
		}
	}
}

// hostContext is ctx, also cancelled when host is given up on; stop
// releases it.
func (t *retryTransport) hostContext(ctx context.Context, host string) (context.Context, func()) {
	if t.health == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(t.health.get(host).ctx, cancel)
	return ctx, func() { unhook(); cancel() }
}

// down is the HostDownError of req's host, when it was given up on and req
// itself was not cancelled.
func (t *retryTransport) down(req *http.Request) error {
	if t.health == nil || req.Context().Err() != nil {
		return nil
	}
	if d := t.health.Down(req.URL.Host); d != nil {
		return d
	}
	return nil
}

// retryable is a failed attempt worth repeating.
type retryable struct {
	err   error
	after time.Duration // from Retry-After; 0 when absent
}

// try makes one attempt (last: the request's last). It returns either a
// response, a final error, or (only for idempotent requests) a retryable
// failure, its response closed.
func (t *retryTransport) try(req *http.Request, manifest, idempotent bool, attempt int, last bool) (*http.Response, *retryable, error) {
	t.requests.Add(1)
	if manifest {
		t.manifests.Add(1)
	}
	hctx, stop := t.hostContext(req.Context(), req.URL.Host)
	ctx, cancelTimeout := context.WithTimeout(hctx, t.timeout)
	cancel := func() { cancelTimeout(); stop() }
	r := req.Clone(ctx)
	if t.log.Enabled(req.Context(), slog.LevelDebug) {
		t.log.LogAttrs(req.Context(), slog.LevelDebug, "registry request",
			slog.String("method", r.Method), slog.String("url", redactURL(r)),
			slog.Int("attempt", attempt), slog.Any("headers", redactHeaders(r.Header)))
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		cancel()
		if req.Context().Err() != nil {
			return nil, nil, err
		}
		if down := t.down(req); down != nil {
			return nil, nil, down // stopped: another request gave up on the host
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = &timeoutError{d: t.timeout.String()}
		}
		if t.health != nil && noAnswer(err) {
			t.health.failed(req.URL.Host, err)
			// A request's own last attempt ends with its own error;
			// the ones after it learn that the host is down.
			if down := t.down(req); down != nil && !last && idempotent {
				return nil, nil, down
			}
		}
		if idempotent && retryableNetError(err) {
			return nil, &retryable{err: err}, nil
		}
		return nil, nil, err
	}
	if t.health != nil {
		t.health.answered(req.URL.Host)
	}
	t.log.LogAttrs(req.Context(), slog.LevelDebug, "registry response",
		slog.String("method", r.Method), slog.String("url", redactURL(r)),
		slog.String("status", resp.Status),
		slog.String("docker-content-digest", resp.Header.Get("Docker-Content-Digest")))

	if resp.StatusCode >= 400 {
		// Before anyone reads it: the body may quote the credentials.
		redactErrorBody(r, resp)
	}
	if idempotent && retryableStatus(resp.StatusCode) {
		se := statusError(resp)
		after, _ := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		resp.Body.Close()
		cancel()
		return nil, &retryable{err: se, after: after}, nil
	}
	if manifest && req.Method == http.MethodGet && resp.StatusCode == http.StatusOK {
		if resp.ContentLength > MaxManifestSize {
			resp.Body.Close()
			cancel()
			return nil, nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrManifestTooLarge, resp.ContentLength, MaxManifestSize)
		}
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: MaxManifestSize}
		if c := captureFrom(req.Context()); c != nil {
			c.set(resp.Header.Get("Docker-Content-Digest"))
		}
	}
	if req.Method == http.MethodGet && resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/tags/list") {
		b := budgetFrom(req.Context())
		if b == nil {
			b = &budget{}
			b.left.Store(MaxTagBytes)
		}
		resp.Body = &budgetBody{ReadCloser: resp.Body, b: b}
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil, nil
}

// budget is the bytes the pages of one tag listing may still take, shared
// through the request context (see withBudget) by all of its pages.
type budget struct{ left atomic.Int64 }

type budgetKey struct{}

func withBudget(ctx context.Context, n int64) context.Context {
	b := &budget{}
	b.left.Store(n)
	return context.WithValue(ctx, budgetKey{}, b)
}

func budgetFrom(ctx context.Context) *budget {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	return b
}

type budgetBody struct {
	io.ReadCloser
	b *budget
}

func (r *budgetBody) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if left := r.b.left.Add(-int64(n)); left < 0 {
		// Only the bytes within the budget: a JSON decoder handed the
		// rest would finish the value and drop the error.
		return max(n+int(left), 0), fmt.Errorf("%w: more than %d bytes", ErrTagList, MaxTagBytes)
	}
	return n, err
}

// backoff is base·2^(attempt-1) capped at max, with "equal jitter": between
// half and all of that, so retries from many goroutines spread out but never
// come sooner than half the nominal delay.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.max
	if attempt-1 < 30 {
		d = min(t.base<<(attempt-1), t.max)
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func retryableNetError(err error) bool {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	return isTimeout(err)
}

// isTimeout matches net.Error timeouts and timeoutError; net.Error itself
// also demands the deprecated Temporary method.
func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// retryAfter parses Retry-After: delta seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int64(maxBackoffCeiling/time.Second) {
			s = int64(maxBackoffCeiling / time.Second)
		}
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// statusError reads the registry's error body (bounded) for its messages.
func statusError(resp *http.Response) *StatusError {
	se := &StatusError{StatusCode: resp.StatusCode, Status: resp.Status}
	if se.Status == "" {
		se.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	var body struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &body) == nil {
		var msgs []string
		for _, e := range body.Errors {
			msgs = append(msgs, strings.TrimPrefix(strings.TrimSpace(e.Code+": "+e.Message), ": "))
		}
		se.Detail = strings.Join(msgs, "; ")
	}
	return se
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%w: more than %d bytes", ErrManifestTooLarge, MaxManifestSize)
	}
	return n, err
}

// capture carries the Docker-Content-Digest of a manifest GET from the
// transport back to the Resolver through the request context: pkg/v1/remote
// computes the digest itself and does not expose the header.
type capture struct {
	mu     sync.Mutex
	digest string
}

type captureKey struct{}

func withCapture(ctx context.Context) (context.Context, *capture) {
	c := &capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

func captureFrom(ctx context.Context) *capture {
	c, _ := ctx.Value(captureKey{}).(*capture)
	return c
}

func (c *capture) set(d string) {
	c.mu.Lock()
	c.digest = d
	c.mu.Unlock()
}

func (c *capture) get() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.digest
}

// redactURL drops the query (token endpoints carry account names there) and
// any user info.
func redactURL(r *http.Request) string {
	u := *r.URL
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

var secretHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
	"X-Registry-Auth":     true,
}

func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if secretHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = "REDACTED"
			continue
		}
		out[k] = strings.Join(v, ", ")
	}
	return out
}
