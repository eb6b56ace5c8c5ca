{ kubenix, lib, homelab, ... }:

let
  namespace = "monitoring";
  quay = "quay.io";
  pinned = homelab.monitoring.pinPrometheus or false;
  operatorVersion = "v0.80.1";

  operatorValues = {
    prometheusOperator = {
      image = {
        registry = quay;
        repository = "prometheus-operator/prometheus-operator";
        tag = operatorVersion;
      };
      prometheusConfigReloader.image = {
        registry = quay;
        repository = "prometheus-operator/prometheus-config-reloader";
        tag = operatorVersion;
      };
      admissionWebhooks.patch.image = {
        registry = "registry.k8s.io";
        repository = "ingress-nginx/kube-webhook-certgen";
        tag = "v1.5.1";
        sha = "";
      };
    };
  };

  prometheusValues = {
    prometheus.prometheusSpec = {
      image =
        if pinned then {
          registry = quay;
          repository = "prometheus/prometheus";
          tag = "v3.2.1@sha256:e2675648ddf24111632570e87db26ac0c3a83b0b0e58fe45b6433a5cad785e15";
        } else {
          registry = quay;
          repository = "prometheus/prometheus";
          tag = "v3.2.1";
        };
      retention = "15d";
      retentionSize = "40GB";
      additionalScrapeConfigs = [
        {
          job_name = "nas";
          static_configs = [ { targets = [ "nas.lan:9100" "nas.lan:9633" ]; } ];
        }
      ];
    };
  };
in
{
  kubernetes.helm.releases.kube-prometheus-stack = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://prometheus-community.github.io/helm-charts";
      chart = "kube-prometheus-stack";
      version = "69.8.2";
      sha256 = "sha256-+ZKjPD5/hoXs3vCynCnQ03FY/UF3vvYcjMa1jZLzWGQ=";
    };

    values = lib.recursiveUpdate (operatorValues // prometheusValues) {
      alertmanager.alertmanagerSpec.image = {
        registry = quay;
        repository = "prometheus/alertmanager";
        tag = "v0.28.1";
        digest = "sha256:1bcb7c130edfe92852f3f04d0d806d91b8c7f02aa264f2987b8ce969977ed50b";
      };

      grafana = {
        image.repository = "grafana/grafana";
        image.tag = lib.mkForce "11.5.2";
        sidecar.image = {
          registry = quay;
          repository = "kiwigrid/k8s-sidecar";
          tag = "1.30.0";
        };
        adminUser = "admin";
        "grafana.ini".server.root_url = "https://grafana.${homelab.domain}";
        # image.tag = "11.4.0";
      };

      kube-state-metrics.image = {
        registry = "registry.k8s.io";
        repository = "kube-state-metrics/kube-state-metrics";
        tag = "v2.15.0";
      };

      prometheus-node-exporter = {
        image = {
          registry = quay;
          repository = "prometheus/node-exporter";
          tag = "v1.9.0";
        };
        hostRootFsMount.enabled = false;
      };
    };
  };
}
