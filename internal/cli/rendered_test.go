package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

const pinnedBusybox = "busybox:1.37@sha256:2919d0172f7524b2d8df9e50066a682669e6d170ac0f6a49676d54358fe970b5"

func TestCheckRendered(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"modules/kubenix/app.nix": `{ kubenix, ... }: {
  kubernetes.resources.deployments.web.spec.template.spec.containers.web.image = "ghcr.io/acme/web:1.2";
  kubernetes.helm.releases.cert-manager = {
    chart = kubenix.lib.helm.fetch { repo = "https://charts.jetstack.io"; chart = "cert-manager"; version = "v1.16.2"; sha256 = "sha256-AAAA"; };
  };
}
`,
		".k8s/web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - {name: web, image: "ghcr.io/acme/web:1.2"}
        - {name: side, image: "` + pinnedBusybox + `"}
`,
		".k8s/cert-manager.enc.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cert-manager-webhook
  labels: {app.kubernetes.io/instance: cert-manager, app.kubernetes.io/managed-by: Helm, helm.sh/chart: cert-manager-v1.16.2}
spec:
  template:
    spec:
      containers:
        - name: webhook
          image: quay.io/jetstack/cert-manager-webhook:v1.16.2
sops:
  mac: ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]
`,
		"clean/x.yaml":  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: \"" + pinnedBusybox + "\"}]}\n",
		"broken/x.yaml": "kind: Pod\nspec: [{image: x\n",
	})
	code, out, errOut := run(t, dir, "check", "--rendered", ".k8s", "--json")
	if code != ExitFindings {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 2 {
		t.Fatalf("findings %+v", got.Findings)
	}
	cm, web := got.Findings[0], got.Findings[1]
	if cm.File != ".k8s/cert-manager.enc.yaml" || cm.Line != 11 || cm.Column != 18 ||
		!strings.Contains(cm.Message, "chart default of helm release cert-manager (chart cert-manager v1.16.2), declared at modules/kubenix/app.nix:3:28") {
		t.Errorf("chart default finding %+v", cm)
	}
	if web.File != ".k8s/web.yaml" || web.Line != 8 || web.Ref != "ghcr.io/acme/web:1.2" ||
		!strings.Contains(web.Message, "written at modules/kubenix/app.nix:2:82") {
		t.Errorf("Nix site finding %+v", web)
	}
	if code, out, _ := run(t, "", "check", "--rendered", "clean"); code != 0 || out != "" {
		t.Errorf("clean tree: exit %d, %q", code, out)
	}
	if code, _, errOut := run(t, "", "check", "--rendered", "broken"); code != ExitBadInput || !strings.Contains(errOut, "broken/x.yaml:2:") {
		t.Errorf("broken YAML: exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, "", "check", "--rendered", "clean", "--staged"); code != ExitBadInput {
		t.Errorf("--rendered with --staged: exit %d", code)
	}
}
