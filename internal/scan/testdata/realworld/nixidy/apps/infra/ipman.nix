{ lib, ... }:
let
  proxies = [
    {
      name = "nas-admin";
      localPort = 8443;
      remoteUrl = "https://10.20.0.5:443";
    }
    {
      name = "switch-ui";
      localPort = 8080;
      remoteUrl = "http://10.20.0.2";
    }
  ];

  image = "caddy:2.9.1-alpine";

  mkContainer =
    {
      name,
      localPort,
      remoteUrl,
    }:
    let
      portStr = toString localPort;
      # accept self-signed certificates on the upstream side
      insecure = lib.hasPrefix "https" remoteUrl;
      cmd = [ "caddy" "reverse-proxy" "--from" ":${portStr}" "--to" remoteUrl ];
    in
    {
      inherit name image;
      ports = [ { containerPort = localPort; } ];
      command = if insecure then cmd ++ [ "--insecure" ] else cmd;
    };
in
{
  applications.ipman = {
    namespace = "ipman";
    createNamespace = true;

    helm.releases.vlanman = {
      chart = ../../charts/vlanman-0.2.0.tgz;
      # chart = lib.helm.downloadHelmChart {
      #   repo = "https://dialohq.github.io/vlanman";
      #   chart = "vlanman";
      #   version = "v0.2.0";
      # };
      values = {
        global.monitoring.enabled = true;
        # controller.image = "docker.io/dialohq/vlanman:0.2.0";
        # manager = {
        #   image = "192.168.10.50:5000/vlan-manager:dev";
        #   pullPolicy = "Always";
        # };
        manager.image = "docker.io/dialohq/vlan-manager:0.2.0";
        worker.pullPolicy = "Always";
      };
    };

    resources.deployments.edge-proxy.spec = {
      replicas = 1;
      selector.matchLabels."app.kubernetes.io/name" = "edge-proxy";
      template.metadata.labels."app.kubernetes.io/name" = "edge-proxy";
      template.spec.containers = map mkContainer proxies;
    };

    resources.deployments.static-site.spec.template.spec.containers = [
      {
        name = "web";
        image = "nginx";
        ports = [ { containerPort = 80; } ];
      }
      {
        name = "ssh-relay";
        image = "ubuntu:latest";
        command = [
          "bash"
          "-c"
          "apt-get update && apt-get install -y socat && socat TCP4-LISTEN:2222,fork TCP4:10.20.0.9:22"
        ];
      }
    ];

    resources.configMaps.edge-proxy-nginx.data."nginx.conf" = ''
      server {
        listen 8081;
        location / { proxy_pass http://10.20.0.7:8080; }
      }
    '';
  };
}
