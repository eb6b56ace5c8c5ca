{ config, lib, pkgs, ... }:

# Objects written as YAML text: a quick test app and a packaged chart override.
let
  whoamiImage = "docker.io/traefik/whoami:v1.10.4";
  ingressHost = "whoami.home.arpa";
in
{
  services.k3s.manifests.whoami.text = ''
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: whoami
      namespace: default
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: whoami
      template:
        metadata:
          labels:
            app: whoami
        spec:
          containers:
            - name: whoami
              image: ${whoamiImage}
              args: ["--port", "8080"]
            - name: echo
              image: hashicorp/http-echo:1.0
              args: ["-text=hello", "-listen=:5678"]
          initContainers:
            - image: "busybox:1.37"
              name: wait
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: whoami
    spec:
      rules:
        - host: ${ingressHost}
          http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: whoami
                    port:
                      number: 8080
  '';

  services.k3s.manifests.coredns-custom.source = ./coredns-custom.yaml;

  # Packaged traefik chart: override values through a HelmChartConfig.
  environment.etc."rancher/k3s/server/manifests/traefik-config.yaml".text = ''
    apiVersion: helm.cattle.io/v1
    kind: HelmChartConfig
    metadata:
      name: traefik
      namespace: kube-system
    spec:
      valuesContent: |-
        image:
          repository: docker.io/library/traefik
          tag: v3.3.4
        deployment:
          initContainers:
            - name: volume-permissions
              image: docker.io/library/busybox:1.37@sha256:902f4da4e002e1921302e6b49aa48277fdbb441e4df460b2b96ecff38c13deae
        ports:
          websecure:
            tls:
              enabled: true
  '';

  environment.etc."rancher/k3s/server/manifests/metallb.yaml".text = ''
    apiVersion: helm.cattle.io/v1
    kind: HelmChart
    metadata:
      name: metallb
      namespace: kube-system
    spec:
      repo: https://metallb.github.io/metallb
      chart: metallb
      version: 0.14.9
      targetNamespace: metallb-system
      createNamespace: true
      valuesContent: |-
        speaker:
          image:
            repository: quay.io/metallb/speaker
        # controller:
        #   image:
        #     tag: v0.14.8
  '';
}
