package oci

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"sync"
)

// pingCache answers GET /v2/ ("ping") from memory after the first answer
// of each registry. pkg/v1/remote pings once per repository, to learn the
// registry's auth challenge, and for a plain-http registry it tries https
// first; across many repositories of one registry those requests cost as
// much as the manifest lookups themselves. The challenge is a property of
// the registry, not of the repository (the scope is added by the bearer
// transport afterwards), so one answer serves every repository.
//
// Only 200 and 401 answers are remembered, with their headers, and the
// failure of https against a server that speaks plain http (a TLS record
// header error); anything else (a timeout, a 5xx) is not, and the next
// ping goes to the network. Concurrent first pings of one registry wait for
// the first to finish instead of all going out.
type pingCache struct {
	mu sync.Mutex
	m  map[string]*pingEntry // by scheme://host
}

type pingEntry struct {
	done   chan struct{}
	ok     bool // the answer below may be reused
	status int
	header http.Header
	err    error
}

func newPingCache() *pingCache { return &pingCache{m: map[string]*pingEntry{}} }

func isPing(req *http.Request) bool {
	return req.Method == http.MethodGet && req.URL.Path == "/v2/" && req.Header.Get("Authorization") == ""
}

// roundTrip serves a ping from the cache or through next, remembering
// what can be remembered.
func (c *pingCache) roundTrip(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	key := req.URL.Scheme + "://" + req.URL.Host
	c.mu.Lock()
	e, found := c.m[key]
	if !found {
		e = &pingEntry{done: make(chan struct{})}
		c.m[key] = e
	}
	c.mu.Unlock()

	if found {
		select {
		case <-e.done:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		if e.ok {
			return e.response(req)
		}
		return next(req)
	}

	resp, err := next(req)
	c.record(key, e, resp, err)
	if err != nil {
		return nil, err
	}
	if e.ok {
		// The body was read into nothing; give the caller a fresh one.
		return e.response(req)
	}
	return resp, nil
}

func (c *pingCache) record(key string, e *pingEntry, resp *http.Response, err error) {
	defer close(e.done)
	var rhe tls.RecordHeaderError
	switch {
	case err != nil && errors.As(err, &rhe):
		e.ok, e.err = true, err
	case err == nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized):
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		e.ok, e.status, e.header = true, resp.StatusCode, resp.Header.Clone()
	default:
		// Not worth remembering: let the next ping try again.
		c.mu.Lock()
		delete(c.m, key)
		c.mu.Unlock()
	}
}

func (e *pingEntry) response(req *http.Request) (*http.Response, error) {
	if e.err != nil {
		return nil, e.err
	}
	return &http.Response{
		Status:     http.StatusText(e.status),
		StatusCode: e.status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  e.header.Clone(),
		Body:    http.NoBody,
		Request: req,
	}, nil
}
