package imageref

import "testing"

func TestKey(t *testing.T) {
	for _, c := range []struct {
		ref, key, repo, tag string
	}{
		{"busybox:1.37", "docker.io/library/busybox:1.37", "docker.io/library/busybox", "1.37"},
		{"localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app", "v1"},
		{"ghcr.io/a/b:1@sha256:" + zeros, "ghcr.io/a/b:1", "ghcr.io/a/b", "1"},
		{"ghcr.io/a/b@sha256:" + zeros, "", "", ""},
	} {
		r, err := Parse(c.ref)
		if err != nil {
			t.Fatal(err)
		}
		k := r.Key()
		if string(k) != c.key || k.Repository() != c.repo || k.Tag() != c.tag {
			t.Errorf("%s: key %q (%q, %q), want %q (%q, %q)", c.ref, k, k.Repository(), k.Tag(), c.key, c.repo, c.tag)
		}
		if k != "" && MakeKey(k.Repository(), k.Tag()) != k {
			t.Errorf("%s: MakeKey does not give the key back", c.ref)
		}
	}
	if k := Key("localhost:5000/app"); k.Repository() != "localhost:5000/app" || k.Tag() != "" {
		t.Errorf("a key without a tag: %q %q", k.Repository(), k.Tag())
	}
	if got := Key("ghcr.io/a/b:1").WithTag("2"); got != "ghcr.io/a/b:2" {
		t.Errorf("WithTag: %q", got)
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000001"
