{
  pkgs,
  config,
  lib,
  ...
}:
let
  # Latest tagged build; main is ahead but has no published image yet.
  gatewayImage = "ghcr.io/quillhaven/agent-gateway:sha-4be91c0";
  uiImage = "ghcr.io/quillhaven/agent-console:0.9.3@sha256:3a422c527b940061a8ed91f7eafd2e968ef666ab613edb4dfae2336aae02bf45";

  nfsServer = "10.40.0.12";
  targetNode = "atlas";
in
{
  config.kubernetes.objects = {
    none.Namespace.agents.metadata.labels = {
      "pod-security.kubernetes.io/enforce" = "baseline";
      "app.kubernetes.io/part-of" = "agents";
    };

    none.PersistentVolume.agent-state.spec = {
      capacity.storage = "5Gi";
      accessModes = [ "ReadWriteMany" ];
      nfs = {
        server = nfsServer;
        path = "/srv/nfs/agent-state";
      };
    };

    agents.Secret.gateway-keys.stringData = {
      OPENAI_API_KEY = "{{ openai_api_key }}";
      GATEWAY_TOKEN = "{{ gateway_token }}";
    };

    agents.Deployment.agent-gateway.spec = {
      replicas = 1;
      strategy.type = "Recreate";
      selector.matchLabels.app = "agent-gateway";
      template = {
        metadata.labels.app = "agent-gateway";
        spec = {
          nodeSelector."kubernetes.io/hostname" = targetNode;
          containers = {
            _namedlist = true;
            gateway = {
              image = gatewayImage;
              imagePullPolicy = "IfNotPresent";
              ports = {
                _namedlist = true;
                http.containerPort = 4000;
              };
              env = {
                _namedlist = true;
                ALLOWED_HOSTS.value = "agents.lan,gateway.agents.svc,10.40.0.12,localhost:4000";
                UPSTREAM_MODEL.value = "llama3.1:8b";
                REDIS_URL.value = "redis://redis.nix-cache.svc:6379/2";
                GATEWAY_TOKEN.valueFrom.secretKeyRef = {
                  name = "gateway-keys";
                  key = "GATEWAY_TOKEN";
                };
              };
            };
            console = {
              image = uiImage;
              env = {
                _namedlist = true;
                API_BASE.value = "http://localhost:4000";
              };
            };
          };
          initContainers = [
            {
              name = "migrate";
              image = gatewayImage;
              command = [ "/app/migrate" "up" ];
            }
          ];
        };
      };
    };

    agents.CronJob.transcript-export.spec = {
      schedule = "15 2 * * *";
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers = [
          {
            name = "export";
            image = config.cluster.scratchImage;
            command = [ "${pkgs.rclone}/bin/rclone" "copy" "/state/transcripts" "b2:agents-archive" ];
          }
        ];
      };
    };

    agents.NetworkPolicy.allow-gateway-ingress = {
      metadata.labels."app.kubernetes.io/managed-by" = "easykubenix";
      spec = {
        podSelector.matchLabels.app = "agent-gateway";
        policyTypes = [ "Ingress" ];
        ingress = [
          {
            from = [ { namespaceSelector.matchLabels."kubernetes.io/metadata.name" = "ingress-system"; } ];
            ports = [
              {
                protocol = "TCP";
                port = 4000;
              }
            ];
          }
        ];
      };
    };
  };
}
