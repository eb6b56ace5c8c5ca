package rendered

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	imgs, errs, err := Read(context.Background(), "testdata/tree")
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	var got []string
	for _, im := range imgs {
		s := fmt.Sprintf("%s:%d:%d %s %s", filepath.Base(im.File), im.Line, im.Column, im.Kind, im.Ref)
		if im.Invalid != "" {
			s += " invalid"
		}
		if im.Helm != nil {
			s += " helm=" + im.Helm.Release + "/" + im.Helm.Chart
		}
		got = append(got, s)
	}
	want := []string{
		"crds.yml:7:12 CephCluster quay.io/ceph/ceph:v18.2.4",
		"crds.yml:14:19 Cluster ghcr.io/cloudnative-pg/postgresql:16.2",
		"crds.yml:23:50 Pod nicolaka/netshoot",
		"crds.yml:24:37 Pod Not A Ref invalid",
		"manifests.yaml:16:18 Deployment quay.io/jetstack/cert-manager-controller:v1.16.2 helm=cert-manager/cert-manager-v1.16.2",
		"manifests.yaml:36:22 CronJob busybox:1.37@sha256:2919d0172f7524b2d8df9e50066a682669e6d170ac0f6a49676d54358fe970b5 helm=cert-manager/cert-manager-v1.16.2",
		"manifests.yaml:39:22 CronJob bitnami/kubectl:1.31 helm=cert-manager/cert-manager-v1.16.2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFileErrors(t *testing.T) {
	_, errs, err := Read(context.Background(), "testdata/broken.yaml")
	if err != nil || len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Msg, "invalid YAML") {
		t.Fatalf("err %v, errs %v", err, errs)
	}
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	_, errs = File("deep.yaml", []byte("image: "+deep))
	if len(errs) != 1 || errs[0].Column != 7+MaxDepth || !strings.Contains(errs[0].Msg, "nests more than") {
		t.Fatalf("errs %v", errs)
	}
}
