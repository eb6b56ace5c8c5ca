package imageref

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

// The regexps the hand-written matchers replace.
var (
	digestRE    = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	tagRE       = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	componentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	hostRE      = regexp.MustCompile(`^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?$`)
)

func TestMatchersAgreeWithRegexps(t *testing.T) {
	checks := []struct {
		name string
		re   *regexp.Regexp
		f    func(string) bool
	}{
		{"digest", digestRE, validDigest},
		{"tag", tagRE, validTag},
		{"component", componentRE, validComponent},
		{"host", hostRE, validHost},
	}
	fixed := []string{"", "a", "A", "_", "-", ".", ":", "a.b", "a..b", "a-b", "a--b", "a_b", "a__b", "a___b", "a._b",
		"-a", "a-", "a:1", "a:", ":1", "a.b:80", "a.b:8x", "a.-b", "localhost:5000", "registry.k8s.io", "Ab", "aB",
		"sha256:" + strings.Repeat("a", 64), "sha256:" + strings.Repeat("A", 64), "sha256:" + strings.Repeat("0", 63),
		strings.Repeat("x", 128), strings.Repeat("x", 129), "1.2.3", "v1.0-rc_1", "a\n", "é", "a:1:2", "a.b.c-d.e:0"}
	alphabet := "aAz09._-:/@éx\n"
	rng := rand.New(rand.NewSource(1))
	var gen []string
	for range 200000 {
		n := rng.Intn(8)
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.Intn(len(alphabet))])
		}
		gen = append(gen, b.String())
	}
	for _, c := range checks {
		for _, s := range append(fixed, gen...) {
			if got, want := c.f(s), c.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, regexp says %v", c.name, s, got, want)
			}
		}
	}
}

// TestDirectReferenceParse holds Parse's direct NewTag/NewDigest call to
// name.ParseReference on the references Parse's own checks let through.
func TestDirectReferenceParse(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	hosts := []string{"", "docker.io/", "ghcr.io/", "localhost/", "localhost:5000/", "a.b:80/", "host:5000/", "index.docker.io/", "x/"}
	repos := []string{"a", "library/nginx", "a/b/c", "a__b", "a-b.c", strings.Repeat("a", 250), strings.Repeat("a/", 130) + "a"}
	tags := []string{"", ":1", ":latest", ":v1.2.3-rc_1", ":" + strings.Repeat("t", 128)}
	digests := []string{"", "@sha256:" + hex}
	n := 0
	for _, h := range hosts {
		for _, r := range repos {
			for _, tg := range tags {
				for _, d := range digests {
					s := h + r + tg + d
					got, gerr := Parse(s)
					ref, err := name.ParseReference(s)
					if err == nil && len(ref.Context().RepositoryStr()) > maxRepository {
						err = ErrInvalid
					}
					if (gerr == nil) != (err == nil) {
						// Parse's own checks may refuse more; never less.
						if gerr == nil {
							t.Errorf("%q: Parse accepts, ParseReference says %v", s, err)
						}
						continue
					}
					if gerr == nil {
						n++
						if got.Written != s {
							t.Errorf("%q: written %q", s, got.Written)
						}
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no reference accepted")
	}
}
