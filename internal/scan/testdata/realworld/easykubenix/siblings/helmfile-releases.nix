# helmfile-in-Nix: a list of helmfile documents, values given as a list of
# attribute sets that helmfile merges in order.
{ var, ... }:
[
  {
    repositories = [
      {
        name = "bitnami";
        url = "https://charts.bitnami.com/bitnami";
      }
      {
        name = "jetstack";
        url = "https://charts.jetstack.io";
      }
    ];
    helmDefaults.kubeContext = "admin@quillhaven";
  }
  {
    releases = [
      {
        name = "valkey";
        namespace = "cache";
        chart = "bitnami/valkey";
        version = "2.4.7";
        values = [
          {
            image = {
              registry = "docker.io";
              repository = "bitnami/valkey";
              tag = "8.1.0-debian-12-r1";
            };
            architecture = "standalone";
          }
          { metrics.image.tag = "1.69.0-debian-12-r2"; }
        ];
      }
      {
        name = "trust-manager";
        namespace = "cert-manager";
        chart = "jetstack/trust-manager";
        version = "v0.16.0";
        values = [
          {
            image.repository = "quay.io/jetstack/trust-manager";
            image.tag = var.values.trustManagerTag;
            defaultPackageImage = {
              repository = "quay.io/jetstack/cert-manager-package-debian";
              tag = "20210119.0";
            };
          }
        ];
      }
      {
        name = "test-nix";
        namespace = "test";
        nixChart = ../nixChart;
        values = [ { replicas = 2; } ];
      }
    ];
  }
]
