package cli

import (
	"bytes"
	"io"
	"slices"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/progress"
)

// plainf prints a progress line only in plain mode: on a terminal the bars
// already say it.
func (e *Env) plainf(format string, args ...any) {
	if e.Progress.Mode() == progress.Plain {
		e.Progress.Logf(format, args...)
	}
}

// resolveHook shows a Resolver's work: a counter bar per Resolve call, or
// a line when it starts and one when it ends.
func (e *Env) resolveHook() func(oci.ResolveEvent) {
	var (
		bar    *progress.Bar
		failed int
	)
	// oci serialises the calls.
	return func(ev oci.ResolveEvent) {
		if ev.Done == 0 {
			failed = 0
			e.plainf("resolving %s", progress.Plural(ev.Total, "reference"))
			bar = e.Progress.Counter("resolving")
			bar.AddTotal(int64(ev.Total))
			return
		}
		bar.Increment()
		if ev.Err != nil {
			failed++
		}
		if ev.Done == ev.Total {
			bar.Done()
			if failed > 0 {
				e.plainf("resolved %d of %s (%d failed)", ev.Total-failed, progress.Plural(ev.Total, "reference"), failed)
			} else {
				e.plainf("resolved %s", progress.Plural(ev.Total, "reference"))
			}
		}
	}
}

// ANSI styles; used only when Env.Color.
const (
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// bold is s in bold on a colour terminal.
func (e *Env) bold(s string) string {
	if !e.Color {
		return s
	}
	return ansiBold + s + ansiReset
}

// writeTable writes a table that a tabwriter has already aligned, with its
// first line (the header) in bold on a colour terminal. Styling after
// alignment keeps the escape codes out of the column widths.
func writeTable(w io.Writer, table []byte, color bool) error {
	if color {
		if head, rest, ok := bytes.Cut(table, []byte("\n")); ok {
			table = slices.Concat([]byte(ansiBold), head, []byte(ansiReset+"\n"), rest)
		}
	}
	_, err := w.Write(table)
	return err
}
