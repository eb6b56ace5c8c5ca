{
  config,
  pkgs,
  lib,
  ...
}:
let
  clusterName = "quillhaven";
  k8sVersion = "v${pkgs.kubernetes.version}";
in
{
  config = lib.mkMerge [
    # stage 1: ClusterAPI bootstrap
    (lib.mkIf (config.stage == "capi") {
      kubernetes.resources.none.Namespace.${clusterName} = { };

      kubernetes.resources.${clusterName} = {
        KubeadmControlPlane."${clusterName}-control-plane".spec = {
          replicas = 3;
          version = k8sVersion;
          kubeadmConfigSpec = {
            clusterConfiguration = {
              imageRepository = "registry.k8s.io";
              etcd.local.imageTag = "3.5.17-0";
              apiServer.extraArgs.oidc-issuer-url = "https://sso.${config.cluster.domain}/realms/master";
            };
            initConfiguration.nodeRegistration.kubeletExtraArgs = {
              image-gc-high-threshold = "80";
              pod-infra-container-image = "registry.k8s.io/pause:3.10";
            };
          };
          machineTemplate.infrastructureRef = {
            kind = "HCloudMachineTemplate";
            name = "${clusterName}-control-plane";
          };
        };

        KubeletConfiguration.defaults = {
          imageMaximumGCAge = "12h";
          imageMinimumGCAge = "2m";
        };

        HCloudMachineTemplate."${clusterName}-control-plane".spec.template.spec = {
          imageName = "2411-x86";
          placementGroupName = "control-plane";
          type = "cx32";
        };

        HCloudMachineTemplate."${clusterName}-workers-arm".spec.template.spec = {
          imageName = "2411-arm";
          type = "cax21";
        };

        Deployment.caph-controller-manager.spec.template.spec.containers = lib.mkNamedList {
          manager = {
            image = "ghcr.io/syself/caph-staging:v1.0.2";
            args = [ "--leader-elect" "--metrics-bind-address=localhost:8080" ];
          };
        };
      };

      importyaml.capi-core.src = "https://github.com/kubernetes-sigs/cluster-api/releases/download/v1.9.5/core-components.yaml";
    })

    # stage 2: everything else
    (lib.mkIf (config.stage == "full") {
      keycloak.enable = true;
      external-dns.enable = true;
      headlamp = {
        enable = true;
        hostname = "dash.${config.cluster.domain}";
        helmValues.image.registry = "ghcr.io";
      };
      kube-prometheus-stack = {
        enable = true;
        helmValues.grafana.image.tag = "11.5.3";
      };
      nix-cache.enable = true;

      kluctl.target = {
        name = "full";
        context = "admin@quillhaven";
      };

      kubernetes.resources.kube-system = {
        ConfigMap.coredns-custom.data."lan.server" = ''
          lan:53 {
            forward . 10.40.0.1:53
          }
        '';

        # pull-through check pod; rendered from a YAML snippet kept in the repo
        ConfigMap.mirror-probe.data."pod.yaml" = ''
          apiVersion: v1
          kind: Pod
          metadata:
            name: mirror-probe
          spec:
            containers:
              - name: probe
                image: registry.k8s.io/e2e-test-images/agnhost:2.53
                args: ["netexec", "--http-port=8080"]
              - name: crane
                image: "gcr.io/go-containerregistry/crane:v0.20.3"
        '';

        Pod.pause-canary.spec.containers = lib.mkNamedList {
          pause.image = config.cluster.pauseImage;
          nginx.image = "nginx:1.27.4-alpine";
        };
      };
    })
  ];
}
