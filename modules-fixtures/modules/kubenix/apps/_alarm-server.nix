{ kubenix, config, lib, homelab, ... }:

# Disabled: replaced by ntfy.
let
  app = "alarm-server";
  namespace = homelab.kubernetes.namespaces.applications;
  labels = {
    "app.kubernetes.io/name" = app;
    "app.kubernetes.io/version" = "v0.2.3";
  };
in
{
  kubernetes.resources.deployments.${app} = {
    metadata = { name = app; inherit namespace labels; };
    spec = {
      replicas = 1;
      selector.matchLabels = labels;
      template = {
        metadata = { inherit labels; };
        spec.containers = [
          {
            name = app;
            image = "ghcr.io/josevictorferreira/alarm-server:v0.2.3@sha256:317714c3c6d0939cc89aef10b00cee5dde4dd455b820c98d6cc9dbddc1552626";
            ports = [ { name = "http"; containerPort = 4000; } ];
            env = [
              { name = "MQTT_BROKER"; value = "mosquitto.apps.svc:1883"; }
              { name = "NTFY_TOPIC"; value = "alarms"; }
              { name = "TZ"; value = "America/Sao_Paulo"; }
            ];
            envFrom = [ { secretRef.name = "${app}-config"; } ];
            livenessProbe.httpGet = { path = "/health"; port = "http"; };
          }
        ];
      };
    };
  };

  kubernetes.resources.services.${app} = {
    metadata = { name = app; inherit namespace labels; };
    spec = {
      selector = labels;
      ports = [ { name = "http"; port = 4000; targetPort = "http"; } ];
    };
  };
}
