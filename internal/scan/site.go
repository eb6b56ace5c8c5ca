package scan

import (
	"fmt"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// Form is how an image reference is written.
type Form string

// The forms of DESIGN.md "Image sites".
const (
	// FormString is a whole reference in one string, possibly with
	// interpolations of let-bound literals.
	FormString Form = "string"
	// FormAttrSet is a helm-values set with registry/repository/repo, tag
	// and digest keys.
	FormAttrSet Form = "attrset"
	// FormPartial is a helm-values set under an image-named key that
	// writes only a tag or only a repository: the rest is the chart's
	// default. Ref holds the part written (":1.2.3", "ghcr.io/x/y").
	FormPartial Form = "partial"
	// FormEmbedded is a reference written inside a larger string, such as
	// the `image:` line of YAML kept as text.
	FormEmbedded Form = "embedded"
	// FormDerived is a string built from another site's parts; it follows
	// that site and is never edited itself.
	FormDerived Form = "derived"
)

// Site is one place a container image reference is written.
type Site struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Form   Form   `json:"form"`
	// AttrPath is the dotted path of the attribute holding the image, from
	// the outermost attribute set of the file; list elements are numbered
	// from 0, and a value bound in a let starts from the let name.
	AttrPath string `json:"attr_path"`
	// Ref is the effective reference in the user's spelling. Parts that
	// cannot be known statically are shown as written (`${registry}`).
	Ref      string `json:"ref"`
	Pinned   bool   `json:"pinned"`
	Editable bool   `json:"editable"`
	Reason   string `json:"reason,omitempty"`

	// Image is Ref parsed; the zero Ref when part of the reference is not
	// known statically.
	Image imageref.Ref `json:"-"`
	// Offset is the byte offset of Line:Column.
	Offset int `json:"-"`
	// DerivedFrom is the site a derived site follows.
	DerivedFrom *Site `json:"-"`
	// Edit tells a rewriter which bytes hold each part of the reference.
	// It is complete only when Editable is true.
	Edit Edit `json:"-"`
	// Invalid marks a value written where an image belongs that is not a
	// valid reference (Reason says why): a finding, never an edit.
	Invalid bool `json:"-"`
	// Chart is set for the chart form: the chart a fetch names.
	Chart *ChartEdit `json:"chart,omitempty"`

	// decl is the binding the site's value is, for pinner:ignore.
	decl syntax.Node
}

// Position formats the site as "file:line:col".
func (s *Site) Position() string {
	return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column)
}

// Edit locates the parts of a reference in the source.
type Edit struct {
	// Literal is the string (quotes included) that holds the whole
	// reference, or the `a + b` expression that assembles it (string
	// form); the string that holds the repository (attrset form).
	Literal syntax.Span
	// Repository are the texts that spell registry and repository, in
	// order; several when the reference is assembled by interpolation or
	// from separate registry and repository keys.
	Repository []Text
	// Tag is where the tag is written; nil when the reference has none.
	Tag *Text
	// Digest is where the digest ("sha256:...") is written; nil when the
	// reference has none.
	Digest *Text
	// End is the offset just after the last byte of the reference (of the
	// tag or repository when there is no digest: where "@sha256:..." is
	// appended) when that byte is in a literal written at the site itself,
	// not reached through a variable. -1 otherwise.
	End int
	// AttrSet is set for the attrset form.
	AttrSet *AttrSetEdit
	// Pull is set for the pull form.
	Pull *PullEdit
}

// Text is a piece of source text holding part of a reference.
type Text struct {
	// Span is the bytes, inside the quotes, that spell Value.
	Span  syntax.Span
	Value string
	// Literal is the whole string node (quotes included) holding Value.
	Literal syntax.Span
	// Var is the name of the variable the text comes through, "" when it is
	// written in place.
	Var string
	// Binding is the span of the variable's binding (`name = "...";`).
	Binding syntax.Span
	// Uses are the spans of every use of the variable in the file.
	Uses []syntax.Span
	// Use is the expression at this site that brings the text in: the
	// `${tag}` of a string, the `imageTag` of `tag = imageTag;`. Replacing
	// it with a literal gives the site its own copy. Zero when the text is
	// written in place.
	Use syntax.Span
}

// AttrSetEdit is what inserting or changing a key of a helm-values set needs.
type AttrSetEdit struct {
	// Span is the set, braces included.
	Span syntax.Span
	// Tag and Digest are the spans of the `tag = ...;` and `digest = ...;`
	// bindings; zero when absent.
	Tag, Digest syntax.Span
	// InsertAt is the offset just after the binding a new `digest` binding
	// should follow (the tag's, else the repository's).
	InsertAt int
	// Indent is the whitespace before that binding on its line, "" when the
	// set is written on one line.
	Indent string
	// Prefix is the attribute path a new binding beside that one is
	// written with: "image." when the set is written `image.tag = ...;`.
	Prefix string
}

// ManagedChart reports whether pinner updates the chart fetch s: a chart
// site whose chart (ChartEdit.ID) ignored does not report.
func (s *Site) ManagedChart(ignored func(ref string) bool) bool {
	return s.Form == FormChart && s.Chart != nil && (ignored == nil || !ignored(s.Chart.ID()))
}

// Managed reports whether pinner pins s as an image: it is written in the
// repository rather than derived from another site or a chart fetch, and ignored (the configuration's
// ignore list; nil ignores nothing) does not report its image. ignored is
// asked with the normalised repository, or with the reference as written
// when pinner could not parse it (an invalid site), so that one can be
// ignored too. Every command that pins, checks or updates sites asks this,
// and nothing else, before its own conditions.
func (s *Site) Managed(ignored func(ref string) bool) bool {
	switch {
	case s.Form == FormDerived || s.Form == FormChart:
		return false
	case ignored == nil:
		return true
	case s.Image.Repository != "":
		return !ignored(s.Image.Context())
	default:
		return !ignored(s.Ref)
	}
}
