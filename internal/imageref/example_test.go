package imageref_test

import (
	"fmt"

	"github.com/pinner-dev/pinner/internal/imageref"
)

func ExampleParse() {
	r, err := imageref.Parse("busybox:1.37")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Repository, r.Tag)
	fmt.Println(r.Normalized())
	fmt.Println(r.WithDigest("sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb"))
	// Output:
	// busybox 1.37
	// docker.io/library/busybox:1.37
	// busybox:1.37@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb
}

func ExampleRef_Key() {
	r, err := imageref.Parse("localhost:5000/backup:1.0@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb")
	if err != nil {
		panic(err)
	}
	k := r.Key()
	fmt.Println(k)
	fmt.Println(k.Repository(), k.Tag())
	// Output:
	// localhost:5000/backup:1.0
	// localhost:5000/backup 1.0
}
