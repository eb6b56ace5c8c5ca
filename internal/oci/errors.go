package oci

import (
	"errors"
	"fmt"
)

// Sentinels, matchable with errors.Is through every layer of wrapping.
var (
	// ErrInsecureHTTP: plain http to a host that is neither loopback nor
	// listed in insecure. Nothing is sent.
	ErrInsecureHTTP = errors.New("plain http not allowed")
	// ErrNotFound: the registry has no manifest under that tag.
	ErrNotFound = errors.New("manifest unknown")
	// ErrManifestTooLarge: the manifest exceeds MaxManifestSize.
	ErrManifestTooLarge = errors.New("manifest too large")
	// ErrDigestMismatch: the manifest bytes do not hash to the
	// Docker-Content-Digest the registry sent with them.
	ErrDigestMismatch = errors.New("manifest digest mismatch")
	// ErrNotManifest: the registry answered 200 with something that is not
	// an image manifest or index (a web page, a JSON error, schema 1).
	ErrNotManifest = errors.New("not an image manifest")
	// ErrNotConfirmed: a digest about to be written could not be
	// confirmed: the registry does not serve it, or not all of it.
	ErrNotConfirmed = errors.New("digest not confirmed")
	// ErrTagList: a repository's tag list passed one of the bounds of
	// Tags (pages, tags, bytes) or its pages lead in a circle.
	ErrTagList = errors.New("tag list refused")
	// ErrHostDown: the registry host was given up on after failed
	// attempts in a row; see HostDownError.
	ErrHostDown = errors.New("registry host down")
)

// AttemptsError is the last failure of a request that was tried Attempts
// times, e.g. "503 Service Unavailable after 5 attempts".
type AttemptsError struct {
	Err      error
	Attempts int
}

func (e *AttemptsError) Error() string {
	s := "s"
	if e.Attempts == 1 {
		s = ""
	}
	return fmt.Sprintf("%v after %d attempt%s", e.Err, e.Attempts, s)
}

func (e *AttemptsError) Unwrap() error { return e.Err }

// StatusError is an HTTP status that ended a request.
type StatusError struct {
	StatusCode int
	Status     string // "503 Service Unavailable"
	Detail     string // messages from the registry's error body, if any
}

func (e *StatusError) Error() string {
	if e.Detail != "" {
		return e.Status + ": " + e.Detail
	}
	return e.Status
}

// timeoutError is one request that got no complete answer in time.
type timeoutError struct{ d string }

func (e *timeoutError) Error() string { return "no response within " + e.d }
func (e *timeoutError) Timeout() bool { return true }
