{ config, lib, k8s, ... }:

with lib;
with k8s;

{
  config.kubernetes.moduleDefinitions.keydb.module = { name, config, module, ... }: {
    options = {
      image = mkOption {
        description = "Name of the keydb image to use";
        type = types.str;
        default = "eqalpha/keydb:x86_64_v6.3.4";
      };

      exporterImage = mkOption {
        description = "Prometheus exporter image that scrapes keydb";
        type = types.str;
        default = "oliver006/redis_exporter:v1.62.0";
      };

      replicas = mkOption {
        description = "Number of keydb replicas (active-active)";
        type = types.int;
        default = 3;
      };

      upstream = mkOption {
        description = "Address of an upstream master to replicate from";
        type = types.nullOr types.str;
        default = null;
        example = "keydb-main.cache.svc:6379";
      };

      storage = {
        size = mkOption {
          description = "Size of the data volume";
          type = types.str;
          default = "2Gi";
        };

        class = mkOption {
          description = "Storage class to request";
          type = types.nullOr types.str;
          default = null;
        };
      };
    };

    config = {
      kubernetes.resources.statefulSets.keydb = {
        metadata.name = name;
        metadata.labels.app = name;
        spec = {
          replicas = config.replicas;
          serviceName = name;
          selector.matchLabels.app = name;
          template = {
            metadata.labels.app = name;
            spec = {
              initContainers = [{
                name = "fix-perms";
                image = "busybox";
                imagePullPolicy = "IfNotPresent";
                command = [ "sh" "-c" "chown -R 999:999 /data" ];
                volumeMounts = [{ name = "data"; mountPath = "/data"; }];
              }];
              containers = {
                keydb = {
                  image = config.image;
                  imagePullPolicy = "IfNotPresent";
                  args = [ "--active-replica" "yes" "--multi-master" "yes" ]
                    ++ optionals (config.upstream != null) [ "--replicaof" config.upstream ];
                  ports = [{ name = "keydb"; containerPort = 6379; }];
                  volumeMounts = [{ name = "data"; mountPath = "/data"; }];
                };
                exporter = {
                  image = config.exporterImage;
                  env.REDIS_ADDR.value = "localhost:6379";
                  ports = [{ name = "metrics"; containerPort = 9121; }];
                };
                # debug = { image = "eqalpha/keydb:alpine_x86_64_v6.3.4"; };
              };
            };
          };
          volumeClaimTemplates = [{
            metadata.name = "data";
            spec = {
              accessModes = [ "ReadWriteOnce" ];
              storageClassName = config.storage.class;
              resources.requests.storage = config.storage.size;
            };
          }];
        };
      };

      kubernetes.resources.services.keydb = {
        metadata.name = name;
        spec = {
          selector.app = name;
          clusterIP = "None";
          ports = [{ name = "keydb"; port = 6379; }];
        };
      };
    };
  };
}
