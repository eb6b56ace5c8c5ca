{ lib, ... }:

# Operator custom resources and operator charts whose image fields are not
# called `image`: init/sidecar/base/toolbox images and `*ImageName` keys.
{
  applications.platform-operators = {
    namespace = "operators";

    helm.releases.velero.values = {
      image = {
        repository = "velero/velero";
        tag = "v1.15.0";
      };
      initContainers = [{
        name = "velero-plugin-for-aws";
        image = "velero/velero-plugin-for-aws:v1.11.0";
        volumeMounts = [{ mountPath = "/target"; name = "plugins"; }];
      }];
      kubectl.image = {
        repository = "docker.io/bitnami/kubectl";
        tag = "1.31";
      };
    };

    resources.redisFailovers.sessions.spec = {
      redis = {
        replicas = 3;
        image = "redis:7.4.1-alpine";
        exporter = { enabled = true; image = "oliver006/redis_exporter:v1.66.0"; };
      };
      sentinel.replicas = 3;
      bootstrapNode = { host = "redis-legacy.sessions.svc"; port = "6379"; };
    };

    resources.mariaDBs.wiki.spec = {
      image = "docker-registry1.mariadb.com/library/mariadb:11.4.4";
      initImage = "docker.io/library/busybox:1.37";
      sidecarImage = "nginx";
      galera.agent.image = "docker-registry1.mariadb.com/mariadb-operator/mariadb-operator:0.36.0";
      storage.size = "10Gi";
    };

    resources.backupJobs.wiki-nightly.spec = {
      baseImage = "ubuntu:24.04";
      toolboxImage = "quay.io/ceph/ceph:v19.2.0";
      helperImageName = "local/backup-helper";
      backupImageName = "ghcr.io/example-org/backup-agent:1.2.0";
      schedule = "0 3 * * *";
    };

    # Fields copied from a ticket; they do not parse as references.
    resources.backupJobs.wiki-weekly.spec = {
      initImage = "docker.io/library/Busybox:1.37";
      sidecarImage = "ghcr.io/example-org/sidecar:1.0.3 ";
      image = "ghcr.io/example-org/backup-agent:v1.0.0-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    };

    resources.tasks.build-image.spec = {
      params = [
        { name = "builder-image"; default = "gcr.io/kaniko-project/executor:v1.23.2-debug"; }
        { name = "context"; default = "./"; }
      ];
      stepTemplate.image = "cgr.dev/chainguard/wolfi-base:latest";
      steps = [
        { name = "build"; image = "$(params.builder-image)"; args = [ "--context=$(params.context)" ]; }
        { name = "sbom"; image = "anchore/syft:v1.18.1"; }
        { name = "sign"; image = "ghcr.io/sigstore/cosign/cosign:v2.4.1@sha256:fce4c30c2cb759714380358c9d820b07fce6a67de8344648db68672caae7701d"; }
      ];
    };

    resources.deployments.vault-demo.spec.template.metadata.annotations = {
      "vault.hashicorp.com/agent-inject" = "true";
      "vault.hashicorp.com/agent-image" = "docker.io/hashicorp/vault:1.18.2";
      "vault.hashicorp.com/agent-init-first" = "true";
    };

    helm.releases.homepage.values = {
      image.repository = "ghcr.io/gethomepage/homepage";
      image.tag = "v0.9.13";
      config.settings = {
        title = "Platform";
        background.image = "https://static.example.net/backgrounds/aurora.jpg";
        background.blur = "sm";
      };
    };
  };
}
