// Command renderedtime measures `pinner check --rendered` as a whole
// process on a generated tree of about 120 rendered manifest files (the
// shape `helm template` and kubenix write: Deployments, StatefulSets,
// CronJobs, Services, ConfigMaps and a CRD-sized schema now and then, with
// Helm labels, some images pinned and some not) beside a replicated
// modules-fixtures tree it attributes findings to. In the same run it
// times `pinner check` of those modules and `cat` of the YAML, as
// baselines.
//
//	go run ./internal/bench/renderedtime -pinner bin/pinner
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pinner-dev/pinner/internal/bench/wall"
)

func main() {
	pinner := flag.String("pinner", "bin/pinner", "pinner binary to measure")
	fixtures := flag.String("fixtures", "modules-fixtures/modules/kubenix", "modules to copy beside the manifests")
	files := flag.Int("files", 120, "rendered YAML files")
	runs := flag.Int("runs", 30, "runs of each command")
	flag.Parse()
	if err := run(*pinner, *fixtures, *files, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "renderedtime:", err)
		os.Exit(1)
	}
}

const workload = `---
# Source: %[1]s/templates/%[2]s.yaml
apiVersion: apps/v1
kind: %[2]s
metadata:
  name: %[1]s-%[3]d
  namespace: %[1]s
  labels:
    app.kubernetes.io/name: %[1]s
    app.kubernetes.io/instance: %[1]s
    app.kubernetes.io/managed-by: Helm
    helm.sh/chart: %[1]s-1.%[3]d.0
spec:
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s}
  template:
    metadata:
      labels: {app.kubernetes.io/name: %[1]s}
    spec:
      initContainers:
        - name: init
          image: "docker.io/library/busybox:1.37@sha256:2919d0172f7524b2d8df9e50066a682669e6d170ac0f6a49676d54358fe970b5"
          command: ["sh", "-c", "true"]
      containers:
        - name: main
          image: "quay.io/acme/%[1]s:v1.%[3]d.0"
          imagePullPolicy: IfNotPresent
          args: ["--log-level=info", "--port=8080"]
          env:
            - {name: A, value: "1"}
            - {name: B, valueFrom: {secretKeyRef: {name: s, key: k}}}
          ports: [{containerPort: 8080, name: http}]
          resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 50m, memory: 64Mi}}
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata:
  name: %[1]s-%[3]d
  labels: {app.kubernetes.io/instance: %[1]s, app.kubernetes.io/managed-by: Helm}
spec:
  ports: [{port: 80, targetPort: http}]
  selector: {app.kubernetes.io/name: %[1]s}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: %[1]s-%[3]d-config}
data:
  config.yaml: |
    server:
      port: 8080
      image: quay.io/acme/ignored:1.0
`

const crd = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things%[1]d.acme.io}
spec:
  group: acme.io
  names: {kind: Thing%[1]d, plural: things%[1]d}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
`

func run(pinner, fixtures string, want, runs int) error {
	dir, err := os.MkdirTemp("", "pinner-renderedtime-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The modules check --rendered attributes findings to.
	err = filepath.WalkDir(fixtures, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".nix") {
			return err
		}
		rel, _ := filepath.Rel(fixtures, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, "modules", "kubenix", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return err
	}
	size := 0
	kinds := []string{"Deployment", "StatefulSet", "DaemonSet"}
	for i := range want {
		var b strings.Builder
		app := fmt.Sprintf("app%03d", i)
		for j := range 3 {
			fmt.Fprintf(&b, workload, app, kinds[j], i*3+j)
		}
		if i%10 == 0 {
			// A CRD-sized schema: a few hundred properties.
			fmt.Fprintf(&b, crd, i)
			for k := range 300 {
				fmt.Fprintf(&b, "            field%d: {type: object, properties: {image: {type: string}, tag: {type: string, description: \"x\"}}}\n", k)
			}
		}
		p := filepath.Join(dir, ".k8s", app, "manifests.yaml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			return err
		}
		size += b.Len()
	}
	fmt.Printf("tree: %d rendered YAML files, %.0f KB\n", want, float64(size)/1e3)

	yamls, _ := filepath.Glob(filepath.Join(dir, ".k8s", "*", "*.yaml"))
	cmds := []struct {
		name string
		argv []string
	}{
		{"pinner check --rendered (whole process)", []string{pinner, "--chdir", dir, "check", "--rendered", ".k8s"}},
		{"baseline: pinner check (the modules)", []string{pinner, "--chdir", dir, "check"}},
		{"baseline: cat of the YAML", append([]string{"cat"}, yamls...)},
	}
	var med []time.Duration
	for _, c := range cmds {
		ds, err := wall.Runs(runs, c.argv)
		if err != nil {
			return err
		}
		fmt.Printf("%-42s median %6.2f ms   p90 %6.2f ms\n", c.name, wall.Ms(ds[len(ds)/2]), wall.Ms(ds[len(ds)*9/10]))
		med = append(med, ds[len(ds)/2])
	}
	fmt.Printf("check --rendered / check: %.2fx; / cat: %.1fx; goal: median under 50 ms (%.0f%% of it)\n",
		wall.Ms(med[0])/wall.Ms(med[1]), wall.Ms(med[0])/wall.Ms(med[2]), wall.Ms(med[0])/50*100)
	return nil
}
