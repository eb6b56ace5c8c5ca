{ kubenix, config, lib, homelab, ... }:

# Disabled: open-webui now talks to MCP servers directly.
let
  app = "mcpo";
  namespace = homelab.kubernetes.namespaces.applications;
in
{
  kubernetes.resources.configMaps."${app}-config" = {
    metadata = { name = "${app}-config"; inherit namespace; };
    data."config.json" = builtins.toJSON {
      mcpServers = {
        time = { command = "uvx"; args = [ "mcp-server-time" "--local-timezone=America/Sao_Paulo" ]; };
        fetch = { command = "uvx"; args = [ "mcp-server-fetch" ]; };
        searxng = { url = "http://searxng.apps.svc:8080"; };
      };
    };
  };

  kubernetes.resources.deployments.${app} = {
    metadata = {
      name = app;
      inherit namespace;
      labels."app.kubernetes.io/name" = app;
    };
    spec = {
      replicas = 1;
      selector.matchLabels."app.kubernetes.io/name" = app;
      template = {
        metadata.labels."app.kubernetes.io/name" = app;
        spec.containers = [
          {
            name = app;
            # image = "ghcr.io/open-webui/mcpo:main";
            image = "ghcr.io/josevictorferreira/mcpo:latest@sha256:87bf1da9ed289777a08e4e5816cc9f8a9df5cee259842ac5ff3a223f0256ecc2";
            args = [ "--config" "/config/config.json" "--port" "8000" ];
            ports = [ { name = "http"; containerPort = 8000; } ];
            env = [
              {
                name = "MCPO_API_KEY";
                valueFrom.secretKeyRef = { name = "${app}-secrets"; key = "api-key"; };
              }
            ];
            volumeMounts = [
              { name = "config"; mountPath = "/config"; readOnly = true; }
            ];
          }
        ];
        spec.volumes = [
          { name = "config"; configMap.name = "${app}-config"; }
        ];
      };
    };
  };
}
