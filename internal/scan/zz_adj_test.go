package scan

import (
	"strings"
	"testing"
)

func TestZZAdjacent(t *testing.T) {
	old := func(n string) bool {
		l := strings.ToLower(n)
		i := strings.LastIndex(l, "image")
		return i >= 0 && i+len("image") < len(l)
	}
	for _, n := range []string{"", "image", "Image", "IMAGE", "imagePullPolicy", "imageSelector", "toolboxImage", "imagex", "ximage", "imaGeimage", "imageimage", "imagesimage", "imag", "İmage", "Kimagex", "imageK", "a.image.b", "imageİ", "ımage"} {
		if old(n) != isImageAdjacent(n) {
			t.Errorf("%q: %v != %v", n, old(n), isImageAdjacent(n))
		}
	}
}
