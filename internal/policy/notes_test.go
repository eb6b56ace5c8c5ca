package policy

import (
	"strings"
	"testing"
)

func TestNotesURL(t *testing.T) {
	rev1, rev2 := strings.Repeat("1", 40), strings.Repeat("2", 40)
	for _, tc := range []struct{ source, oldVer, newVer, oldRev, newRev, want string }{
		{"https://github.com/x/y", "", "", rev1, rev2, "https://github.com/x/y/compare/" + rev1 + "..." + rev2},
		{"https://github.com/x/y.git", "v1.2.3", "v1.3.0", "", rev2, "https://github.com/x/y/compare/v1.2.3...v1.3.0"},
		{"https://github.com/x/y/tree/main/images/app", "", "v1.3.0", "", "", "https://github.com/x/y/releases/tag/v1.3.0"},
		{"https://github.com/x/y", "", "", "", "", "https://github.com/x/y/releases"},
		{"https://github.com/x/y", "1.0", "1.0", rev1, rev1, "https://github.com/x/y/releases/tag/1.0"},
		{"https://gitlab.com/x/y?ref=1#top", "", "1.0", "", "", "https://gitlab.com/x/y"},
		{"https://gitlab.com/x/y)[evil](https://evil", "", "", "", "", ""},
		{"https://github.com/x/y", "", "1.0](https://evil)", "", "", "https://github.com/x/y/releases"},
		{"ftp://github.com/x/y", "", "", "", "", ""},
		{"https://user:pw@github.com/x/y", "", "", "", "", ""},
		{"github.com/x/y", "", "", "", "", ""},
		{"https://github.com/x", "", "", "", "", ""},
	} {
		if got := notesURL(tc.source, tc.oldVer, tc.newVer, tc.oldRev, tc.newRev); got != tc.want {
			t.Errorf("notesURL(%q, %q, %q, %q, %q) = %q, want %q", tc.source, tc.oldVer, tc.newVer, tc.oldRev, tc.newRev, got, tc.want)
		}
	}
}
