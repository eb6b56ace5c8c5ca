{
  config,
  pkgs,
  lib,
  ...
}:
let
  moduleName = "kube-prometheus-stack";
  cfg = config.${moduleName};
in
{
  options.${moduleName} = {
    enable = lib.mkEnableOption moduleName;
    namespace = lib.mkOption {
      type = lib.types.str;
      default = "monitoring";
    };
    version = lib.mkOption {
      type = lib.types.str;
      default = "69.8.2";
    };
    sha256 = lib.mkOption {
      type = lib.types.str;
      default = "sha256-lD+VhCWL/4Ddnt5FcN2It0E2yeZhz8XNWWAhEd/SjFI=";
    };
    helmValues = lib.mkOption {
      type = lib.types.anything;
      default = { };
    };
  };

  config = lib.mkIf cfg.enable {
    kubernetes.resources.none.Namespace.${cfg.namespace} = { };

    helm.releases.${moduleName} = {
      namespace = cfg.namespace;
      includeCRDs = true;
      noHooks = true;

      chart = pkgs.fetchHelm {
        chart = "kube-prometheus-stack";
        repo = "https://prometheus-community.github.io/helm-charts";
        inherit (cfg) version sha256;
      };

      values = lib.recursiveUpdate {
        crds.enabled = true;
        prometheusOperator = {
          image = {
            registry = "quay.io";
            repository = "prometheus-operator/prometheus-operator";
            tag = "v0.80.1";
          };
          prometheusConfigReloader.image.tag = "v0.80.1";
          admissionWebhooks.certManager.enabled = true;
        };
        prometheus.prometheusSpec = {
          image = {
            registry = "quay.io";
            repository = "prometheus/prometheus";
            tag = "v3.2.1";
            sha = "";
          };
          retention = "15d";
          externalUrl = "https://prometheus.${config.cluster.domain}";
        };
        alertmanager.alertmanagerSpec.image.tag = "v0.28.1";
        kube-state-metrics.image = {
          registry = "registry.k8s.io";
          repository = "kube-state-metrics/kube-state-metrics";
          tag = "v2.15.0";
        };
        prometheus-node-exporter.image.digest = "sha256:45c29068c5edf8b984debdcaebb3ed3cd16d33e312c359e07f627180f97c6b42";
        grafana = {
          image.registry = "docker.io";
          image.repository = "grafana/grafana";
          image.tag = "11.5.2";
          sidecar.image.pullPolicy = "IfNotPresent";
          "grafana.ini".server.root_url = "https://grafana.${config.cluster.domain}";
        };
      } cfg.helmValues;
    };
  };
}
