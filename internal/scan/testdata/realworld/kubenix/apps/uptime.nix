{ kubenix, lib, pkgs, config, homelab, ... }:

with pkgs.dockerTools;

let
  app = "uptime-kuma";
  useNightly = homelab.dashboards.nightly or false;

  # Pre-pulled into the node's image store by the kubenix docker module.
  kumaPull = pullImage {
    imageName = "docker.io/louislam/uptime-kuma";
    imageDigest = "sha256:637fb97691a793f78aece2a3931b8bd6a099f2d14c656e95c35c46678bbdbb8e";
    sha256 = "ccvcwi6gqfd4bwz7ffma0y4f588xrspi5hw97ih6z7k8hj51wvh1";
    finalImageName = "docker.io/louislam/uptime-kuma";
    finalImageTag = "1.23.16-alpine";
  };

  homepagePull = pkgs.dockerTools.pullImage {
    imageName = "ghcr.io/gethomepage/homepage";
    imageDigest = "sha256:3789f835429c4adf3fe8427f55da1faedad150fbfa55bb2687e9d3eb61f2631d";
    hash = "sha256-4XrN+eqdRDpTMdDzf4D13TZL+uAeDQphUjgSw6lHJZY=";
    finalImageTag = "v1.0.4";
  };
in
{
  kubenix.project = "homelab";

  docker.images.${app}.image = kumaPull;
  docker.images.homepage.image = homepagePull;

  kubernetes.helm.releases.uptime-kuma = {
    namespace = "monitoring";
    chart = kubenix.lib.helm.fetch {
      repo = "https://helm.irsigler.cloud";
      chart = "uptime-kuma";
      version = "2.21.2";
      sha256 = "sha256-BjIhHldMcY1MFsc2Ulb0bPCOieUFYhxgHQLugGTy8RI=";
    };
    values.podLabels."app.kubernetes.io/part-of" = "monitoring";
    values.volume.size = "2Gi";
  };
  kubernetes.helm.releases.uptime-kuma.values.image.repository = "louislam/uptime-kuma";
  kubernetes.helm.releases.uptime-kuma.values.image.tag = "1.23.16-alpine";

  kubernetes.resources.deployments.homepage = {
    metadata.namespace = "monitoring";
    spec.template.spec.containers = {
      homepage = {
        image = config.docker.images.homepage.path;
        ports.http.containerPort = 3000;
      };
      homepage-preview.image =
        if useNightly then "ghcr.io/gethomepage/homepage:nightly" else "ghcr.io/gethomepage/homepage:v1.0.4";
    };
  };

  kubernetes.resources.configMaps."${app}-config".data = {
    "status-pages.json" = builtins.toJSON [ { slug = "home"; title = "Homelab"; } ];
  };
}
