package scan

import (
	"strings"
	"unicode/utf8"
)

// What an attribute's name says about its value. The scanner reads names
// the way the charts and CRDs that define them do: `image` holds an image,
// and so do `initImage`, `sidecarImage`, `imageName` (CloudNativePG); a
// name such as imagePullPolicy sits next to one and never holds one.

// isImageName reports whether an attribute named n holds an image:
// `image`, a name ending in "Image" or "image" (toolboxImage, initimage),
// or `imageName` and a name ending in "ImageName".
func isImageName(n string) bool {
	// Every such name ends in e or E: most names are ruled out at once.
	if len(n) < 5 || (n[len(n)-1] != 'e' && n[len(n)-1] != 'E') {
		return false
	}
	return strings.HasSuffix(n, "Image") || strings.HasSuffix(n, "image") ||
		n == "imageName" || strings.HasSuffix(n, "ImageName") ||
		// Environment variables: WORKER_IMAGE, OPERATOR_IMAGE_NAME.
		n == "IMAGE" || strings.HasSuffix(n, "_IMAGE") || strings.HasSuffix(n, "_IMAGE_NAME")
}

// isImageNameKey reports whether n is `imageName` or ends in "ImageName":
// the name of an image as a CRD writes it, or of a VM's disk image.
func isImageNameKey(n string) bool { return n == "imageName" || strings.HasSuffix(n, "ImageName") }

// isImageListName reports whether an attribute named n holds a list of
// images: `images`, or a name ending in "Images" (extraImages).
func isImageListName(n string) bool {
	return n == "images" || strings.HasSuffix(n, "Images")
}

// isLenientName reports whether a value under n is an image even without
// an explicit registry or tag: only `image` itself. Under the other
// image-named keys a bare word is too often something else (a VM
// snapshot's imageName = "ubuntu-22.04").
func isLenientName(n string) bool { return n == "image" }

// isImageAdjacent reports names such as imageSelector or imagePullPolicy,
// which sit next to images but never hold one.
func isImageAdjacent(n string) bool {
	if isImageName(n) || isImageListName(n) {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] >= utf8.RuneSelf {
			// Lowering may change the length: do as written.
			l := strings.ToLower(n)
			i := strings.LastIndex(l, "image")
			return i >= 0 && i+len("image") < len(l)
		}
	}
	// ASCII: the last "image" in any case, without lowering a copy.
	// c|0x20 folds exactly the upper- and lower-case letter onto the lower.
	for i := len(n) - len("image"); i >= 0; i-- {
		if n[i]|0x20 == 'i' && n[i+1]|0x20 == 'm' && n[i+2]|0x20 == 'a' && n[i+3]|0x20 == 'g' && n[i+4]|0x20 == 'e' {
			return i+len("image") < len(n)
		}
	}
	return false
}

// docNames are the attributes of an option declaration that document it:
// whatever they hold is text for a reader, never an image in use.
var docNames = map[string]bool{
	"example":         true,
	"description":     true,
	"defaultText":     true,
	"longDescription": true,
	"relatedPackages": true,
}

// docFunctions mark their argument as documentation.
var docFunctions = map[string]bool{
	"literalExpression": true,
	"literalExample":    true,
	"literalMD":         true,
	"literalDocBook":    true,
	"mdDoc":             true,
}

// looksAttempted reports whether text, which does not parse as a
// reference, was meant as one: it is made of the characters references
// are made of, give or take surrounding spaces and the case of letters,
// and is no URL or file path. Such a value under an image key is a
// mistake to report, not something else to pass over.
func looksAttempted(text string) bool {
	t := strings.Trim(text, " \t")
	if t == "" || strings.Contains(t, "://") {
		return false
	}
	switch t[0] {
	case '/', '.', '~', '$', '-', ':', '@':
		return false
	}
	letter := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '.', c == '_', c == '/', c == ':', c == '@', c == '-':
		default:
			return false
		}
	}
	return letter
}
