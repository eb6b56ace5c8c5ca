{ config, lib, k8s, ... }:

with lib;
with k8s;

let
  versions = {
    prometheus = "v3.1.0";
    nodeExporter = "v1.8.2";
  };

  images = rec {
    registry = "quay.io/prometheus";
    prometheus = "${registry}/prometheus:${versions.prometheus}";
    reloader = "ghcr.io/jimmidyson/configmap-reload:v0.14.0";
  };
in
{
  config.kubernetes.moduleDefinitions.prometheus.module = { name, config, module, ... }: {
    options = {
      image = mkOption {
        description = "Docker image to use for prometheus";
        type = types.str;
        default = images.prometheus;
      };

      nodeExporter.image = mkOption {
        description = "Image of the node exporter daemonset";
        type = types.str;
        default = "quay.io/prometheus/node-exporter:${versions.nodeExporter}";
      };

      alertmanager = {
        enable = mkEnableOption "alertmanager";
        image = mkOption {
          description = "Prometheus alertmanager image to use";
          type = types.str;
        };
      };

      retention = mkOption {
        description = "How long to keep samples";
        type = types.str;
        default = "15d";
      };

      externalUrl = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "https://prometheus.example.net";
      };
    };

    config = {
      alertmanager.image = mkOptionDefault "quay.io/prometheus/alertmanager:v0.28.0";

      kubernetes.resources.deployments.prometheus.spec.template.spec = {
        serviceAccountName = name;
        containers = {
          prometheus = {
            image = config.image;
            args = [
              "--storage.tsdb.retention.time=${config.retention}"
              "--config.file=/etc/prometheus/prometheus.yml"
            ];
          };
          reload = {
            image = images.reloader;
            args = [ "--volume-dir=/etc/prometheus" "--webhook-url=http://localhost:9090/-/reload" ];
          };
          resizer = {
            image = "registry.k8s.io/autoscaling/addon-resizer:1.8.23";
            command = [ "/pod_nanny" "--container=prometheus" "--cpu=100m" "--memory=300Mi" ];
          };
        };
      };

      kubernetes.resources.daemonSets.node-exporter.spec.template.spec.containers.node-exporter = {
        image = config.nodeExporter.image;
        args = [ "--path.rootfs=/host" ];
      };

      kubernetes.resources.deployments.alertmanager = mkIf config.alertmanager.enable {
        spec.template.spec.containers.alertmanager.image = config.alertmanager.image;
      };
    };
  };
}
