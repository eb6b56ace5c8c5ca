{ pkgs, lib }:

let
  tikvVersion = "v8.5.0";
  toolsImage = "ghcr.io/example-org/db-tools:2.3.1";
in
{
  manifests = [
    {
      name = "postgres/cluster.yaml";
      content = ''
        apiVersion: postgresql.cnpg.io/v1
        kind: Cluster
        metadata:
          name: pg
          namespace: postgres
          annotations:
            argocd.argoproj.io/sync-wave: "0"
        spec:
          instances: 3
          imageName: ghcr.io/cloudnative-pg/postgresql:16.4
          storage:
            size: 1Gi
            storageClass: local-path
      '';
    }
    {
      name = "postgres/verify-job.yaml";
      content = ''
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: pg-verify
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: verify
                  image: ${toolsImage}
                  args: ["pg-verify", "--host", "pg-rw.postgres.svc:5432"]
      '';
    }
    {
      name = "ci/task-build.yaml";
      content = ''
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: build-image
        spec:
          params:
            - name: IMAGE
              description: Reference of the image to push
          steps:
            - name: build
              image: gcr.io/kaniko-project/executor:v1.23.2
              args: ["--destination=$(params.IMAGE)"]
            - name: scan
              image: "aquasec/trivy:0.58.0"
              script: trivy image --exit-code 1 $(params.IMAGE)
      '';
    }
    {
      # Kept as a list of lines, joined with "\n" by the renderer.
      name = "tidb/tikv.yaml";
      lines = [
        "apiVersion: apps/v1"
        "kind: StatefulSet"
        "metadata:"
        "  name: tikv"
        "spec:"
        "  template:"
        "    spec:"
        "      initContainers:"
        "      - name: wait-pd"
        "        image: busybox:1.36"
        "      containers:"
        "      - name: tikv"
        "        image: pingcap/tikv:${tikvVersion}"
        "        args: [\"--pd=pd:2379\"]"
      ];
    }
    {
      name = "argocd/app-tidb.yaml";
      content = ''
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: tidb
          namespace: argocd
        spec:
          source:
            repoURL: https://git.example.net/platform/gitops.git
            targetRevision: HEAD
            path: manifests/tidb
          destination:
            server: https://kubernetes.default.svc
      '';
    }
  ];
}
