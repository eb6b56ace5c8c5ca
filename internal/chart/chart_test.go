package chart

import (
	"fmt"
	"strings"
	"testing"
)

func TestImages(t *testing.T) {
	c, err := parse([]byte("name: x\nversion: 1.2.3\nappVersion: v9\n"), []byte(`global:
  imageRegistry: ""
image:
  repository: quay.io/jetstack/cert-manager-controller
  tag: ""
  digest: ""
webhook:
  image: {repository: quay.io/jetstack/cert-manager-webhook, tag: v1.16.2}
sidecar:
  image: "docker.io/library/busybox:1.37"
  kubectlImage: bitnami/kubectl:1.31
  notes: "ghcr.io/x/y:1"
csi:
  rbd:
    image:
      registry: quay.io
      repository: cephcsi/cephcsi
      tag: 3.12
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, im := range c.Images {
		r, err := c.Ref(im, "", "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s string=%v digest=%v", strings.Join(im.Path, "."), r.Written, im.String, im.Digest))
	}
	want := []string{
		"image quay.io/jetstack/cert-manager-controller:v9 string=false digest=true",
		"webhook.image quay.io/jetstack/cert-manager-webhook:v1.16.2 string=false digest=false",
		"sidecar.image docker.io/library/busybox:1.37 string=true digest=false",
		"sidecar.kubectlImage bitnami/kubectl:1.31 string=true digest=false",
		"csi.rbd.image quay.io/cephcsi/cephcsi:3.12 string=false digest=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A global registry set by the release goes in front of every set.
	r, _ := c.Ref(c.Images[4], "registry.local:5000", "", "", "")
	if r.Written != "registry.local:5000/cephcsi/cephcsi:3.12" {
		t.Errorf("with a global registry: %s", r.Written)
	}
}
