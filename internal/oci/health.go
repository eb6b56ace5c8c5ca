package oci

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
)

// HostDownError is a request that was not sent, or was stopped, because
// its registry host had already failed too often in a row: connections
// refused, names that do not resolve, attempts that timed out. A stalled
// registry with 48 references once took 461 s, each reference spending
// its whole retry budget; now the host is given up on once, for all of
// them, after as many failed attempts in a row as one request may make.
type HostDownError struct {
	Host string
	// Failures is how many attempts in a row failed; Cause is the last.
	Failures int
	Cause    error
}

func (e *HostDownError) Error() string {
	return fmt.Sprintf("%v (%d attempts in a row failed; pinner stopped asking this host)", e.Cause, e.Failures)
}

func (e *HostDownError) Is(target error) bool { return target == ErrHostDown }

// Unwrap gives the cause, so that errors.Is sees a timeout or a refused
// connection through it.
func (e *HostDownError) Unwrap() error { return e.Cause }

// health counts, per host contacted, the attempts that failed in a row
// without any answer. At limit the host is down for the rest of the
// transport's life: requests to it fail at once, and those in flight are
// stopped.
type health struct {
	limit int

	mu    sync.Mutex
	hosts map[string]*hostHealth
}

type hostHealth struct {
	failures int
	down     *HostDownError
	ctx      context.Context // done when the host is down
	cancel   context.CancelFunc
}

func newHealth(limit int) *health { return &health{limit: limit, hosts: map[string]*hostHealth{}} }

func (h *health) get(host string) *hostHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	hh, ok := h.hosts[host]
	if !ok {
		ctx, cancel := context.WithCancel(context.Background())
		hh = &hostHealth{ctx: ctx, cancel: cancel}
		h.hosts[host] = hh
	}
	return hh
}

// Down returns the error of a host given up on, or nil.
func (h *health) Down(host string) *HostDownError {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hh, ok := h.hosts[host]; ok {
		return hh.down
	}
	return nil
}

// answered records that host answered (any status: it is there).
func (h *health) answered(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hh, ok := h.hosts[host]; ok && hh.down == nil {
		hh.failures = 0
	}
}

// failed records an attempt to host that got no answer, and reports
// whether the host is now down.
func (h *health) failed(host string, err error) {
	h.mu.Lock()
	hh := h.hosts[host]
	if hh.down != nil {
		h.mu.Unlock()
		return
	}
	hh.failures++
	if hh.failures < h.limit {
		h.mu.Unlock()
		return
	}
	hh.down = &HostDownError{Host: host, Failures: hh.failures, Cause: err}
	h.mu.Unlock()
	hh.cancel()
}

// noAnswer is a failure that says the host is not there: the connection
// was refused, its name does not resolve, or the attempt timed out.
// (Resets, 5xx and the like come from a host that is there.)
func noAnswer(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.As(err, &dns) || isTimeout(err)
}
