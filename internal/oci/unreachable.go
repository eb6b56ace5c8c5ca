package oci

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// RequestError is one request to a registry that failed: what was asked
// (Op and Item: "listing tags of" "x/y") of which registry (Registry, as
// shown: "ghcr.io (mirror 127.0.0.1:5000)"), at which host.
type RequestError struct {
	Registry string
	Host     string
	Op, Item string
	Err      error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("registry %s: %s %s: %v", e.Registry, e.Op, e.Item, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// unreachable reports whether err says its host did not answer at all:
// given up on (HostDownError), refused, unknown, timed out.
func unreachable(err error) bool {
	return errors.Is(err, ErrHostDown) || noAnswer(err)
}

// JoinByHost joins errs, reporting the RequestErrors of a host that did
// not answer as one error for that host, with the items it failed for: a
// closed port once gave 56 near-identical lines, one per repository.
// Other errors stay as they are, in order; nil when errs holds none.
func JoinByHost(errs []error) error {
	type group struct {
		first *RequestError
		items []string
	}
	groups := map[string]*group{}
	var out []error
	var order []*group
	for _, err := range errs {
		var re *RequestError
		if err == nil {
			continue
		}
		if !errors.As(err, &re) || re.Host == "" || !unreachable(re.Err) {
			out = append(out, err)
			continue
		}
		g := groups[re.Host]
		if g == nil {
			g = &group{first: re}
			groups[re.Host] = g
			order = append(order, g)
			out = append(out, nil) // its place, filled below
		}
		g.items = append(g.items, re.Item)
	}
	k := 0
	for i := range out {
		if out[i] != nil {
			continue
		}
		g := order[k]
		k++
		if len(g.items) == 1 {
			out[i] = g.first
			continue
		}
		out[i] = &hostError{registry: g.first.Registry, op: g.first.Op, items: g.items, err: g.first.Err}
	}
	return errors.Join(out...)
}

// hostError is the one error of a host that did not answer, for several
// items.
type hostError struct {
	registry, op string
	items        []string
	err          error
}

func (e *hostError) Error() string {
	return fmt.Sprintf("%s %s: registry %s did not answer: %s", e.op, listSome(e.items, false), e.registry, cause(e.err))
}

func (e *hostError) Unwrap() error { return e.err }

// cause is what a registry that did not answer did: the network error
// alone ("dial tcp 127.0.0.1:1: connect: connection refused"), without
// the URLs (go-containerregistry's ping joins one per scheme it tried),
// and for a host given up on, how many attempts failed.
func cause(err error) string {
	var down *HostDownError
	if errors.As(err, &down) {
		return fmt.Sprintf("%s (%d attempts in a row failed; pinner stopped asking this host)", cause(down.Cause), down.Failures)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	return err.Error()
}

// listSome is the first three items and how many more ("a, b, c and 17
// more"), each quoted when quote is set.
func listSome(items []string, quote bool) string {
	list := make([]string, 0, 3)
	for _, it := range items[:min(len(items), 3)] {
		if quote {
			it = strconv.Quote(it)
		}
		list = append(list, it)
	}
	s := strings.Join(list, ", ")
	if len(items) > 3 {
		s += fmt.Sprintf(" and %d more", len(items)-3)
	}
	return s
}
