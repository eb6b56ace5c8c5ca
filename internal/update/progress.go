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
		// Per image: the bytes of its blobs the publisher counted, and of
		// layers the destination had already, which no upload counts (a
		// bar once ended "0.0 b / 512.0 MiB" for a layer already there);
		// an OCI layout reports no bytes but the layers'.
		sent, total = map[string]int64{}, map[string]int64{}
		present     = map[string]int64{}
		layerBytes  = map[string]int64{}
		seen        = map[[2]string]bool{}
	)
	show := func(image string) {
		t := max(total[image], layerBytes[image])
		bars[image].Set(min(sent[image]+present[image], t), t)
	}
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
			sent[ev.Image], total[ev.Image] = ev.Complete, ev.Total
			show(ev.Image)
		case owned.EventLayer:
			key := [2]string{ev.Image, ev.Layer}
			short := imageref.ShortDigest(ev.Layer)
			bar, ok := layers[key]
			if !seen[key] {
				seen[key] = true
				layerBytes[ev.Image] += ev.Total
			}
			if ev.Skipped {
				present[ev.Image] += ev.Total
			}
			show(ev.Image)
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
			// Published: all of it is there, whoever sent it.
			t := max(total[ev.Image], layerBytes[ev.Image])
			bars[ev.Image].Set(t, t)
			bars[ev.Image].Done()
			r.Logf("pushed %s %s", ev.Ref, progress.Abbrev(ev.Digest))
		}
	}
}
