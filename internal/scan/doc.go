// Package scan finds the image sites of parsed Nix files: every place a
// container image reference is written, in the forms of DESIGN.md "Image
// sites".
//
// The scanner follows what the Nix means, not how it is spelled. One model
// of attribute sets (model.go) serves both the walk and the small
// evaluator (eval.go): `image.repository = "x"; image.tag = "1";` is the
// set `image = { repository = "x"; tag = "1"; }`, a set split over several
// bindings is one set, and let, rec and lambda scopes are sets of names.
// The evaluator follows variables, selections, inherit, `//`,
// lib.recursiveUpdate, lib.mkMerge, the module system's wrappers (mkDefault,
// mkForce, mkOverride, mkIf, ...) and an option's default.
//
// # What is a site
//
//   - string: a whole reference in a string. The value of an image-named
//     attribute (`image`, a name ending in "Image" or "image",
//     `imageName`), however it is reached; each branch of an `if` is its
//     own. Under `image` itself, and as the default of an option
//     (`image = mkOption { default = "nginx"; }`), a bare Docker Hub name
//     is a reference; under the other image-named keys the value needs an
//     explicit registry or a tag (a VM's imageName = "ubuntu-22.04" is
//     not one). Anywhere else — a list element, a function argument, a
//     `+` or an interpolation of literals — a string is a site when it is
//     unmistakably a reference: an explicit registry host and a tag or
//     digest ("ghcr.io/x/y:1.0").
//   - attrset: a helm-values set, a `repository` (or `repo`) and a `tag` or
//     `digest`, optionally a `registry`, under any name at any depth. A
//     `repo` that is a chart repository URL is not one.
//   - partial: under an image-named key, a set that writes only the tag
//     (or only the repository) of an image whose rest is the chart's
//     default. Ref is the part written (":1.2.3"); never editable.
//   - embedded: an image line (`image: ghcr.io/x/y:1.0`) of YAML or JSON kept
//     in a string, editable in place.
//   - pull: the argument set of a pullImage call (any path to it: a set
//     with imageName and imageDigest), ref imageName:finalImageTag@imageDigest
//     (tag "latest" when none is written), always pinned. Edit.Pull keeps
//     where its fixed-output hash is written.
//   - derived: a string one of whose interpolations is another site's whole
//     value (`"${image.repository}:${image.tag}"`, `image: ${toolbox}`).
//     It carries its origin's Ref and Pinned and is never editable.
//
// Never sites: option documentation (example, description, defaultText,
// literalExpression), attribute names, the strings inside a pullImage
// set, host:port strings, chart URLs. A value under an image key that is
// meant as a reference but is not a valid one (upper-case letters, a
// trailing space) is a site with Invalid set: a finding, never an edit.
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
// # Bounded work
//
// Evaluation depth, assembled strings and the steps spent per file are
// capped in proportion to the file's size, so a file built to blow up
// costs no more than its size says; what is cut short makes a site not
// editable, "too complex to evaluate statically".
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
