package scan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// editView shows an Edit as source text, which is what a rewriter splices.
type editView struct {
	Literal    string
	Repository []textView
	Tag        *textView
	Digest     *textView
	End        string // the source from End on, "" when End is -1
	AttrSet    *setView
}

type textView struct {
	Text, Value, Var, Binding, Use string
	Uses                           []string
}

type setView struct {
	Tag, Digest, AfterInsert, Indent string
}

func viewEdit(src string, e Edit) editView {
	sp := func(s syntax.Span) string { return src[s.Start:s.End] }
	tv := func(t *Text) *textView {
		if t == nil {
			return nil
		}
		v := &textView{Text: sp(t.Span), Value: t.Value, Var: t.Var, Binding: sp(t.Binding), Use: sp(t.Use)}
		for _, u := range t.Uses {
			v.Uses = append(v.Uses, sp(u))
		}
		return v
	}
	v := editView{Literal: sp(e.Literal), Tag: tv(e.Tag), Digest: tv(e.Digest)}
	for i := range e.Repository {
		v.Repository = append(v.Repository, *tv(&e.Repository[i]))
	}
	if e.End >= 0 {
		v.End = src[e.End:]
	}
	if a := e.AttrSet; a != nil {
		v.AttrSet = &setView{Tag: sp(a.Tag), Digest: sp(a.Digest), AfterInsert: src[a.InsertAt:], Indent: a.Indent}
	}
	return v
}

func TestEdit(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []editView
	}{
		{
			name: "string with tag",
			src:  `{ image = "busybox:1.37"; }`,
			want: []editView{{
				Literal:    `"busybox:1.37"`,
				Repository: []textView{{Text: "busybox", Value: "busybox"}},
				Tag:        &textView{Text: "1.37", Value: "1.37"},
				End:        `"; }`,
			}},
		},
		{
			name: "string with digest",
			src:  `{ image = "ghcr.io/x/y:v1@sha256:` + hexA + `"; }`,
			want: []editView{{
				Literal:    `"ghcr.io/x/y:v1@sha256:` + hexA + `"`,
				Repository: []textView{{Text: "ghcr.io/x/y", Value: "ghcr.io/x/y"}},
				Tag:        &textView{Text: "v1", Value: "v1"},
				Digest:     &textView{Text: "sha256:" + hexA, Value: "sha256:" + hexA},
				End:        `"; }`,
			}},
		},
		{
			name: "interpolated repository",
			src:  `let app = "openclaw-nix"; in { image = "ghcr.io/x/${app}:latest"; name = app; }`,
			want: []editView{{
				Literal: `"ghcr.io/x/${app}:latest"`,
				Repository: []textView{
					{Text: "ghcr.io/x/", Value: "ghcr.io/x/"},
					{Text: "openclaw-nix", Value: "openclaw-nix", Var: "app", Binding: `app = "openclaw-nix";`, Use: "${app}", Uses: []string{"app", "app"}},
				},
				Tag: &textView{Text: "latest", Value: "latest"},
				End: `"; name = app; }`,
			}},
		},
		{
			name: "tag from a shared variable",
			src: `let imageTag = "latest"; in {
  a = { repository = "ghcr.io/x/front"; tag = imageTag; };
  b = { repository = "ghcr.io/x/back"; tag = imageTag; };
}`,
			want: []editView{
				{
					Literal:    `"ghcr.io/x/front"`,
					Repository: []textView{{Text: "ghcr.io/x/front", Value: "ghcr.io/x/front"}},
					Tag:        &textView{Text: "latest", Value: "latest", Var: "imageTag", Binding: `imageTag = "latest";`, Use: "imageTag", Uses: []string{"imageTag", "imageTag"}},
					AttrSet:    &setView{Tag: "tag = imageTag;", AfterInsert: " };\n  b = { repository = \"ghcr.io/x/back\"; tag = imageTag; };\n}"},
				},
				{
					Literal:    `"ghcr.io/x/back"`,
					Repository: []textView{{Text: "ghcr.io/x/back", Value: "ghcr.io/x/back"}},
					Tag:        &textView{Text: "latest", Value: "latest", Var: "imageTag", Binding: `imageTag = "latest";`, Use: "imageTag", Uses: []string{"imageTag", "imageTag"}},
					AttrSet:    &setView{Tag: "tag = imageTag;", AfterInsert: " };\n}"},
				},
			},
		},
		{
			name: "tag interpolated and concatenated",
			src: `let v = "1"; t.tag = "2"; in {
  a.image = "ghcr.io/x/y:${v}";
  b.image = "ghcr.io/x/z:" + v;
  c = { inherit (t) tag; repository = "ghcr.io/x/w"; };
}`,
			want: []editView{
				{
					Literal:    `"ghcr.io/x/y:${v}"`,
					Repository: []textView{{Text: "ghcr.io/x/y", Value: "ghcr.io/x/y"}},
					Tag:        &textView{Text: "1", Value: "1", Var: "v", Binding: `v = "1";`, Use: "${v}", Uses: []string{"v", "v"}},
				},
				{
					Literal:    `"ghcr.io/x/z:" + v`,
					Repository: []textView{{Text: "ghcr.io/x/z", Value: "ghcr.io/x/z"}},
					Tag:        &textView{Text: "1", Value: "1", Var: "v", Binding: `v = "1";`, Use: "v", Uses: []string{"v", "v"}},
				},
				{
					Literal:    `"ghcr.io/x/w"`,
					Repository: []textView{{Text: "ghcr.io/x/w", Value: "ghcr.io/x/w"}},
					Tag:        &textView{Text: "2", Value: "2", Use: "tag"},
					AttrSet:    &setView{Tag: "inherit (t) tag;", AfterInsert: " repository = \"ghcr.io/x/w\"; };\n}"},
				},
			},
		},
		{
			name: "multi-line set",
			src: `{
  image = {
    registry = "ghcr.io";
    repository = "x/pg";
    tag = "1";
    pullPolicy = "IfNotPresent";
  };
}`,
			want: []editView{{
				Literal: `"x/pg"`,
				Repository: []textView{
					{Text: "ghcr.io", Value: "ghcr.io"},
					{Text: "x/pg", Value: "x/pg"},
				},
				Tag:     &textView{Text: "1", Value: "1"},
				End:     "\";\n    pullPolicy = \"IfNotPresent\";\n  };\n}",
				AttrSet: &setView{Tag: `tag = "1";`, AfterInsert: "\n    pullPolicy = \"IfNotPresent\";\n  };\n}", Indent: "    "},
			}},
		},
		{
			name: "set with digest key",
			src:  `{ x = { repository = "a/b"; tag = "1"; digest = "sha256:` + hexB + `"; }; }`,
			want: []editView{{
				Literal:    `"a/b"`,
				Repository: []textView{{Text: "a/b", Value: "a/b"}},
				Tag:        &textView{Text: "1", Value: "1"},
				Digest:     &textView{Text: "sha256:" + hexB, Value: "sha256:" + hexB},
				End:        `"; }; }`,
				AttrSet:    &setView{Tag: `tag = "1";`, Digest: `digest = "sha256:` + hexB + `";`, AfterInsert: ` digest = "sha256:` + hexB + `"; }; }`},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sites := File(parse(t, tt.src))
			var got []editView
			for _, s := range sites {
				got = append(got, viewEdit(tt.src, s.Edit))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("edits (-want +got):\n%s", diff)
			}
		})
	}
}
