{ config, lib, pkgs, ... }:

# cert-manager from its chart, with every image pre-pulled into the node
# (air-gapped install): chart values point at the pulled images.
let
  version = "v1.17.1";

  controller = pkgs.dockerTools.pullImage {
    imageName = "quay.io/jetstack/cert-manager-controller";
    imageDigest = "sha256:8ab02e15a2ae6ca9f4ae9f27c15de0d2493560df04863e49146318fe7bee018f";
    hash = "sha256-/P091JWyLpMysB25NUYglhzyrE0imECVqGK9uIQBRwU=";
    finalImageTag = version;
    arch = "amd64";
  };
  webhook = pkgs.dockerTools.pullImage {
    imageName = "quay.io/jetstack/cert-manager-webhook";
    imageDigest = "sha256:459f03124f055dd5822260feadd6622087f041094747cd277052be4cfc6b5ee3";
    hash = "sha256-t3vhgDQWf8hwZE4dFAvoeejPjivjF6/ImAKRXaNYAzo=";
    finalImageTag = version;
    arch = "amd64";
  };
  cainjector = pkgs.dockerTools.pullImage {
    imageName = "quay.io/jetstack/cert-manager-cainjector";
    imageDigest = "sha256:688cdf8666a8aee04e5dcac69d9de27408baeacd01dd1fc436d2cae7cb7e559a";
    hash = "sha256-Ndnfw9gxr3MpoB3uv13ROAssYw1ntONh/j2ctUrLxYg=";
    finalImageTag = "v1.17.1";
    arch = "amd64";
  };

  chart = {
    name = "cert-manager";
    repo = "https://charts.jetstack.io";
    version = "v1.17.1";
    hash = "sha256-L4M5xjHoqH65s4PfeEeleuf4LCv/zhypB5BSZXDd+nc=";
  };
in
{
  services.k3s.images = [ controller webhook cainjector ];

  services.k3s.autoDeployCharts.cert-manager = chart // {
    targetNamespace = "cert-manager";
    createNamespace = true;
    values = {
      crds.enabled = true;
      image = {
        repository = controller.imageName;
        tag = controller.imageTag;
      };
      webhook.image = {
        repository = webhook.imageName;
        tag = webhook.imageTag;
      };
      cainjector.image = {
        repository = cainjector.imageName;
        tag = cainjector.imageTag;
      };
      # Not pre-pulled: comes from the registry at install time.
      startupapicheck.image = {
        repository = "quay.io/jetstack/cert-manager-startupapicheck";
        tag = "v1.17.1";
      };
      acmesolver.image.repository = "quay.io/jetstack/cert-manager-acmesolver";
      extraArgs = [
        "--dns01-recursive-nameservers-only"
        "--dns01-recursive-nameservers=1.1.1.1:53,9.9.9.9:53"
      ];
      prometheus.servicemonitor.enabled = true;
    };
  };

  services.k3s.manifests.letsencrypt-issuer.content = {
    apiVersion = "cert-manager.io/v1";
    kind = "ClusterIssuer";
    metadata.name = "letsencrypt";
    spec.acme = {
      server = "https://acme-v02.api.letsencrypt.org/directory";
      email = "ops@home.arpa";
      privateKeySecretRef.name = "letsencrypt-account";
      solvers = [ { dns01.cloudflare.apiTokenSecretRef = { name = "cloudflare"; key = "token"; }; } ];
    };
  };
}
