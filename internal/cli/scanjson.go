package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"unicode/utf8"

	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// runJSON prints the sites as the files are scanned, so that a tree of
// any size takes the memory of a few files, not of all its sites.
func (c *ScanCmd) runJSON(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadModulesConfig(env, g, c.Paths)
	if err != nil {
		return err
	}
	files, err := workspace.Files(cfg, c.Paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(env.Stdout)
	arr := jsonArray{w: w, indent: "    "}
	fmt.Fprint(w, "{\n  \"sites\": ")
	var errs diag.List
	var buf []byte
	err = streamSites(ctx, files, func(sites []scan.Site, perrs diag.List) error {
		errs = append(errs, perrs...)
		withConfig(cfg, sites)
		for i := range sites {
			buf = appendSiteJSON(buf[:0], &sites[i], arr.indent)
			arr.addRaw(buf)
		}
		return nil
	})
	if err != nil {
		return err
	}
	arr.close()
	fmt.Fprint(w, ",\n  \"errors\": ")
	errs.Sort()
	errArr := jsonArray{w: w, indent: "    "}
	for i := range errs {
		if err := errArr.add(&errs[i]); err != nil {
			return err
		}
	}
	errArr.close()
	fmt.Fprint(w, "\n}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	if len(errs) > 0 {
		return withCode(ExitBadInput, nil)
	}
	return nil
}

// jsonArray writes a JSON array one element at a time, indented as
// writeJSON indents a whole document.
type jsonArray struct {
	w      *bufio.Writer
	indent string
	n      int
}

func (a *jsonArray) add(v any) error {
	b, err := json.MarshalIndent(v, a.indent, "  ")
	if err != nil {
		return err
	}
	a.addRaw(b)
	return nil
}

// addRaw adds an element already encoded, indented for the array.
func (a *jsonArray) addRaw(b []byte) {
	if a.n == 0 {
		a.w.WriteString("[\n")
	} else {
		a.w.WriteString(",\n")
	}
	a.n++
	a.w.WriteString(a.indent)
	a.w.Write(b)
}

func (a *jsonArray) close() {
	if a.n == 0 {
		a.w.WriteString("[]")
		return
	}
	a.w.WriteString("\n" + a.indent[:len(a.indent)-2] + "]")
}

// streamSites scans files and hands fn each file's sites and syntax
// errors, file names relative to the working directory where possible.
func streamSites(ctx context.Context, files []string, fn func([]scan.Site, diag.List) error) error {
	cwd, _ := os.Getwd()
	err := scan.Stream(ctx, files, runtime.NumCPU(), func(fs scan.FileSites) error {
		// Every site of a file has the file's name.
		shown := displayPath(cwd, fs.Name)
		for i := range fs.Sites {
			if fs.Sites[i].File == fs.Name {
				fs.Sites[i].File = shown
			} else {
				fs.Sites[i].File = displayPath(cwd, fs.Sites[i].File)
			}
		}
		var errs diag.List
		for _, e := range fs.Errors {
			errs = append(errs, &diag.Error{
				File: displayPath(cwd, e.File), Line: e.Line, Column: e.Column, Msg: e.Msg,
			})
		}
		return fn(fs.Sites, errs)
	})
	if err != nil {
		return withCode(ExitOutside, err)
	}
	return nil
}

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
	if s.Chart != nil {
		// Few sites are charts: encoding/json writes the object.
		b = append(b, ',')
		field("chart")
		c, err := json.MarshalIndent(s.Chart, indent+"  ", "  ")
		if err != nil {
			panic(err) // strings and a Kind: never fails
		}
		b = append(b, c...)
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
