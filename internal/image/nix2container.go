package image

import (
	"fmt"

	"github.com/pinner-dev/pinner/internal/nix2container"
)

// loadNix2container reads a nix2container image.json: the image's layers
// are tarred from the store only when a destination lacks them.
func loadNix2container(path string) (*Output, error) {
	img, err := nix2container.Read(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotImage, err)
	}
	v1img, err := nix2container.NewImage(img, nil)
	if err != nil {
		return nil, fmt.Errorf("reading image.json %s: %w", path, err)
	}
	return &Output{Image: v1img}, nil
}
