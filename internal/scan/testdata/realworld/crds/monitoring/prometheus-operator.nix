{ lib, ... }:

let
  promVersion = "v2.55.1";
  thanosImage = "quay.io/thanos/thanos:v0.36.1";
in
{
  applications.monitoring = {
    namespace = "monitoring";

    helm.releases.kube-prometheus-stack = {
      chart = lib.helm.downloadHelmChart {
        repo = "https://prometheus-community.github.io/helm-charts";
        chart = "kube-prometheus-stack";
        version = "66.3.1";
        chartHash = "sha256-sL3bN8qT1vW5xC7eR0yM2kJ4pD6fH9aG3uI5oZ1tB2s=";
      };
      values = {
        prometheus.enabled = false; # the Prometheus CR below replaces the chart's
        prometheusOperator.image = {
          registry = "quay.io";
          repository = "prometheus-operator/prometheus-operator";
          tag = "v0.78.2";
        };
        prometheusOperator.prometheusConfigReloader.image = {
          registry = "quay.io";
          repository = "prometheus-operator/prometheus-config-reloader";
          tag = "v0.78.2";
        };
        alertmanager.alertmanagerSpec.image.tag = "v0.27.0";
        kube-state-metrics.image.tag = "v2.14.0";
        grafana.enabled = false;
      };
    };

    resources.prometheuses.k8s.spec = {
      image = "quay.io/prometheus/prometheus:${promVersion}";
      version = promVersion;
      replicas = 2;
      retention = "15d";
      externalUrl = "https://prometheus.example.net";
      serviceMonitorSelector.matchLabels.release = "kube-prometheus-stack";
      remoteWrite = [{ url = "http://mimir-distributor.monitoring.svc:8080/api/v1/push"; }];
      thanos = {
        image = thanosImage;
        objectStorageConfig = { name = "thanos-objstore"; key = "objstore.yml"; };
      };
      containers = [{
        name = "config-reloader";
        image = "quay.io/prometheus-operator/prometheus-config-reloader:v0.78.2@sha256:cbb2c929eafbc50faa271bb84f9395e396928e56c5e66221f2c05def55138f27";
      }];
    };

    resources.alertmanagers.main.spec = {
      image = "quay.io/prometheus/alertmanager:v0.27.0";
      version = "v0.27.0";
      replicas = 3;
      alertmanagerConfigSelector.matchLabels.alertmanagerConfig = "main";
    };

    resources.thanosRulers.main.spec = {
      image = thanosImage;
      queryEndpoints = [ "dnssrv+_http._tcp.thanos-query.monitoring.svc" ];
      ruleSelector.matchLabels.role = "thanos-rules";
    };

    resources.podMonitors.cnpg.spec = {
      selector.matchLabels."cnpg.io/podRole" = "instance";
      podMetricsEndpoints = [{ port = "metrics"; }];
    };
  };
}
