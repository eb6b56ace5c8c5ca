{ config, lib, ... }:

# Automated k3s upgrades with the system-upgrade-controller.
let
  k3sVersion = "v1.31.6+k3s1";
  controllerImage = "docker.io/rancher/system-upgrade-controller:v0.15.2";
in
{
  services.k3s.manifests.system-upgrade.content = [
    {
      apiVersion = "v1";
      kind = "Namespace";
      metadata.name = "system-upgrade";
    }
    {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = {
        name = "system-upgrade-controller";
        namespace = "system-upgrade";
      };
      spec = {
        selector.matchLabels."upgrade.cattle.io/controller" = "system-upgrade-controller";
        template = {
          metadata.labels."upgrade.cattle.io/controller" = "system-upgrade-controller";
          spec = {
            serviceAccountName = "system-upgrade";
            containers = [
              {
                name = "system-upgrade-controller";
                image = controllerImage;
                imagePullPolicy = "IfNotPresent";
                env = [
                  { name = "SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE"; value = "rancher/kubectl:v1.31.6"; }
                  { name = "SYSTEM_UPGRADE_JOB_PRIVILEGED"; value = "true"; }
                  { name = "SYSTEM_UPGRADE_PLAN_POLLING_INTERVAL"; value = "15m"; }
                ];
              }
            ];
          };
        };
      };
    }
    {
      apiVersion = "v1";
      kind = "ConfigMap";
      metadata = { name = "default-controller-env"; namespace = "system-upgrade"; };
      data = {
        SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE = "docker.io/rancher/kubectl:v1.31.6";
        SYSTEM_UPGRADE_JOB_IMAGE_PULL_POLICY = "IfNotPresent";
      };
    }
  ];

  services.k3s.manifests.upgrade-plans.content = [
    {
      apiVersion = "upgrade.cattle.io/v1";
      kind = "Plan";
      metadata = { name = "server-plan"; namespace = "system-upgrade"; };
      spec = {
        concurrency = 1;
        cordon = true;
        nodeSelector.matchExpressions = [
          { key = "node-role.kubernetes.io/control-plane"; operator = "In"; values = [ "true" ]; }
        ];
        serviceAccountName = "system-upgrade";
        upgrade.image = "rancher/k3s-upgrade";
        version = k3sVersion;
      };
    }
    {
      apiVersion = "upgrade.cattle.io/v1";
      kind = "Plan";
      metadata = { name = "agent-plan"; namespace = "system-upgrade"; };
      spec = {
        concurrency = 2;
        prepare = {
          image = "rancher/k3s-upgrade";
          args = [ "prepare" "server-plan" ];
        };
        serviceAccountName = "system-upgrade";
        upgrade.image = "docker.io/rancher/k3s-upgrade:v1.31.6-k3s1";
        # version = "v1.30.10+k3s1";
        version = k3sVersion;
      };
    }
  ];
}
