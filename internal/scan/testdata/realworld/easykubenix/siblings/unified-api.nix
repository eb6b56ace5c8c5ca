# Higher-level "application" API on top of a thin manifest generator: each
# call expands to Deployment/Service/HPA objects.
{ lib, api, kyverno, ... }:
{
  simpleWebApp = api.mkApplication "simple-web" {
    namespace = "default";
    image = "nginx:1.27-alpine";
    replicas = 2;
    port = 80;
  };

  backendApi = api.mkApplication "api-server" {
    namespace = "production";
    image = "quillhaven.azurecr.io/api-server:1.8.2";
    replicas = 3;
    port = 3000;
    env = {
      DATABASE_URL = "postgresql://api@postgres.production.svc:5432/api";
      CACHE_ADDR = "valkey.production.svc:6379";
    };
  };

  shop = api.mkMultiTierApp "shop" {
    frontend = {
      image = "shop/frontend:1.0.0";
      replicas = 3;
      port = 80;
    };
    backend = {
      image = "shop/api:1.2.3";
      replicas = 5;
      port = 3000;
    };
    database = {
      image = "postgres:16.8";
      storage = "20Gi";
    };
  };

  registryPolicy = kyverno.mkRequireImageRegistry {
    name = "trusted-registries";
    registry = "gcr.io";
    allowed = [ "ghcr.io/quillhaven/*" "quay.io/*" ];
  };

  mirrorConfig = {
    source.registry = "docker.io";
    destination.registry = "registry.local";
    pullImage = true;
    images = [ "alpine:3.21" "busybox:1.37" ];
  };

  # chart template rendered by the helm bridge; the braces are Go template syntax
  deploymentTemplate = ''
    spec:
      template:
        spec:
          containers:
            - name: {{ .Chart.Name }}
              image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
              imagePullPolicy: {{ .Values.image.pullPolicy }}
  '';

  chartValues = {
    image = {
      repository = "quillhaven/api-server";
      tag = "";
      pullPolicy = "IfNotPresent";
    };
    service.type = "ClusterIP";
  };
}
