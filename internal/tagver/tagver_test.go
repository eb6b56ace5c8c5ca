package tagver

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		tag     string
		ok      bool
		prefix  string
		parts   int
		variant string
		pre     bool
	}{
		{"1.37", true, "", 2, "", false},
		{"v2.4.1", true, "v", 3, "", false},
		{"7", true, "", 1, "", false},
		{"1.2.3-alpine", true, "", 3, "alpine", false},
		{"1.2.3-alpine3.20", true, "", 3, "alpine3.20", false},
		{"3.0.0-rc.1", true, "", 3, "", true},
		{"v1.0.0-beta2", true, "v", 3, "", true},
		{"latest", false, "", 0, "", false},
		{"20240101", false, "", 0, "", false},
		{"1.2.3.4", false, "", 0, "", false},
		{"1.2rc1", false, "", 0, "", false},
		{"sha-abc123", false, "", 0, "", false},
		{"01.2", false, "", 0, "", false},
	} {
		got, ok := Parse(tc.tag)
		if ok != tc.ok {
			t.Errorf("Parse(%q) ok = %v, want %v", tc.tag, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Prefix != tc.prefix || got.Parts != tc.parts || got.Variant != tc.variant || got.Pre != tc.pre {
			t.Errorf("Parse(%q) = %+v, want prefix %q parts %d variant %q pre %v", tc.tag, got, tc.prefix, tc.parts, tc.variant, tc.pre)
		}
	}
}

func TestNewest(t *testing.T) {
	tags := []string{"latest", "1.0.0", "1.1.0", "1.10.0", "1.9.0", "2.0.0", "2.1.0-rc.1", "v3.0.0", "1.2", "2.0.0-alpine", "2.5.0-alpine", "0.9.0"}
	for _, tc := range []struct {
		current string
		o       Options
		want    string
	}{
		{"1.0.0", Options{}, "2.0.0"},
		{"1.0.0", Options{SameMajor: true}, "1.10.0"},
		{"1.0.0", Options{Prerelease: true}, "2.1.0-rc.1"},
		{"2.0.0", Options{}, ""},
		{"1.1", Options{}, "1.2"},
		{"1.0.0-alpine", Options{}, "2.5.0-alpine"},
		{"1.0.0-alpine", Options{SameMajor: true}, ""},
		{"v1.0.0", Options{}, "v3.0.0"},
		{"2.1.0-rc.0", Options{}, ""},
		{"2.1.0-rc.0", Options{Prerelease: true}, "2.1.0-rc.1"},
	} {
		cur, ok := Parse(tc.current)
		if !ok {
			t.Fatalf("Parse(%q) failed", tc.current)
		}
		got, found := Newest(cur, tags, tc.o)
		if got != tc.want || found != (tc.want != "") {
			t.Errorf("Newest(%q, %+v) = %q, %v; want %q", tc.current, tc.o, got, found, tc.want)
		}
	}
}
