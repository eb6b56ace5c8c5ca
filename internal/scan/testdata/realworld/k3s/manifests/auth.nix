{ config, lib, ... }:

let
  dexHost = "dex.home.arpa";
in
{
  services.k3s.autoDeployCharts.oauth2-proxy = {
    name = "oauth2-proxy";
    repo = "https://oauth2-proxy.github.io/manifests";
    version = "7.12.6";
    hash = "sha256-IhKxO/Nwy2MvByMO25GSAi5u7wdZO5Y3qdNvx80Dw30=";
    targetNamespace = "auth";
    values = {
      config.configFile = ''
        provider = "oidc"
        oidc_issuer_url = "https://${dexHost}"
        email_domains = ["*"]
        upstreams = ["file:///dev/null"]
      '';
      image = {
        repository = "quay.io/oauth2-proxy/oauth2-proxy";
        tag = "";
        pullPolicy = "IfNotPresent";
      };
      initContainers.waitForRedis.image = {
        repository = "alpine";
        tag = "3.21";
      };
      redis.enabled = false;
      extraArgs.reverse-proxy = true;
    };
  };

  services.k3s.manifests.dex.content = [
    {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = { name = "dex"; namespace = "auth"; };
      spec = {
        selector.matchLabels.app = "dex";
        template.metadata.labels.app = "dex";
        template.spec.containers = [
          {
            name = "dex";
            image = "ghcr.io/dexidp/dex:v2.42.0";
            args = [ "dex" "serve" "/etc/dex/config.yaml" ];
            ports = [ { name = "http"; containerPort = 5556; } ];
          }
        ];
      };
    }
  ];

  # Admission policy: every pod must name a tag, and not `latest`.
  services.k3s.manifests.require-image-tag.content = [
    {
      apiVersion = "kyverno.io/v1";
      kind = "ClusterPolicy";
      metadata.name = "require-image-tag";
      spec = {
        validationFailureAction = "Enforce";
        rules = [
          {
            name = "require-tag";
            match.any = [ { resources.kinds = [ "Pod" ]; } ];
            validate = {
              message = "An image tag is required (e.g. ghcr.io/org/app:1.2.3).";
              pattern.spec.containers = [ { image = "*:*"; } ];
            };
          }
          {
            name = "forbid-latest";
            match.any = [ { resources.kinds = [ "Pod" ]; } ];
            validate = {
              message = "The :latest tag is not allowed.";
              pattern.spec.containers = [ { image = "!*:latest"; } ];
            };
          }
        ];
      };
    }
  ];
}
