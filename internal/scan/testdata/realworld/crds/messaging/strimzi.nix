{ lib, ... }:

let
  strimziVersion = "0.44.0";
  kafkaVersion = "3.8.0";
in
{
  applications.kafka = {
    namespace = "kafka";

    helm.releases.strimzi-operator = {
      chart = lib.helm.downloadHelmChart {
        repo = "oci://quay.io/strimzi-helm";
        chart = "strimzi-kafka-operator";
        version = strimziVersion;
        chartHash = "sha256-Rz8xM3qW6tP1vB9nE2yK5aJ0sF7dG4hL8uC1oI3eT6w=";
      };
      values = {
        defaultImageRegistry = "quay.io";
        defaultImageRepository = "strimzi";
        defaultImageTag = strimziVersion;
        watchAnyNamespace = true;
      };
    };

    resources.kafkaNodePools.dual-role.spec = {
      replicas = 3;
      roles = [ "controller" "broker" ];
      storage = { type = "jbod"; volumes = [ { id = 0; type = "persistent-claim"; size = "100Gi"; } ]; };
    };

    resources.kafkas.events = {
      metadata.annotations = {
        "strimzi.io/node-pools" = "enabled";
        "strimzi.io/kraft" = "enabled";
      };
      spec = {
        kafka = {
          version = kafkaVersion;
          image = "quay.io/strimzi/kafka:${strimziVersion}-kafka-${kafkaVersion}";
          listeners = [
            { name = "plain"; port = 9092; type = "internal"; tls = false; }
            { name = "tls"; port = 9093; type = "internal"; tls = true; }
          ];
          config."default.replication.factor" = 3;
        };
        entityOperator = {
          topicOperator.image = "quay.io/strimzi/operator:0.44.0";
          userOperator = { };
        };
        kafkaExporter = {
          image = "quay.io/strimzi/kafka:0.44.0-kafka-3.8.0@sha256:894ab0260ac86b3c9f7ead8ed9aa9f8e226e7685345cc28885942bcd7cc9f3d6";
          topicRegex = ".*";
        };
      };
    };

    resources.kafkaConnects.lake-sink.spec = {
      replicas = 2;
      bootstrapServers = "events-kafka-bootstrap:9093";
      image = "ghcr.io/example-data/kafka-connect-s3:3.8.0-2";
      build = {
        output = {
          type = "docker";
          image = "registry.example.net/kafka/connect-s3:latest";
          pushSecret = "registry-push";
        };
        plugins = [{
          name = "s3-sink";
          artifacts = [{
            type = "tgz";
            url = "https://downloads.example.net/connect/s3-sink-10.5.17.tgz";
            sha512sum = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
          }];
        }];
      };
    };

    resources.kafkaTopics.orders = {
      metadata.labels."strimzi.io/cluster" = "events";
      spec = { partitions = 12; replicas = 3; };
    };
  };
}
