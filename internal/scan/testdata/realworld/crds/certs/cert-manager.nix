{ lib, ... }:

let
  version = "v1.16.2";
  jetstack = "quay.io/jetstack";
in
{
  applications.cert-manager = {
    namespace = "cert-manager";
    createNamespace = true;

    helm.releases.cert-manager = {
      chart = lib.helm.downloadHelmChart {
        repo = "https://charts.jetstack.io";
        chart = "cert-manager";
        inherit version;
        chartHash = "sha256-mN5vB2xQ8tR1wE4yU7iO0pA3sD6fG9hJ2kL5zX8cV1b=";
      };
      values = {
        crds.enabled = true;
        image.repository = "${jetstack}/cert-manager-controller";
        image.tag = version;
        webhook.image = {
          repository = "quay.io/jetstack/cert-manager-webhook";
          tag = "v1.16.2@sha256:e2794c411deb0b21208694e9df937b5e68c8955c0d1955efe64efe24e4638203";
        };
        cainjector.image.tag = "v1.16.2";
        startupapicheck.image.repository = "quay.io/jetstack/cert-manager-startupapicheck";
        acmesolver.image = {
          repository = "quay.io/jetstack/cert-manager-acmesolver";
          digest = "sha256:121585f3cbd106b7d5519d65049c679ea27ff8b0481c7e2b5dff38d1ee47d374";
        };
        extraArgs = [ "--dns01-recursive-nameservers=1.1.1.1:53,9.9.9.9:53" "--dns01-recursive-nameservers-only" ];
        prometheus.servicemonitor.enabled = true;
      };
    };

    helm.releases.trust-manager.values.image = {
      registry = "quay.io";
      repository = "jetstack/trust-manager";
      tag = "v0.14.0";
    };

    resources.clusterIssuers.letsencrypt-prod.spec.acme = {
      server = "https://acme-v02.api.letsencrypt.org/directory";
      email = "hostmaster@example.net";
      privateKeySecretRef.name = "letsencrypt-prod";
      solvers = [{
        dns01.cloudflare.apiTokenSecretRef = { name = "cloudflare-token"; key = "token"; };
        selector.dnsZones = [ "example.net" ];
      }];
    };

    resources.certificates.wildcard.spec = {
      secretName = "wildcard-example-net";
      dnsNames = [ "example.net" "*.example.net" ];
      issuerRef = { name = "letsencrypt-prod"; kind = "ClusterIssuer"; group = "cert-manager.io"; };
      privateKey = { algorithm = "ECDSA"; size = 256; };
    };
  };
}
