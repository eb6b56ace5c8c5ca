package update

import (
	"fmt"
	"sync"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/progress"
)

// ownedHook shows the build path: a spinner while Nix builds, and a bar of
// bytes per image being pushed with a bar per layer below it while the
// layer uploads, or one line per step (and per layer).
func ownedHook(r *progress.Reporter) func(owned.Event) {
	if r == nil {
		return nil
	}
	plainf := func(format string, args ...any) {
		if r.Mode() == progress.Plain {
			r.Logf(format, args...)
		}
	}
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
			plainf("building %s through nix", progress.Plural(ev.Count, "installable"))
			build = r.Spinner(fmt.Sprintf("building %s through nix", progress.Plural(ev.Count, "installable")))
		case owned.EventBuilt:
			build.Done()
			plainf("built %s", progress.Plural(ev.Count, "installable"))
		case owned.EventLoaded:
			plainf("loaded %s %s", ev.Ref, progress.Abbrev(ev.Digest))
		case owned.EventUnchanged:
			r.Logf("unchanged %s %s", ev.Ref, progress.Abbrev(ev.Digest))
		case owned.EventPublishing:
			plainf("pushing %s", ev.Ref)
			bars[ev.Image] = r.Bytes("pushing " + ev.Ref)
		case owned.EventUploaded:
			bars[ev.Image].Set(ev.Complete, ev.Total)
		case owned.EventLayer:
			key := [2]string{ev.Image, ev.Layer}
			short := imageref.ShortDigest(ev.Layer)
			bar, ok := layers[key]
			switch {
			case ev.Done:
				bar.Set(ev.Total, ev.Total)
				bar.Done()
				delete(layers, key)
				plainf("pushed layer %s (%s) of %s", short, progress.HumanBytes(ev.Total), ev.Repository)
			case ev.Skipped:
				bar.Remove()
				delete(layers, key)
				plainf("layer %s (%s) of %s already there", short, progress.HumanBytes(ev.Total), ev.Repository)
			default:
				if !ok {
					bar = r.BytesUnder(bars[ev.Image], short)
					layers[key] = bar
				}
				bar.Set(ev.Complete, ev.Total)
			}
		case owned.EventPublished:
			bars[ev.Image].Done()
			r.Logf("pushed %s %s", ev.Ref, progress.Abbrev(ev.Digest))
		}
	}
}
