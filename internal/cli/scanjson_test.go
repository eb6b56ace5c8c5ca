package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/pinner-dev/pinner/internal/scan"
)

// TestSiteJSONIsEncodingJSON holds appendSiteJSON to encoding/json: the
// same bytes for every site of the fixtures and for awkward strings.
func TestSiteJSONIsEncodingJSON(t *testing.T) {
	root := filepath.Join(testDir, "..", "..")
	sites, _, err := scan.Files(context.Background(), []string{filepath.Join(root, "modules-fixtures"), filepath.Join(root, "internal", "scan", "testdata", "realworld")}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", `quote " and \ back`, "<a>&b", "tab\tnl\ncr\r\x00\x01\x1f\x7f", "é ü 日本", "\u2028\u2029", "bad \xff utf8", "\b\f"} {
		sites = append(sites, scan.Site{File: v, Ref: v, AttrPath: v, Reason: v, Form: scan.Form(v), Line: -1})
	}
	for i := range sites {
		want, err := json.MarshalIndent(&sites[i], "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendSiteJSON(nil, &sites[i], "    "); string(got) != string(want) {
			t.Fatalf("site %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
	if len(sites) < 400 {
		t.Fatalf("only %d sites", len(sites))
	}
}
