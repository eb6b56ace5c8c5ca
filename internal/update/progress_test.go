package update

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/progress"
)

func TestOwnedProgressLines(t *testing.T) {
	var buf bytes.Buffer
	r := progress.New(&buf, progress.Plain)
	r.Now = func() time.Time { return time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC) }
	hook := ownedHook(r)
	d := "sha256:abc1234567890000000000000000000000000000000000000000000000000000"
	for _, ev := range []owned.Event{
		{Kind: owned.EventBuilding, Count: 3},
		{Kind: owned.EventBuilt, Count: 3},
		{Kind: owned.EventLoaded, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d},
		{Kind: owned.EventPublishing, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d},
		{Kind: owned.EventUploaded, Image: "y", Ref: "ghcr.io/x/y:1.0", Complete: 10, Total: 20},
		{Kind: owned.EventLayer, Image: "y", Ref: "ghcr.io/x/y:1.0", Repository: "ghcr.io/x/y", Layer: d, Complete: 5 << 20, Total: 12897485},
		{Kind: owned.EventLayer, Image: "y", Ref: "ghcr.io/x/y:1.0", Repository: "ghcr.io/x/y", Layer: d, Complete: 12897485, Total: 12897485, Done: true},
		{Kind: owned.EventLayer, Image: "y", Ref: "ghcr.io/x/y:1.0", Repository: "ghcr.io/x/y", Layer: "sha256:def4567890120000", Total: 300, Skipped: true},
		{Kind: owned.EventPublished, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d},
		{Kind: owned.EventUnchanged, Image: "z", Ref: "ghcr.io/x/z:2", Digest: d},
	} {
		hook(ev)
	}
	want := `15:04:05 building 3 installables through nix
15:04:05 built 3 installables
15:04:05 loaded ghcr.io/x/y:1.0 sha256:abc123456789…
15:04:05 pushing ghcr.io/x/y:1.0
15:04:05 pushed layer sha256:abc123456789 (12.3 MiB) of ghcr.io/x/y
15:04:05 layer sha256:def456789012 (300 B) of ghcr.io/x/y already there
15:04:05 pushed ghcr.io/x/y:1.0 sha256:abc123456789…
15:04:05 unchanged ghcr.io/x/z:2 sha256:abc123456789…
`
	if buf.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// On a terminal, each layer has a bar below its image's while it uploads.
func TestOwnedProgressLayerBars(t *testing.T) {
	var buf bytes.Buffer
	r := progress.New(&buf, progress.TTY)
	hook := ownedHook(r)
	d := "sha256:abc1234567890000000000000000000000000000000000000000000000000000"
	hook(owned.Event{Kind: owned.EventPublishing, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d})
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: d, Complete: 1 << 20, Total: 4 << 20})
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: "sha256:def4567890120000", Complete: 1, Total: 2})
	time.Sleep(300 * time.Millisecond) // a refresh or two
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: d, Complete: 4 << 20, Total: 4 << 20, Done: true})
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: "sha256:def4567890120000", Total: 2, Skipped: true})
	hook(owned.Event{Kind: owned.EventPublished, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d})
	r.Close()
	out := buf.String()
	for _, want := range []string{"pushing ghcr.io/x/y:1.0", "sha256:abc123456789", "sha256:def456789012", "pushed ghcr.io/x/y:1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "pushed layer") {
		t.Errorf("plain layer lines on a terminal:\n%s", out)
	}
}
