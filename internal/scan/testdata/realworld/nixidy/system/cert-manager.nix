let
  chartAttrs = {
    repo = "https://charts.jetstack.io";
    chart = "cert-manager";
    version = "v1.17.1";
    chartHash = "sha256-IDpkmqTFqOLM/mHKg+E/odvstrX7f1YuMoNEsfYfF9Y=";
  };
  jetstack = "quay.io/jetstack";
in
{
  flake.modules.nixidy.cert-manager =
    { lib, ... }:
    {
      applications.cert-manager = {
        namespace = "cert-manager";
        createNamespace = true;

        helm.releases.cert-manager = {
          chart = lib.helm.downloadHelmChart chartAttrs;
          values = {
            crds.enabled = true;

            # controller, webhook, cainjector and the ACME solver are
            # separate images of the same release
            image.repository = "${jetstack}/cert-manager-controller";
            image.tag = "v1.17.1";
            webhook.image = {
              repository = "${jetstack}/cert-manager-webhook";
              tag = "v1.17.1";
              digest = "sha256:e9bacd53a228c86f5abc1bee950cc152a5655afb6ddad3a933facfa46b7d56fc";
            };
            cainjector.image.tag = lib.mkDefault "v1.17.1";
            acmesolver.image = {
              repository = lib.mkDefault "quay.io/jetstack/cert-manager-acmesolver";
              tag = "v1.17.1";
            };
            startupapicheck.image.repository = "quay.io/jetstack/cert-manager-startupapicheck";

            prometheus.servicemonitor.enabled = true;
            extraArgs = [
              "--dns01-recursive-nameservers=1.1.1.1:53,9.9.9.9:53"
              "--dns01-recursive-nameservers-only"
            ];
          };
        };

        resources.clusterIssuers.letsencrypt.spec.acme = {
          server = "https://acme-v02.api.letsencrypt.org/directory";
          email = "ops@quillhaven.net";
          privateKeySecretRef.name = "letsencrypt-account";
          solvers = [
            {
              dns01.cloudflare.apiTokenSecretRef = {
                name = "cloudflare-token";
                key = "token";
              };
            }
          ];
        };
      };
    };
}
