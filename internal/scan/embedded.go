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
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if key, vs, ve, ok := yamlImageLine(text, start, end); ok {
			s.addEmbedded(x, sv, key, vs, ve)
		} else {
			for _, f := range flagImages(text, start, end) {
				s.addEmbedded(x, sv, f.flag, f.vs, f.ve)
			}
		}
		start = end + 1
	}
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
// image-named key, and returns the key and the value's range.
func yamlImageLine(text string, start, end int) (key string, vs, ve int, ok bool) {
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
	if key == "" || !isImageName(key) || i >= end || text[i] != ':' {
		return "", 0, 0, false
	}
	i++
	if i < end && text[i] != ' ' && text[i] != '\t' {
		return "", 0, 0, false
	}
	skip()
	if i >= end {
		return "", 0, 0, false
	}
	switch text[i] {
	case '"', '\'':
		q := text[i]
		j := strings.IndexByte(text[i+1:end], q)
		if j < 0 {
			return "", 0, 0, false
		}
		vs, ve = i+1, i+1+j
	case '{', '[', '&', '*', '!', '|', '>', '#', '%', '@', '`':
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
	val := sv.slice(vs, ve)
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
