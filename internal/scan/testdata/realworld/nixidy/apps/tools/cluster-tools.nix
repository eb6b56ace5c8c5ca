{ lib, ... }:
let
  toolbox = "ghcr.io/quillhaven/toolbox:2025.03.1";
  debugImage = "docker.io/nicolaka/netshoot:v0.13";
in
{
  applications.cluster-tools = {
    namespace = "tools";
    createNamespace = true;

    yamls = [
      ''
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: pgweb
          namespace: tools
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: pgweb
          template:
            metadata:
              labels:
                app: pgweb
            spec:
              containers:
                - name: pgweb
                  image: docker.io/sosedoff/pgweb:0.16.2
                  imagePullPolicy: IfNotPresent
                  args: ["--bind=0.0.0.0", "--listen=8081"]
                  env:
                    - name: PGWEB_DATABASE_URL
                      value: postgres://pgweb@postgres-rw.databases.svc:5432/app
      ''
      ''
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: s3-sync
          namespace: tools
        spec:
          schedule: "30 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                    - name: sync
                      image: ${toolbox}
                      command: ["rclone", "sync", "/data", "garage:backups/tools"]
                    - image: "rclone/rclone:1.69.1"
                      name: verify
                      # image: rclone/rclone:1.68.0
                      command: ["rclone", "check", "/data", "garage:backups/tools"]
      ''
      ''
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: auth-proxy
          namespace: tools
        spec:
          template:
            spec:
              containers:
                - name: oauth2-proxy
                  image: quay.io/oauth2-proxy/oauth2-proxy:v7.8.1@sha256:3bcef6f4b53967b5d24ce5e0cf58d6e912d37042c53899ce7a2cd678a6e9c3dc
                  args:
                    - --upstream=http://pgweb.tools.svc:8081
                    - --http-address=0.0.0.0:4180
      ''
      (builtins.readFile ./extra/sealed-secrets.yaml)
    ];

    resources.pods.netshoot.spec.containers.debug = {
      image = debugImage;
      command = [ "sleep" "infinity" ];
    };
  };
}
