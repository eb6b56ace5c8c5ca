package tagver

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func mustScheme(t *testing.T, s string) Scheme {
	t.Helper()
	sc, err := ParseScheme(s)
	if err != nil {
		t.Fatalf("ParseScheme(%q): %v", s, err)
	}
	return sc
}

// describe is a Version in a short, comparable form.
func describe(v Version) string {
	var b strings.Builder
	b.WriteString(v.Prefix)
	for i, n := range v.Release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(itoa(n))
	}
	if v.Pre != "" {
		b.WriteString(" pre=" + v.Pre)
	}
	if v.Compat != "" {
		b.WriteString(" compat=" + v.Compat)
	}
	if v.HasBuild {
		b.WriteString(" build=" + v.BuildLabel + itoa(v.Build))
	}
	return b.String()
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func TestParsePerScheme(t *testing.T) {
	regex := `(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)-(?P<compat>[a-z]+-\d+)-r(?P<build>\d+)`
	for _, tc := range []struct {
		scheme, tag, want string // want "" = not a version
	}{
		{"semver", "1.2.3", "1.2.3"},
		{"semver", "v2.4.1", "v2.4.1"},
		{"semver", "3.0.0-rc.1", "3.0.0 pre=rc.1"},
		{"semver", "1.2.3-alpine", "1.2.3 pre=alpine"}, // strict: a suffix is a pre-release
		{"semver", "1.37", ""},
		{"semver", "01.2.3", ""},
		{"semver", "2.3.4.5307", ""},
		{"semver", "latest", ""},
		{"loose", "1.37", "1.37"},
		{"loose", "7", "7"},
		{"loose", "2.3.4.5307", "2.3.4.5307"},
		{"loose", "2025.12.21", "2025.12.21"},
		{"loose", "V1.0", "v1.0"},
		{"loose", "1.2.3-alpine", "1.2.3 compat=alpine"},
		{"loose", "1.2.3-alpine3.20", "1.2.3 compat=alpine3.20"},
		{"loose", "17.6.0-debian-12-r5", "17.6.0 compat=debian-12 build=r5"},
		{"loose", "4.0.14.2939-ls290", "4.0.14.2939 build=ls290"},
		{"loose", "3.9.1-1", "3.9.1 build=1"},
		{"loose", "1.2.3-debian-12", "1.2.3 compat=debian-12"},
		{"loose", "3.0.0-rc.1", "3.0.0 pre=rc.1"},
		{"loose", "v1.0.0-beta2", "v1.0.0 pre=beta2"},
		{"loose", "1.2rc1", ""},
		{"loose", "1.2_x", ""},
		{"loose", "latest", ""},
		{"loose", "sha-abc123", ""},
		{"loose", "1.2.3.4.5.6.7", ""},
		{"loose", "99999999999999999999", ""},
		{"regex:" + regex, "17.6.0-debian-12-r5", "17.6.0 compat=debian-12 build=5"},
		{"regex:" + regex, "17.6.0", ""},
		{"regex:(?P<major>\\d+)\\.(?P<minor>\\d+)(?:-(?P<prerelease>rc\\d+))?", "1.2-rc3", "1.2 pre=rc3"},
	} {
		v, ok := mustScheme(t, tc.scheme).Parse(tc.tag)
		got := ""
		if ok {
			got = describe(v)
		}
		if got != tc.want {
			t.Errorf("%s: Parse(%q) = %q, want %q", tc.scheme, tc.tag, got, tc.want)
		}
	}
}

func TestParseSchemeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"semverr", "want semver, loose"},
		{"regex:(", "compiling the regular expression"},
		{"regex:(?P<minor>\\d+)", "no (?P<major>...) group"},
		{"regex:(?P<major>\\d+)(?P<flavour>.*)", `unknown group "flavour"`},
	} {
		_, err := ParseScheme(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseScheme(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestOrder(t *testing.T) {
	loose := mustScheme(t, "loose")
	// Oldest first.
	for _, chain := range [][]string{
		{"1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"},
		{"17.6.0-debian-12-r5", "17.6.0-debian-12-r7", "17.6.0-debian-12-r12", "17.6.1-debian-12-r0"},
		{"2.3.4.999", "2.3.4.5307", "2.3.5.1"},
		{"2025.9.30", "2025.12.21", "2026.1.2"},
		{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0"},
	} {
		for i := 1; i < len(chain); i++ {
			a, _ := loose.Parse(chain[i-1])
			b, _ := loose.Parse(chain[i])
			if Compare(a, b) >= 0 || Compare(b, a) <= 0 {
				t.Errorf("want %s < %s", chain[i-1], chain[i])
			}
		}
	}
}

func TestNewerKeepsTheVariant(t *testing.T) {
	loose := mustScheme(t, "loose")
	tags := []string{"latest", "17.6.0-debian-12-r5", "17.6.0-debian-12-r7", "17.7.0-debian-12-r1", "17.7.0-debian-13-r1",
		"17.7.0", "17.7.0-alpine", "v17.8.0-debian-12-r1", "17.8-debian-12-r1", "18.0.0-debian-12-r0"}
	cur, _ := loose.Parse("17.6.0-debian-12-r5")
	var got []string
	for _, v := range Newer(loose, cur, tags) {
		got = append(got, v.Raw)
	}
	want := []string{"18.0.0-debian-12-r0", "17.7.0-debian-12-r1", "17.6.0-debian-12-r7"}
	if !slices.Equal(got, want) {
		t.Errorf("Newer = %q, want %q", got, want)
	}
}

func TestStepOf(t *testing.T) {
	loose := mustScheme(t, "loose")
	for _, tc := range []struct {
		from, to string
		want     Class
	}{
		{"1.2.3", "1.2.3", Digest},
		{"1.2.3", "1.2.4", Patch},
		{"1.2.3", "1.3.0", Minor},
		{"1.2.3", "2.0.0", Major},
		{"17.6.0-debian-12-r5", "17.6.0-debian-12-r7", Patch},
		{"2.3.4.5307", "2.3.4.5400", Patch},
		{"2025.12.21", "2026.1.2", Major},
		{"1.0.0-rc.1", "1.0.0", Patch},
		{"7", "8", Major},
	} {
		a, _ := loose.Parse(tc.from)
		b, _ := loose.Parse(tc.to)
		if got := StepOf(a, b); got != tc.want {
			t.Errorf("StepOf(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	for _, s := range Classes() {
		if c, ok := ParseClass(s); !ok || c.String() != s {
			t.Errorf("ParseClass(%q) = %v, %v", s, c, ok)
		}
	}
	if _, ok := ParseClass("huge"); ok {
		t.Error(`ParseClass("huge") accepted`)
	}
}

// benchTags are 10,000 tags as a busy repository holds them: releases of
// several variants with builds, pre-releases, and names that are no
// version.
func benchTags() []string {
	var tags []string
	for i := range 2000 {
		v := strconv.Itoa(i/100) + "." + strconv.Itoa(i/10%10) + "." + strconv.Itoa(i%10)
		tags = append(tags, v, v+"-debian-12-r"+strconv.Itoa(i%7), v+"-alpine", v+"-rc.1", "sha-"+strconv.Itoa(i*7919))
	}
	return tags
}

// BenchmarkNewer: choosing among 10,000 tags with the built-in loose
// scheme and with an equivalent regex scheme (the baseline of the ratio).
func BenchmarkNewer(b *testing.B) {
	tags := benchTags()
	regex, _ := ParseScheme(`regex:(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)-(?P<compat>debian-\d+)-r(?P<build>\d+)`)
	for _, sc := range []struct {
		name   string
		scheme Scheme
	}{{"loose", Loose}, {"regex", regex}} {
		cur, _ := sc.scheme.Parse("3.4.5-debian-12-r1")
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				if len(Newer(sc.scheme, cur, tags)) == 0 {
					b.Fatal("nothing newer")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tags)), "ns/tag")
		})
	}
}
