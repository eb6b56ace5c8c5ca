{ lib, ... }:

let
  stackVersion = "8.16.1";
  elastic = "docker.elastic.co";
in
{
  applications.logging = {
    namespace = "logging";

    helm.releases.eck-operator = {
      chart = lib.helm.downloadHelmChart {
        repo = "https://helm.elastic.co";
        chart = "eck-operator";
        version = "2.15.0";
        chartHash = "sha256-Yc4vN7bQ2wX9tR5mE1kP8sJ3aD6fG0hL4uI7oZ2eB5n=";
      };
      values = {
        image.repository = "${elastic}/eck/eck-operator";
        image.tag = "2.15.0";
        config.containerRegistry = elastic;
        managedNamespaces = [ "logging" ];
      };
    };

    resources.elasticsearches.logs.spec = {
      version = stackVersion;
      image = "${elastic}/elasticsearch/elasticsearch:${stackVersion}";
      http.tls.selfSignedCertificate.disabled = true;
      nodeSets = [
        {
          name = "hot";
          count = 3;
          config."node.roles" = [ "master" "data_hot" "ingest" ];
          podTemplate.spec = {
            initContainers = [{
              name = "sysctl";
              image = "busybox:1.37";
              command = [ "sh" "-c" "sysctl -w vm.max_map_count=262144" ];
              securityContext.privileged = true;
            }];
            containers = [{
              name = "elasticsearch";
              resources.limits.memory = "8Gi";
            }];
          };
        }
      ];
    };

    resources.kibanas.logs.spec = {
      version = stackVersion;
      image = "docker.elastic.co/kibana/kibana:8.16.1@sha256:b5109ac580f79f3ae2fc9d217859f50e1146845f225642f287f9f77fe9ff9b8d";
      count = 1;
      elasticsearchRef.name = "logs";
      config."server.publicBaseUrl" = "https://kibana.example.net";
    };

    resources.beats.filebeat.spec = {
      type = "filebeat";
      version = stackVersion;
      image = "docker.elastic.co/beats/filebeat:8.16.1";
      elasticsearchRef.name = "logs";
      config."filebeat.inputs" = [{ type = "container"; paths = [ "/var/log/containers/*.log" ]; }];
    };

    resources.logstashes.ingest.spec = {
      version = stackVersion;
      count = 1;
      elasticsearchRefs = [{ name = "logs"; clusterName = "logs"; }];
    };
  };
}
