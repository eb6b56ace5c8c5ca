package cli

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/pinner-dev/pinner/internal/changelog"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/owned"
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
			e.plainf("resolving %s", plural(ev.Total, "reference"))
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
				e.plainf("resolved %d of %s (%d failed)", ev.Total-failed, plural(ev.Total, "reference"), failed)
			} else {
				e.plainf("resolved %s", plural(ev.Total, "reference"))
			}
		}
	}
}

// ownedHook shows the build path: a spinner while Nix builds, and a bar of
// bytes per image being pushed with a bar per layer below it while the
// layer uploads, or one line per step (and per layer).
func (e *Env) ownedHook() func(owned.Event) {
	var (
		mu     sync.Mutex
		build  *progress.Bar
		bars   = map[string]*progress.Bar{}
		layers = map[[2]string]*progress.Bar{} // by image and layer digest
	)
	return func(ev owned.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Kind {
		case owned.EventBuilding:
			e.plainf("building %s through nix", plural(ev.Count, "installable"))
			build = e.Progress.Spinner(fmt.Sprintf("building %s through nix", plural(ev.Count, "installable")))
		case owned.EventBuilt:
			build.Done()
			e.plainf("built %s", plural(ev.Count, "installable"))
		case owned.EventLoaded:
			e.plainf("loaded %s %s", ev.Ref, abbrev(ev.Digest))
		case owned.EventUnchanged:
			e.Progress.Logf("unchanged %s %s", ev.Ref, abbrev(ev.Digest))
		case owned.EventPublishing:
			e.plainf("pushing %s", ev.Ref)
			bars[ev.Image] = e.Progress.Bytes("pushing " + ev.Ref)
		case owned.EventUploaded:
			bars[ev.Image].Set(ev.Complete, ev.Total)
		case owned.EventLayer:
			key := [2]string{ev.Image, ev.Layer}
			short := changelog.ShortDigest(ev.Layer)
			bar, ok := layers[key]
			switch {
			case ev.Done:
				bar.Set(ev.Total, ev.Total)
				bar.Done()
				delete(layers, key)
				e.plainf("pushed layer %s (%s) of %s", short, humanBytes(ev.Total), ev.Repository)
			case ev.Skipped:
				bar.Remove()
				delete(layers, key)
				e.plainf("layer %s (%s) of %s already there", short, humanBytes(ev.Total), ev.Repository)
			default:
				if !ok {
					bar = e.Progress.BytesUnder(bars[ev.Image], short)
					layers[key] = bar
				}
				bar.Set(ev.Complete, ev.Total)
			}
		case owned.EventPublished:
			bars[ev.Image].Done()
			e.Progress.Logf("pushed %s %s", ev.Ref, abbrev(ev.Digest))
		}
	}
}

// abbrev shortens a digest to 12 hex digits and an ellipsis.
func abbrev(d string) string {
	if short := changelog.ShortDigest(d); short != d {
		return short + "…"
	}
	return d
}

// humanBytes is n in B, KiB, MiB or GiB: "12.3 MiB".
func humanBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f, unit := float64(n)/1024, "KiB"
	for _, u := range []string{"MiB", "GiB", "TiB"} {
		if f < 1024 {
			break
		}
		f, unit = f/1024, u
	}
	return fmt.Sprintf("%.1f %s", f, unit)
}

func plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
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
