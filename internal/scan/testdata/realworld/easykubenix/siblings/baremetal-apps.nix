# kubenix k8s module with a small "makers" helper library, as used next to
# easykubenix-style trees.
{
  kubenix,
  lib,
  packages,
  ...
}:
let
  # "makers": one Deployment + Service (+ Ingress) per call
  makers = {
    mkBasicDeployment =
      {
        name,
        image,
        replicas,
        targetPort,
        env ? { },
        ingress-hosts ? [ ],
        initImage ? "docker.io/library/busybox:1.37",
        exporterImage ? "quay.io/prometheus/nginx-prometheus-exporter:1.4.1",
      }:
      {
        kubernetes.resources =
          {
            deployments.${name}.spec = {
              revisionHistoryLimit = 0;
              inherit replicas;
              selector.matchLabels."app.kubernetes.io/name" = name;
              template.metadata.labels."app.kubernetes.io/name" = name;
              template.spec =
                let
                  envList = lib.mapAttrsToList (name: value: { inherit name value; }) env;
                in
                {
                  imagePullSecrets = [ { name = "ghcr-auth"; } ];
                  initContainers = [
                    {
                      name = "wait-dns";
                      image = initImage;
                      command = [ "sh" "-c" "until nslookup kubernetes.default; do sleep 1; done" ];
                    }
                  ];
                  containers = [
                    (
                      {
                        inherit name image;
                      }
                      // lib.optionalAttrs (envList != [ ]) { env = envList; }
                    )
                    {
                      name = "metrics";
                      image = exporterImage;
                      args = [ "--nginx.scrape-uri=http://localhost:${toString targetPort}/stub_status" ];
                    }
                  ];
                };
            };
            services.${name}.spec = {
              selector."app.kubernetes.io/name" = name;
              ports = [
                {
                  protocol = "TCP";
                  port = 80;
                  inherit targetPort;
                }
              ];
            };
          }
          // lib.optionalAttrs (ingress-hosts != [ ]) {
            ingresses.${name}.spec = {
              ingressClassName = "traefik";
              rules = map (host: {
                inherit host;
                http.paths = [
                  {
                    path = "/";
                    pathType = "Prefix";
                    backend.service = {
                      inherit name;
                      port.number = 80;
                    };
                  }
                ];
              }) ingress-hosts;
            };
          };
      };
  };
  blogImage = packages.docker-blog;
in
{
  imports = [
    kubenix.modules.k8s
    (makers.mkBasicDeployment {
      name = "webapp";
      image = "ghcr.io/quillhaven/webapp:2025.02.14";
      replicas = 2;
      targetPort = 3000;
      ingress-hosts = [ "quillhaven.net" "www.quillhaven.net" ];
    })
    (makers.mkBasicDeployment {
      name = "blog";
      # built by nix2container in this flake; name and tag only exist after the build
      image = "${blogImage.imageName}:${blogImage.imageTag}";
      replicas = 1;
      targetPort = 8080;
    })
    (makers.mkBasicDeployment {
      name = "docs";
      image = "ghcr.io/quillhaven/docs:1.3.0@sha256:bbd020b52268179a3efcaff23bdfa4ca82652f6f2b74a011ea06ed1406970407";
      replicas = 1;
      targetPort = 80;
      env = {
        BASE_URL = "https://docs.quillhaven.net";
        SEARCH_BACKEND = "meilisearch.docs.svc:7700";
      };
    })
  ];

  kubernetes.resources.pods.nginx.spec.containers.nginx.image = "nginx";

  kubernetes.resources.deployments.registry-ui.spec.template.spec.containers = [
    {
      name = "ui";
      image = "docker.io/joxit/docker-registry-ui:2.5.7";
      env = [
        {
          name = "NGINX_PROXY_PASS_URL";
          value = "http://registry.registry.svc:5000";
        }
        {
          name = "REGISTRY_TITLE";
          value = "quillhaven/registry";
        }
      ];
    }
  ];
}
