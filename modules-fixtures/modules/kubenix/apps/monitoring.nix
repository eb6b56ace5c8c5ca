{ kubenix, config, lib, homelab, ... }:

let
  namespace = "monitoring";
  retention = "30d";
in
{
  kubernetes.helm.releases.kube-prometheus-stack = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://prometheus-community.github.io/helm-charts";
      chart = "kube-prometheus-stack";
      version = "77.0.1";
      sha256 = "sha256-Qm2x8c6l0d4G9f1yS8nX3kPq7wV5bJt2hR4aZ6uE0oI=";
    };

    values = {
      prometheusOperator.image = {
        registry = "quay.io";
        repository = "prometheus-operator/prometheus-operator";
        tag = "v0.85.0";
      };

      prometheus.prometheusSpec = {
        image = {
          registry = "quay.io";
          repository = "prometheus/prometheus";
          tag = "v3.5.0";
        };
        inherit retention;
        podMonitorSelectorNilUsesHelmValues = false;
        serviceMonitorSelectorNilUsesHelmValues = false;
        additionalScrapeConfigs = [
          {
            job_name = "pi-nodes";
            static_configs = [ { targets = [ "lab-pi-01.lan:9100" "lab-pi-02.lan:9100" ]; } ];
          }
        ];
      };

      alertmanager.alertmanagerSpec.image = {
        registry = "quay.io";
        repository = "prometheus/alertmanager";
        tag = "v0.28.1";
      };

      kube-state-metrics.image = {
        registry = "registry.k8s.io";
        repository = "kube-state-metrics/kube-state-metrics";
        tag = "v2.16.0";
      };

      prometheus-node-exporter.image = {
        registry = "quay.io";
        repository = "prometheus/node-exporter";
        tag = "v1.9.1";
        digest = "sha256:cafebabecafebabecafebabecafebabecafebabecafebabecafebabecafebabe";
      };

      grafana = {
        image = {
          registry = "docker.io";
          repository = "grafana/grafana";
          tag = "12.1.0";
        };
        # image.tag = "11.6.0";
        sidecar.image = {
          registry = "quay.io";
          repository = "kiwigrid/k8s-sidecar";
          tag = "1.30.7";
        };
        podLabels."app.kubernetes.io/name" = "grafana";
        "grafana.ini" = {
          server.root_url = "https://grafana.${homelab.domain}";
          database = {
            type = "postgres";
            host = "postgresql-18.apps.svc:5432";
          };
        };
        persistence.enabled = false;
      };
    };
  };

  kubernetes.resources.configMaps.grafana-datasource-loki = {
    metadata = {
      name = "grafana-datasource-loki";
      inherit namespace;
      labels.grafana_datasource = "1";
    };
    data."loki.yaml" = ''
      apiVersion: 1
      datasources:
        - name: Loki
          type: loki
          url: http://loki-gateway.monitoring.svc:80
    '';
  };
}
