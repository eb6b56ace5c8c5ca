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

func ExampleLooksLikeImage() {
	for _, s := range []string{
		"ghcr.io/x/backup-toolbox:1.0.0",
		"postgresql.default.svc:5432",
		"oci://registry-1.docker.io/bitnamicharts/postgresql",
		"backup",
	} {
		fmt.Println(s, imageref.LooksLikeImage(s))
	}
	// Output:
	// ghcr.io/x/backup-toolbox:1.0.0 true
	// postgresql.default.svc:5432 false
	// oci://registry-1.docker.io/bitnamicharts/postgresql false
	// backup false
}
