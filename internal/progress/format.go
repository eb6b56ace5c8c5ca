package progress

import (
	"fmt"
	"strings"

	"github.com/pinner-dev/pinner/internal/imageref"
)

// Abbrev shortens a digest to 12 hex digits and an ellipsis.
func Abbrev(d string) string {
	if short := imageref.ShortDigest(d); short != d {
		return short + "…"
	}
	return d
}

// HumanBytes is n in B, KiB, MiB or GiB: "12.3 MiB".
func HumanBytes(n int64) string {
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

// Plural is n and noun, in the plural unless n is 1: "3 references".
func Plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
