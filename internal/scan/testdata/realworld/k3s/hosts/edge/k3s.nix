{ config, lib, pkgs, ... }:

# Single-node k3s server on the edge box; images are pre-loaded so the node
# comes up without pulling from the internet.
let
  pauseImage = pkgs.dockerTools.pullImage {
    imageName = "registry.k8s.io/pause";
    imageDigest = "sha256:6ff1301420f357218b54f238f79e4c2ad072b165444af68e46aa7bbfe8562b65";
    hash = "sha256-PbLSHgV9+M+9LeKvVMkC7ClLtSwjtBGDg2tiJopJOno=";
    finalImageTag = "3.10";
  };
in
{
  services.k3s = {
    enable = true;
    role = "server";
    tokenFile = "/run/secrets/k3s-token";
    clusterInit = true;
    extraFlags = [
      "--disable traefik"
      "--disable servicelb"
      "--tls-san edge.home.arpa"
      "--node-label=topology.kubernetes.io/zone=garage"
      "--kubelet-arg=pod-infra-container-image=registry.k8s.io/pause:3.10"
      "--etcd-s3-endpoint=minio.home.arpa:9000"
    ];

    images = [
      pauseImage
      (pkgs.dockerTools.pullImage {
        imageName = "docker.io/traefik/whoami";
        imageDigest = "sha256:5b7c43179430e5362ee169ea033fe920ecf30f641ffd87f8fb0db67443e5e372";
        sha256 = "1x03l4fy2g6q7nczj281jd0wahf68cn7ngzy8lbxszzml0dddnh1";
        finalImageName = "docker.io/traefik/whoami";
        finalImageTag = "v1.10.4";
        arch = "amd64";
      })
      config.services.k3s.package.airgap-images
    ];

    containerdConfigTemplate = ''
      {{ template "base" . }}

      [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
        endpoint = ["https://mirror.home.arpa:5000"]
    '';
  };

  # Registry mirrors for the embedded containerd.
  environment.etc."rancher/k3s/registries.yaml".text = ''
    mirrors:
      docker.io:
        endpoint:
          - "https://mirror.home.arpa:5000"
      ghcr.io:
        endpoint:
          - "https://mirror.home.arpa:5001"
    configs:
      "mirror.home.arpa:5000":
        tls:
          insecure_skip_verify: true
  '';

  networking.firewall.allowedTCPPorts = [ 6443 10250 ];
  networking.firewall.allowedUDPPorts = [ 8472 ];

  environment.systemPackages = with pkgs; [ k3s kubectl k9s ];
}
