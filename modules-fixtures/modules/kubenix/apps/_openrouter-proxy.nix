{ kubenix, config, lib, homelab, ... }:

# Disabled: superseded by omniroute.
let
  app = "openrouter-proxy";
  namespace = homelab.kubernetes.namespaces.applications;
  proxyImage = "ghcr.io/josevictorferreira/openrouter-proxy:v0.0.5";
  upstream = "https://openrouter.ai/api/v1";
in
{
  kubernetes.resources.deployments.${app} = {
    metadata = {
      name = app;
      inherit namespace;
      labels."app.kubernetes.io/name" = app;
    };
    spec = {
      replicas = 2;
      selector.matchLabels."app.kubernetes.io/name" = app;
      template = {
        metadata.labels."app.kubernetes.io/name" = app;
        spec.containers = [
          {
            name = "proxy";
            image = proxyImage;
            ports = [ { name = "http"; containerPort = 8787; } ];
            env = [
              { name = "UPSTREAM_URL"; value = upstream; }
              { name = "LISTEN_ADDR"; value = "0.0.0.0:8787"; }
              { name = "DEFAULT_MODEL"; value = "openrouter/auto"; }
              {
                name = "OPENROUTER_API_KEY";
                valueFrom.secretKeyRef = { name = "${app}-secrets"; key = "api-key"; };
              }
            ];
            readinessProbe.httpGet = { path = "/healthz"; port = "http"; };
          }
        ];
      };
    };
  };

  kubernetes.resources.services.${app} = {
    metadata = { name = app; inherit namespace; };
    spec = {
      selector."app.kubernetes.io/name" = app;
      ports = [ { name = "http"; port = 80; targetPort = "http"; } ];
    };
  };
}
