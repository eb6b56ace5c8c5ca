package scan

import (
	"strings"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// Images written inside larger strings: Kubernetes YAML (or JSON) kept
// as text, in a ConfigMap, a `services.k3s.manifests.<name>.text`, a
// `yamls` list. A line `image: ghcr.io/x/y:1.0` (`- image: ...`, quoted or
// not, any image-named key) is a site of the form "embedded" at the
// reference, editable in place when the reference is literal text there.

// embedded records the image lines of string x.
func (s *scanner) embedded(x *syntax.String, e *env) {
	// Most strings say nothing of images: look for the word first.
	hit := false
	for _, p := range x.Parts {
		if t, ok := p.(*syntax.StringText); ok && strings.Contains(t.Value, "mage") {
			hit = true
			break
		}
	}
	if !hit {
		return
	}
	sv, ok := s.ev.evalString(x, e, 0).(*strVal)
	if !ok {
		return
	}
	text := sv.text
	for start := 0; start < len(text); {
		end := lineEnd(text, start)
		switch key, vs, ve, ok := yamlImageLine(text, start, end); {
		case ok:
			s.addEmbedded(x, sv, key, vs, ve)
		case key != "" && vs < 0:
			// `image:` opening a block of helm values.
			s.yamlImageBlock(x, sv, key, start, end)
		default:
			for _, f := range flagImages(text, start, end) {
				s.addEmbedded(x, sv, f.flag, f.vs, f.ve)
			}
		}
		start = end + 1
	}
}

func lineEnd(text string, start int) int {
	if end := strings.IndexByte(text[start:], '\n'); end >= 0 {
		return start + end
	}
	return len(text)
}

// indentOfLine is the number of spaces (and list dashes) before the key
// on the line starting at start.
func indentOfLine(text string, start, end int) int {
	i := start
	for i < end && (text[i] == ' ' || (text[i] == '-' && i+1 < end && text[i+1] == ' ')) {
		i++
	}
	return i - start
}

// yamlImageBlock reads the helm values under an `image:` line that has no
// value of its own:
//
//	image:
//	  repository: ghcr.io/acme/api
//	  tag: "1.4.2"
//
// A repository with a tag or digest is one embedded reference, reported
// at the repository and pinned after the tag.
func (s *scanner) yamlImageBlock(x *syntax.String, sv *strVal, key string, start, end int) {
	text := sv.text
	parent := indentOfLine(text, start, end)
	type kv struct{ vs, ve int }
	keys := map[string]kv{}
	child := -1
	// The block ends at the first line not indented deeper; a block of
	// helm image values is a few lines, so look at a few only.
	for n, ls := 0, end+1; ls < len(text) && n < 16; n++ {
		le := lineEnd(text, ls)
		if strings.TrimSpace(text[ls:le]) == "" {
			ls = le + 1
			continue
		}
		ind := indentOfLine(text, ls, le)
		if ind <= parent {
			break
		}
		if child < 0 {
			child = ind
		}
		if ind == child {
			if k, vs, ve, ok := yamlKeyValue(text, ls, le); ok {
				switch k {
				case "registry", "repository", "tag", "digest":
					if _, dup := keys[k]; !dup {
						keys[k] = kv{vs, ve}
					}
				}
			}
		}
		ls = le + 1
	}
	repo, ok := keys["repository"]
	if !ok {
		return
	}
	_, tag := keys["tag"]
	_, digest := keys["digest"]
	if !tag && !digest {
		return
	}
	var pieces []*strVal
	sep := func(t string) {
		pieces = append(pieces, &strVal{text: t, parts: []part{{end: len(t), synthetic: true}}})
	}
	if r, ok := keys["registry"]; ok {
		pieces = append(pieces, sv.slice(r.vs, r.ve))
		if !strings.HasSuffix(text[r.vs:r.ve], "/") {
			sep("/")
		}
	}
	pieces = append(pieces, sv.slice(repo.vs, repo.ve))
	if t, ok := keys["tag"]; ok {
		sep(":")
		pieces = append(pieces, sv.slice(t.vs, t.ve))
	}
	if d, ok := keys["digest"]; ok {
		sep("@")
		pieces = append(pieces, sv.slice(d.vs, d.ve))
	}
	val := concatAll(pieces)
	val.whole, val.nodes = sv.whole, sv.nodes
	s.addEmbeddedValue(x, sv, key, repo.vs, val)
}

type flagValue struct {
	flag   string
	vs, ve int
}

// flagImages finds `--engine-image=ghcr.io/x/y:1` on the line
// text[start:end]: a flag naming an image, and its value.
func flagImages(text string, start, end int) []flagValue {
	var out []flagValue
	line := text[start:end]
	for i := 0; ; {
		j := strings.Index(line[i:], "mage=")
		if j < 0 {
			return out
		}
		eq := i + j + len("mage")
		i = eq + 1
		// The flag: back to the start of its word.
		k := eq
		for k > 0 && (isAlnum(line[k-1]) || line[k-1] == '-' || line[k-1] == '_') {
			k--
		}
		flag := line[k:eq]
		if !strings.HasPrefix(flag, "-") || !strings.HasSuffix(strings.ToLower(flag), "image") {
			continue
		}
		if k > 0 && !strings.ContainsRune(" \t\"'", rune(line[k-1])) {
			continue
		}
		ve := i
		for ve < len(line) && !strings.ContainsRune(" \t\"',;", rune(line[ve])) {
			ve++
		}
		if ve > i && !strings.Contains(line[i:ve], "{{") {
			out = append(out, flagValue{flag: flag, vs: start + i, ve: start + ve})
		}
	}
}

// yamlImageLine finds `key: value` on the line text[start:end] with an
// image-named key, and returns the key and the value's range. A key with
// no value on its line (a block follows) is returned with vs -1.
func yamlImageLine(text string, start, end int) (key string, vs, ve int, ok bool) {
	key, vs, ve, ok = yamlKeyValue(text, start, end)
	if key == "" || !isImageName(key) {
		return "", 0, 0, false
	}
	return key, vs, ve, ok
}

// yamlKeyValue reads `[- ]key: value` on the line text[start:end]: the
// key, and the range of the value inside any quotes. A key without a
// value returns vs -1 and ok false.
func yamlKeyValue(text string, start, end int) (key string, vs, ve int, ok bool) {
	i := start
	skip := func() {
		for i < end && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
	}
	skip()
	for i+1 < end && text[i] == '-' && (text[i+1] == ' ' || text[i+1] == '\t') {
		i++
		skip()
	}
	quote := byte(0)
	if i < end && (text[i] == '"' || text[i] == '\'') {
		quote = text[i]
		i++
	}
	k := i
	for i < end && (isAlnum(text[i]) || text[i] == '_' || text[i] == '-') {
		i++
	}
	key = text[k:i]
	if quote != 0 {
		if i >= end || text[i] != quote {
			return "", 0, 0, false
		}
		i++
	}
	if key == "" || i >= end || text[i] != ':' {
		return "", 0, 0, false
	}
	i++
	if i < end && text[i] != ' ' && text[i] != '\t' {
		return "", 0, 0, false
	}
	skip()
	if i >= end || text[i] == '#' {
		return key, -1, -1, false
	}
	switch text[i] {
	case '"', '\'':
		q := text[i]
		j := strings.IndexByte(text[i+1:end], q)
		if j < 0 {
			return "", 0, 0, false
		}
		vs, ve = i+1, i+1+j
	case '{', '[', '&', '*', '!', '|', '>', '%', '@', '`':
		return "", 0, 0, false
	default:
		vs = i
		ve = i
		for ve < end && text[ve] != ' ' && text[ve] != '\t' && text[ve] != ',' && text[ve] != '}' {
			ve++
		}
		// A JSON line: `"image": "x",` was handled above; a plain value
		// ends at a comment or the end of the line.
		if rest := strings.TrimSpace(text[ve:end]); rest != "" && !strings.HasPrefix(rest, "#") && rest != "," && rest != "}" {
			return "", 0, 0, false
		}
	}
	if ve <= vs || strings.Contains(text[vs:ve], "{{") {
		return "", 0, 0, false
	}
	return key, vs, ve, true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// addEmbedded records the reference at [vs, ve) of x's value sv.
func (s *scanner) addEmbedded(x *syntax.String, sv *strVal, key string, vs, ve int) {
	s.addEmbeddedValue(x, sv, key, vs, sv.slice(vs, ve))
}

// addEmbeddedValue records val, a reference read from x's value sv
// starting at vs.
func (s *scanner) addEmbeddedValue(x *syntax.String, sv *strVal, key string, vs int, val *strVal) {
	if val.known() && imageref.IsHostPort(val.text) {
		return
	}
	if !hasName(val) {
		return
	}
	// Reported where the reference starts in the source: in this
	// string's text, or at the interpolation that brings it in.
	pos := x.Start
	if p := partAt(sv, vs); p != nil {
		switch {
		case p.str == x && p.lit != nil:
			if start, _, exact := s.srcRange(p, vs, min(vs+1, p.end)); exact {
				pos = start
			} else {
				pos = p.lit.Start
			}
		case p.use != (syntax.Span{}):
			pos = p.use.Start
		}
	}
	c := s.add(embKey{x, vs}, func() *candidate { return &candidate{form: FormEmbedded, val: val, pos: pos} }, nil)
	c.imageKey = key
	c.lenient = isLenientName(key)
}
