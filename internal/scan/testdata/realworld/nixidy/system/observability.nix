{ lib, config, charts, ... }:
let
  cfg = config.observability;
  otelChart = lib.helm.downloadHelmChart {
    repo = "https://open-telemetry.github.io/opentelemetry-helm-charts";
    chart = "opentelemetry-collector";
    version = "0.117.1";
    chartHash = "sha256-AER4S0UVKi0iOLTY0PEwWf5xmjLcPoBsjK5bqu8sLKY=";
  };
in
{
  options.observability.grafanaValues = lib.mkOption {
    type = lib.types.attrsOf lib.types.anything;
    default = { };
  };

  config.applications.observability = {
    namespace = "observability";
    createNamespace = true;

    helm.releases.otel-agent = {
      chart = otelChart;
      values = {
        mode = "daemonset";
        # the chart's default image is the "contrib" build; only the
        # repository is switched, the tag follows the chart's appVersion
        image.repository = "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s";
        presets.kubeletMetrics.enabled = true;
        presets.logsCollection.enabled = true;
        config.exporters."otlphttp/tempo".endpoint = "http://tempo.observability.svc:4318";
      };
    };

    helm.releases.grafana = {
      chart = lib.helm.downloadHelmChart {
        repo = "https://grafana.github.io/helm-charts";
        chart = "grafana";
        version = "8.10.4";
        chartHash = "sha256-2MJ4YTUrg3u747itWKoQ27cAWAN1neP9Pza05bPxutc=";
      };
      values = lib.recursiveUpdate {
        image.tag = "11.5.2";
        sidecar.image = {
          registry = "quay.io";
          repository = "kiwigrid/k8s-sidecar";
          tag = "1.30.0";
        };
        initChownData.image.tag = "1.37.0@sha256:c8546eb9e8948a615a0054932f713a897b89c269b613478e3aa2b6f037a65e49";
        downloadDashboardsImage = {
          repository = "docker.io/curlimages/curl";
          tag = "8.12.1";
        };
        "grafana.ini".server.root_url = "https://grafana.quillhaven.net";
        datasources."datasources.yaml".datasources = [
          {
            name = "Prometheus";
            type = "prometheus";
            url = "http://prometheus-operated.observability.svc:9090";
          }
        ];
      } cfg.grafanaValues;
    };

    helm.releases.homepage = {
      chart = charts.jameswynn.homepage;
      values = {
        image.tag = "v0.10.9";
        config.settings = {
          title = "Quillhaven";
          background = {
            image = "https://images.unsplash.com/photo-1500530855697-b586d89ba3ee?w=2400";
            blur = "sm";
            opacity = 40;
          };
        };
        config.services = [
          {
            Infra = [
              { Gatus.href = "https://status.quillhaven.net"; }
              { Grafana.href = "https://grafana.quillhaven.net"; }
            ];
          }
        ];
      };
    };
  };
}
