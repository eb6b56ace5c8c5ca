package policy

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/tagver"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

var now = time.Now().UTC()

func ago(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }

// pushTags pushes one image per tag, created at ages[tag] hours ago (100
// hours when not listed).
func pushTags(t *testing.T, repo string, tags []string, ages map[string]time.Time) {
	t.Helper()
	for _, tag := range tags {
		created, ok := ages[tag]
		if !ok {
			created = ago(100)
		}
		registry.PushImage(t, repo+":"+tag, registry.Image(t, created, nil))
	}
}

func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(t.TempDir()+"/registry.yaml", []byte("version: 1\npolicies:\n"+yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func resolver(t *testing.T) *oci.Resolver {
	t.Helper()
	r, err := oci.NewResolver(oci.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDecide runs every case against a real registry holding many tags
// per repository, each image with its own creation time.
func TestDecide(t *testing.T) {
	for _, start := range []struct {
		name  string
		start func(testing.TB) string
	}{
		{"in-process", func(t testing.TB) string { h, _ := registry.StartInProcess(t); return h }},
		{"distribution", func(t testing.TB) string { h, _ := registry.StartDistribution(t); return h }},
	} {
		t.Run(start.name, func(t *testing.T) { testDecide(t, start.start(t)) })
	}
}

func testDecide(t *testing.T, host string) {
	app := host + "/x/app"
	pushTags(t, app, []string{"latest", "1.2.3", "1.2.4", "1.2.5", "1.2.6", "1.3.0", "1.3.1-rc.1", "1.4.0", "2.0.0", "1.2.7-alpine", "v1.9.0"},
		map[string]time.Time{"1.2.6": ago(1), "1.4.0": ago(2)})
	pg := host + "/bitnami/postgresql"
	pushTags(t, pg, []string{"17.6.0-debian-12-r5", "17.6.0-debian-12-r7", "17.6.0-debian-12-r12", "17.6.0-debian-13-r1", "17.6.0", "17.7.0-debian-12-r1"}, nil)
	arr := host + "/x/arr"
	pushTags(t, arr, []string{"2.3.4.5307", "2.3.4.5400", "2.3.5.100", "2.4.0.1", "2025.12.21"}, nil)
	date := host + "/x/date"
	pushTags(t, date, []string{"2025.12.21", "2025.12.28", "2026.01.04"}, nil)
	strict := host + "/x/strict"
	pushTags(t, strict, []string{"1.2.3", "1.2.4", "1.2.4.1", "1.37"}, nil)
	nix := host + "/x/nix"
	pushTags(t, nix, []string{"1.0.0", "1.0.1"}, map[string]time.Time{"1.0.1": time.Unix(1, 0)})
	idx := host + "/x/multi"
	pushTags(t, idx, []string{"3.0.0"}, nil)
	registry.PushIndex(t, idx+":3.0.1", registry.Image(t, ago(300), nil), registry.Image(t, time.Unix(0, 0), nil))
	registry.PushIndex(t, idx+":3.0.2", registry.Image(t, ago(200), nil), registry.Image(t, ago(1), nil))

	for _, tc := range []struct {
		name, policy, current string
		want                  string   // To; "" for none
		class                 string   // class of To
		held                  []string // "tag: reason"
	}{
		{"patch", "update: patch", app + ":1.2.3", "1.2.6", "patch",
			[]string{"2.0.0: a major step; the policy allows patch steps only", "1.4.0: a minor step; the policy allows patch steps only", "1.3.1-rc.1: a minor step; the policy allows patch steps only", "1.3.0: a minor step; the policy allows patch steps only"}},
		{"minor", "update: minor", app + ":1.2.3", "1.4.0", "minor", []string{"2.0.0: a major step; the policy allows up to minor steps"}},
		{"major", "update: major", app + ":1.2.3", "2.0.0", "major", nil},
		{"digest", "update: digest", app + ":1.2.3", "", "", nil},
		{"prerelease held", "update: minor\n    allow: \">=1.3 <1.4\"", app + ":1.2.3", "1.3.0", "minor",
			[]string{"2.0.0: a major step; the policy allows up to minor steps", "1.4.0: outside allow \">=1.3 <1.4\"", "1.3.1-rc.1: a pre-release (prerelease: false)"}},
		{"prerelease allowed", "update: minor\n    allow: \">=1.3 <1.4\"\n    prerelease: true", app + ":1.2.3", "1.3.1-rc.1", "minor",
			[]string{"2.0.0: a major step; the policy allows up to minor steps", "1.4.0: outside allow \">=1.3 <1.4\""}},
		{"allow", "update: patch\n    allow: \"<1.2.5\"", app + ":1.2.3", "1.2.4", "patch",
			[]string{"2.0.0: a major step; the policy allows patch steps only", "1.4.0: a minor step; the policy allows patch steps only",
				"1.3.1-rc.1: a minor step; the policy allows patch steps only", "1.3.0: a minor step; the policy allows patch steps only", "1.2.6: outside allow \"<1.2.5\"", "1.2.5: outside allow \"<1.2.5\""}},
		{"min_age holds back the newest patch", "update: patch\n    min_age: 72h", app + ":1.2.3", "1.2.5", "patch",
			[]string{"2.0.0: a major step; the policy allows patch steps only", "1.4.0: a minor step; the policy allows patch steps only",
				"1.3.1-rc.1: a minor step; the policy allows patch steps only", "1.3.0: a minor step; the policy allows patch steps only", "1.2.6: 1h0m0s old, min_age 72h0m0s"}},
		{"min_age of an index is its youngest platform", "update: patch\n    min_age: 3d", idx + ":3.0.0", "3.0.1", "patch",
			[]string{"3.0.2: 1h0m0s old, min_age 72h0m0s"}},
		{"variant and build", "update: minor", pg + ":17.6.0-debian-12-r5", "17.7.0-debian-12-r1", "minor", nil},
		{"regex build", "update: patch\n    versioning: \"regex:(?P<major>\\\\d+)\\\\.(?P<minor>\\\\d+)\\\\.(?P<patch>\\\\d+)-(?P<compat>debian-\\\\d+)-r(?P<build>\\\\d+)\"",
			pg + ":17.6.0-debian-12-r5", "17.6.0-debian-12-r12", "patch",
			[]string{"17.7.0-debian-12-r1: a minor step; the policy allows patch steps only"}},
		{"loose four parts", "update: minor", arr + ":2.3.4.5307", "2.4.0.1", "minor", nil},
		{"loose four parts patch", "update: patch", arr + ":2.3.4.5307", "2.3.5.100", "patch", []string{"2.4.0.1: a minor step; the policy allows patch steps only"}},
		{"loose dates", "update: major", date + ":2025.12.21", "2026.01.04", "major", nil},
		{"semver strict", "update: patch\n    versioning: semver", strict + ":1.2.3", "1.2.4", "patch", nil},
		{"epoch is old enough", "update: patch\n    min_age: 72h", nix + ":1.0.0", "1.0.1", "patch", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseConfig(t, "  - match: \""+host+"/**\"\n    "+tc.policy+"\n")
			key := imageref.Key(tc.current)
			var log bytes.Buffer
			got, err := Decide(context.Background(), cfg, resolver(t), []imageref.Key{key, key},
				Options{Jobs: 2, Log: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			d := got[key]
			if !d.Versioned {
				t.Fatalf("%s is not a version", tc.current)
			}
			if d.To != tc.want || (tc.want != "" && d.Class.String() != tc.class) {
				t.Errorf("To = %q (%v), want %q (%s)", d.To, d.Class, tc.want, tc.class)
			}
			var held []string
			for _, h := range d.Held {
				held = append(held, h.Tag+": "+h.Reason)
			}
			if !slices.Equal(held, tc.held) {
				t.Errorf("held:\n%s\nwant:\n%s", strings.Join(held, "\n"), strings.Join(tc.held, "\n"))
			}
			if strings.Contains(tc.name, "epoch") && !strings.Contains(log.String(), "no trustworthy creation time") {
				t.Errorf("debug log does not say the creation time was not trusted:\n%s", log.String())
			}
		})
	}

	// Tags the scheme cannot read are not versions; nothing is listed for
	// a policy that keeps tags unless All asks.
	cfg := parseConfig(t, "  - match: \""+strict+"\"\n    update: patch\n    versioning: semver\n  - match: \""+app+"\"\n    update: digest\n")
	got, err := Decide(context.Background(), cfg, resolver(t), []imageref.Key{imageref.Key(strict + ":1.37"), imageref.Key(app + ":1.2.3")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := got[imageref.Key(strict+":1.37")]; d.Versioned {
		t.Errorf("1.37 read as a semver version: %+v", d)
	}
	if d := got[imageref.Key(app+":1.2.3")]; d.Newer != nil || d.To != "" {
		t.Errorf("update: digest listed or moved: %+v", d)
	}
	got, err = Decide(context.Background(), cfg, resolver(t), []imageref.Key{imageref.Key(app + ":1.2.3")}, Options{All: true})
	if d := got[imageref.Key(app+":1.2.3")]; err != nil || len(d.Newer) == 0 || d.Newer[0].Raw != "2.0.0" || d.To != "" {
		t.Errorf("All: %+v, %v", d, err)
	}
	if tagver.StepOf(got[imageref.Key(app+":1.2.3")].Current, got[imageref.Key(app+":1.2.3")].Newer[0]) != tagver.Major {
		t.Error("1.2.3 → 2.0.0 is not major")
	}
}
