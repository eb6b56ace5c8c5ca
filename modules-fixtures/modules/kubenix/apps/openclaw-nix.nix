{ kubenix, config, lib, homelab, ... }:

let
  app = "openclaw-nix";
  namespace = homelab.kubernetes.namespaces.applications;
  port = 18789;
  homeserver = "matrix-synapse.apps.svc:8008";
in
{
  kubernetes.resources.deployments.${app} = {
    metadata = {
      name = app;
      inherit namespace;
      labels."app.kubernetes.io/name" = app;
    };
    spec = {
      replicas = 1;
      strategy.type = "Recreate";
      selector.matchLabels."app.kubernetes.io/name" = app;
      template = {
        metadata.labels = {
          "app.kubernetes.io/name" = app;
          "app.kubernetes.io/component" = "gateway";
        };
        spec = {
          containers = [
            {
              name = app;
              image = "ghcr.io/josevictorferreira/${app}:latest";
              imagePullPolicy = "Always";
              ports = [ { name = "http"; containerPort = port; } ];
              env = [
                { name = "OPENCLAW_MATRIX_HOMESERVER"; value = homeserver; }
                { name = "OPENCLAW_WHATSAPP_BRIDGE"; value = "mautrix-whatsapp.apps.svc:29318"; }
                { name = "OPENCLAW_PLUGINS"; value = "matrix,whatsapp,tools"; }
                { name = "OPENCLAW_MODEL"; value = "openrouter:anthropic/claude-sonnet-4"; }
              ];
              envFrom = [ { secretRef.name = "${app}-secrets"; } ];
              volumeMounts = [
                { name = "state"; mountPath = "/var/lib/openclaw"; }
                { name = "config"; mountPath = "/etc/openclaw/config.json"; subPath = "config.json"; }
              ];
            }
          ];
          volumes = [
            { name = "state"; persistentVolumeClaim.claimName = "${app}-state"; }
            { name = "config"; configMap.name = "${app}-config"; }
          ];
          imagePullSecrets = [ { name = "ghcr-registry-secret"; } ];
        };
      };
    };
  };

  kubernetes.resources.services.${app} = {
    metadata = { name = app; inherit namespace; };
    spec = {
      selector."app.kubernetes.io/name" = app;
      ports = [ { name = "http"; inherit port; targetPort = "http"; } ];
    };
  };
}
