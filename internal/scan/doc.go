// Package scan finds the image sites of parsed Nix files: every place a
// container image reference is written, in the forms of DESIGN.md "Image
// sites".
//
// # What is a site
//
// A string is a whole-reference site (form "string") when either
//
//   - it is the value of an image-named attribute: `image`, or a name that
//     ends in "Image" or "image" (toolboxImage, exportarrImage), bound in a
//     set, a let, a rec set, a lambda default, or brought in by
//     `inherit image;` / `inherit (x) image;`. The value may be reached
//     through variables, selections of let-bound sets, parentheses,
//     `with`/`let`/`assert` bodies, `+` and interpolation of let-bound
//     literals. It must parse as a reference and must not be "host:port";
//     a bare name such as "nginx" is accepted here; or
//   - it is a literal bound to any other name (not an image-adjacent name
//     such as imageSelector or imagePullPolicy) and is unmistakably an
//     image: an explicit registry host and a tag or digest
//     ("ghcr.io/x/y:1.0"), see imageref.LooksLikeImage.
//
// Strings elsewhere (list elements, function arguments, command lines) are
// never sites on their own: false positives cost more than the rare miss.
//
// A set is a helm-values site (form "attrset") when it has a `repository`
// (or `repo`) key and a `tag` or `digest` key, under any name and at any
// depth. `registry` and siblings such as pullPolicy may be present. The
// keys may be written in place, inherited, or bound to variables. A `repo`
// that does not parse as an image repository (a chart URL) is not a site.
//
// A string is derived (form "derived") when one of its interpolations
// passes through another site: the whole string of a string site, or the
// repository (or registry) of a set (`"${image.repository}:${image.tag}"`,
// `image: ${image}` inside a YAML string). A derived site carries its
// origin's Ref and Pinned, is never editable, and points at the origin.
// Interpolations of only a set's tag do not make a string derived.
//
// A value is reported once, at the literal that holds it, however many
// attributes use it: `toolboxImage = "..."` used by several containers is
// one site at the let binding, with the let name as attribute path.
//
// # Scopes
//
// Variables resolve lexically through let, rec sets, lambda arguments and
// inherit. A name that resolves to a function argument makes the site not
// editable ("repository depends on function argument 'registry'"); a name
// that may come from a `with`, or is unbound, makes it unknown. A value with
// no literal text in the file at all (`image = cfg.image;`) is not a site:
// it is written elsewhere.
//
// # Editable and ignored
//
// Pinned means the reference has a digest. Editable means every part is a
// literal of this file and pinner can write the digest: after the tag (or
// repository) or over the old digest, in place or at the binding of the
// variable the tag comes from.
//
// A comment containing "pinner:ignore" on the site's line, or on the line
// of a binding that holds the value, opts the site out.
package scan
