package cli

import (
	"strconv"
	"unicode/utf8"

	"github.com/pinner-dev/pinner/internal/scan"
)

// appendSiteJSON appends s as encoding/json's MarshalIndent(s, indent,
// "  ") writes it, byte for byte, without the second pass MarshalIndent
// makes over its own output: scan --json writes every site of a tree.
func appendSiteJSON(b []byte, s *scan.Site, indent string) []byte {
	field := func(name string) {
		b = append(b, '\n')
		b = append(b, indent...)
		b = append(b, "  \""...)
		b = append(b, name...)
		b = append(b, "\": "...)
	}
	b = append(b, '{')
	field("file")
	b = appendJSONString(b, s.File)
	field("line")
	b = strconv.AppendInt(b, int64(s.Line), 10)
	b = append(b, ',')
	field("column")
	b = strconv.AppendInt(b, int64(s.Column), 10)
	b = append(b, ',')
	field("form")
	b = appendJSONString(b, string(s.Form))
	field("attr_path")
	b = appendJSONString(b, s.AttrPath)
	field("ref")
	b = appendJSONString(b, s.Ref)
	field("pinned")
	b = strconv.AppendBool(b, s.Pinned)
	b = append(b, ',')
	field("editable")
	b = strconv.AppendBool(b, s.Editable)
	if s.Reason != "" {
		b = append(b, ',')
		field("reason")
		b = appendJSONString(b, s.Reason)
		b = b[:len(b)-1] // no comma after the last field
	}
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends v quoted as encoding/json quotes it (with its
// default HTML escaping), followed by a comma.
func appendJSONString(b []byte, v string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, v[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, v[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, v[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, v[start:]...)
	return append(b, '"', ',')
}
