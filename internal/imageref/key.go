package imageref

import "strings"

// Key names one tagged image wherever pinner indexes images: the plan's
// digests, pinner.lock's entries, the images the repository builds. It is
// the normalised repository and the tag, "docker.io/library/busybox:1.37",
// which is also how pinner.lock spells its keys. Make one with MakeKey or
// Ref.Key rather than by joining strings, and read it back with Repository
// and Tag.
type Key string

// MakeKey is the key of tag in repository, which must already be
// normalised (Ref.Context); "" when either is empty.
func MakeKey(repository, tag string) Key {
	if repository == "" || tag == "" {
		return ""
	}
	return Key(repository + ":" + tag)
}

// Key is the key of the reference's repository and tag; "" when it has no
// tag (a digest alone names no tag to index).
func (r Ref) Key() Key { return MakeKey(r.Context(), r.Tag) }

// split finds the colon before the tag: the last one after the last slash,
// so that a registry port ("localhost:5000/x:1") stays in the repository.
func (k Key) split() (repo, tag string) {
	s := string(k)
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.IndexByte(s[i:], '/') >= 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// Repository is the normalised repository of the key.
func (k Key) Repository() string { r, _ := k.split(); return r }

// Tag is the tag of the key; "" for a key that has none (a hand-edited
// lock entry).
func (k Key) Tag() string { _, t := k.split(); return t }

// WithTag is the key of another tag in the same repository.
func (k Key) WithTag(tag string) Key { return MakeKey(k.Repository(), tag) }
