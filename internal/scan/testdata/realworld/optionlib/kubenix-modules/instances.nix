{ config, lib, ... }:

# Instances of the module definitions above, the way the library's own tests
# and the consuming cluster repos configure them.
{
  require = [ ./keydb.nix ./nats.nix ];

  kubernetes.dockerRegistry = "registry.internal.example:5000";

  kubernetes.modules.session-cache = {
    module = "keydb";
    namespace = "web";
    configuration = {
      image = "eqalpha/keydb:x86_64_v6.3.4@sha256:4abf878911aad8fc9509b65b5e945aa445bcd9153b20ecda3bd4e3c73d454c84";
      replicas = 2;
      storage.size = "5Gi";
    };
  };

  kubernetes.modules.rate-limit-cache = {
    module = "keydb";
    namespace = "edge";
    configuration = {
      upstream = "session-cache.web.svc:6379";
      exporterImage = "quay.io/oliver006/redis_exporter:v1.62.0-alpine";
    };
  };

  kubernetes.modules.events = {
    module = "nats";
    namespace = "messaging";
    configuration = {
      cluster.enable = true;
      sidecarImage = "natsio/prometheus-nats-exporter:0.16.0";
      jetstream.maxFileStore = "50Gi";
    };
  };

  # Smoke-test instance: the image is a placeholder that only has to type-check.
  kubernetes.modules.nats-smoke = {
    module = "nats";
    configuration.image = "imagelocation";
  };

  kubernetes.modules.nats-canary = {
    module = "nats";
    configuration = {
      image = "nats:2.11.0-alpine"; # pinner:ignore
      toolsImage = "natsio/nats-box";
    };
  };
}
