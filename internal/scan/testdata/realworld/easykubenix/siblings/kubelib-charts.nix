# nix-kube-generators flavour: charts rendered to YAML with kubelib, one
# attribute per manifest file.
{
  pkgs,
  kubelib,
  charts,
}:
let
  argoChart = kubelib.downloadHelmChart {
    repo = "https://argoproj.github.io/argo-helm";
    chart = "argo-cd";
    version = "7.8.13";
    chartHash = "sha256-fLoY2DAnmFNPxbUSTp1wz87R9FmrSoXtoqZJpiU8FKA=";
  };
in
{
  "10-argocd.yaml" = pkgs.lib.pipe
    {
      name = "argocd";
      chart = argoChart;
      namespace = "argocd";
      values = {
        global.image.tag = "v2.14.8";
        redis.image = {
          repository = "public.ecr.aws/docker/library/redis";
          tag = "7.4.2-alpine";
        };
        dex.image = {
          repository = "ghcr.io/dexidp/dex";
          tag = "v2.42.0";
        };
        configs.cm = {
          "server.insecure" = true;
          url = "https://argocd.quillhaven.net";
        };
      };
    }
    [ kubelib.buildHelmChart ];

  "20-ingress-nginx.yaml" = kubelib.buildHelmChart {
    name = "ingress-nginx";
    chart = charts.kubernetes-ingress-nginx.ingress-nginx;
    namespace = "ingress-nginx";
    values.controller = {
      service.type = "LoadBalancer";
      image.digest = "sha256:15f32ca12d133c5562c1006a6176cd72fac9e8ec08b8a1488710a4f45d7f1a26";
      admissionWebhooks.patch.image.tag = "v1.5.2";
      config.use-forwarded-headers = "true";
    };
  };

  "30-nfs.yaml" = kubelib.buildHelmChart {
    name = "nfs-subdir-external-provisioner";
    chart = "${pkgs.fetchFromGitHub {
      owner = "kubernetes-sigs";
      repo = "nfs-subdir-external-provisioner";
      tag = "nfs-subdir-external-provisioner-4.0.18";
      hash = "sha256-XePne35C4qWmNEU93H0EvqIeFd3TBoSRnY0y2nxXCZs=";
    }}/charts/nfs-subdir-external-provisioner";
    namespace = "default";
    values = {
      nfs = {
        server = "10.40.0.12";
        path = "/srv/nfs/kube";
      };
      image = {
        repository = "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner";
        tag = "v4.0.2";
      };
    };
  };

  "00-argocd-namespace.yaml" = ''
    apiVersion: v1
    kind: Namespace
    metadata:
      name: argocd
      labels:
        app.kubernetes.io/name: argocd
  '';

  "40-bootstrap-job.yaml" = ''
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: argocd-bootstrap
      namespace: argocd
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: apply
              image: docker.io/bitnami/kubectl:1.32.3
              command: ["kubectl", "apply", "-f", "/manifests/root-app.yaml"]
  '';
}
