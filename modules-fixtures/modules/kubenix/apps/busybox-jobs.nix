{ kubenix, config, lib, homelab, ... }:

# Small housekeeping jobs built from stock images.
let
  namespace = homelab.kubernetes.namespaces.applications;
  busybox = "busybox:1.37";

  mkCronJob = name: schedule: containers: {
    metadata = {
      inherit name namespace;
      labels."app.kubernetes.io/name" = name;
      labels."app.kubernetes.io/part-of" = "busybox-jobs";
    };
    spec = {
      inherit schedule;
      concurrencyPolicy = "Forbid";
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        inherit containers;
      };
    };
  };
in
{
  kubernetes.resources.cronJobs = {
    tmp-cleaner = mkCronJob "tmp-cleaner" "0 * * * *" [
      {
        name = "clean";
        image = busybox;
        command = [ "find" "/scratch" "-mtime" "+1" "-delete" ];
        volumeMounts = [ { name = "scratch"; mountPath = "/scratch"; } ];
      }
    ];

    dns-probe = mkCronJob "dns-probe" "*/5 * * * *" [
      {
        name = "nslookup";
        image = "docker.io/library/busybox:1.37.0-musl";
        command = [ "nslookup" "postgresql-18.apps.svc.cluster.local" ];
      }
      {
        name = "tcp";
        image = "busybox@sha256:badc0ffebadc0ffebadc0ffebadc0ffebadc0ffebadc0ffebadc0ffebadc0ffe";
        command = [ "nc" "-zv" "valkey.apps.svc:6379" ];
      }
    ];

    healthcheck-ping = mkCronJob "healthcheck-ping" "*/10 * * * *" [
      {
        name = "ping";
        image = "curlimages/curl:8.15.0";
        args = [ "-fsS" "-m" "10" "https://hc-ping.com/homelab" ];
      }
    ];

    vacuum = mkCronJob "postgres-vacuum" "0 3 * * 0" [
      {
        name = "vacuumdb";
        image = "postgres:17-alpine";
        command = [ "vacuumdb" "--all" "--analyze" ];
        env = [
          { name = "PGHOST"; value = "postgresql-18.apps.svc"; }
          { name = "PGPORT"; value = "5432"; }
        ];
      }
    ];

    image-gc = mkCronJob "image-gc" "30 4 * * *" [
      {
        name = "gc";
        image = "alpine:latest";
        # image = "nginx:1.25";
        command = [ "/bin/sh" "/scripts/gc.sh" ];
        env = [
          { name = "KEEP_LAST"; value = "3"; }
        ];
      }
    ];
  };

  # Policy consumed by the image-gc script: never collect these.
  kubernetes.resources.configMaps.image-gc-policy = {
    metadata = { name = "image-gc-policy"; inherit namespace; };
    data = {
      imageSelector = "ghcr.io/josevictorferreira/backup-toolbox";
      registryMirror = "registry.lan:5000";
    };
  };

  # Ad-hoc debug pod, applied with `kubectl apply -f` from the ConfigMap.
  kubernetes.resources.configMaps.debug-pod = {
    metadata = { name = "debug-pod"; inherit namespace; };
    data."pod.yaml" = ''
      apiVersion: v1
      kind: Pod
      metadata:
        name: debug
      spec:
        containers:
          - name: shell
            image: ${busybox}
            command: ["sleep", "3600"]
    '';
  };
}
