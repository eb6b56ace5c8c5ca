{ self, config, lib, pkgs, ... }:

# kube-prometheus-stack; the tags follow whatever the image list pre-pulls,
# looked up by repository with a helper from the flake's lib.
let
  find = repository: self.lib.findImageByName repository config.services.k3s.images;

  stackChart = {
    name = "kube-prometheus-stack";
    repo = "https://prometheus-community.github.io/helm-charts";
    version = "70.0.2";
    hash = "sha256-Z3a0KLOLZF+5bq/UdPaHvZgjJH9J7117dPGLWmb2f50=";
  };
in
{
  services.k3s.autoDeployCharts.prometheus = stackChart // {
    targetNamespace = "monitoring";
    createNamespace = true;
    values = {
      grafana.enabled = false;

      prometheus.prometheusSpec = {
        image =
          let
            image = find "quay.io/prometheus/prometheus";
          in
          {
            registry = "quay.io";
            repository = "prometheus/prometheus";
            tag = image.imageTag;
          };
        thanos.image =
          let
            image = find "quay.io/thanos/thanos";
          in
          "${image.imageName}:${image.imageTag}";
        retention = "7d";
      };

      alertmanager.alertmanagerSpec.image = {
        registry = "quay.io";
        repository = "prometheus/alertmanager";
        tag = "v0.28.1";
      };

      kube-state-metrics.image = {
        registry = "registry.k8s.io";
        repository = "kube-state-metrics/kube-state-metrics";
        tag = "v2.15.0@sha256:f413bbd05f5eb9a9186a4ec87e26aa35ebd8eac855f690aa81c9b5cea3294fdd";
      };

      prometheus-node-exporter.image = {
        registry = "quay.io";
        repository = "prometheus/node-exporter";
      };
      prometheus-node-exporter.hostNetwork = true;

      prometheusOperator = {
        image.tag = "v0.81.0";
        admissionWebhooks.patch.image = {
          registry = "registry.k8s.io";
          repository = "ingress-nginx/kube-webhook-certgen";
          tag = "v1.5.2";
          pullPolicy = "IfNotPresent";
        };
      };

      additionalPrometheusRulesMap = { };
    };
  };

  services.k3s.autoDeployCharts.loki = {
    name = "loki";
    repo = "https://grafana.github.io/helm-charts";
    version = "6.28.0";
    hash = "sha256-zEbqRCgXJm6VoLS+W4cwoMVV3cxAVvpYICxpOzElOB8=";
    targetNamespace = "monitoring";
    values = {
      deploymentMode = "SingleBinary";
      loki.image = {
        registry = "docker.io";
        repository = "grafana/loki";
        tag = "3.4.2";
      };
      loki.storage.type = "filesystem";
      gateway.image.registry = "docker.io";
      lokiCanary.enabled = false;
      singleBinary.replicas = 1;
    };
  };
}
