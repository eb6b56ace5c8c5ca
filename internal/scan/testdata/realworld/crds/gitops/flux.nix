{ lib, ... }:

let
  podinfoVersion = "6.7.1";
in
{
  applications.flux-apps = {
    namespace = "flux-system";

    resources.ociRepositories.podinfo-manifests.spec = {
      interval = "10m";
      url = "oci://ghcr.io/stefanprodan/manifests/podinfo";
      ref.tag = podinfoVersion;
    };

    resources.helmRepositories.podinfo.spec = {
      type = "oci";
      interval = "1h";
      url = "oci://ghcr.io/stefanprodan/charts";
    };

    resources.helmReleases.podinfo.spec = {
      interval = "30m";
      chart.spec = {
        chart = "podinfo";
        version = podinfoVersion;
        sourceRef = { kind = "HelmRepository"; name = "podinfo"; };
      };
      values = {
        replicaCount = 2;
        image = {
          repository = "ghcr.io/stefanprodan/podinfo";
          tag = "6.7.1";
        };
        redis = {
          enabled = true;
          repository = "docker.io/library/redis";
          tag = "7.4.1-alpine@sha256:686190eeff61bf3d5cf73eb50b54d476f64beadbc86cdfbd958994734c7cfa2e";
        };
      };
    };

    resources.kustomizations.podinfo.spec = {
      interval = "10m";
      path = "./kustomize";
      prune = true;
      sourceRef = { kind = "OCIRepository"; name = "podinfo-manifests"; };
      images = [{
        name = "ghcr.io/stefanprodan/podinfo";
        newTag = "6.7.1";
      }];
    };

    # Image automation: the repository is scanned for new tags, never pulled.
    resources.imageRepositories.podinfo.spec = {
      image = "ghcr.io/stefanprodan/podinfo";
      interval = "5m";
    };

    resources.imagePolicies.podinfo.spec = {
      imageRepositoryRef.name = "podinfo";
      policy.semver.range = ">=6.0.0 <7.0.0";
    };

    resources.imageUpdateAutomations.apps.spec = {
      git.commit.author = { name = "fluxbot"; email = "flux@example.net"; };
      update = { path = "./clusters/prod"; strategy = "Setters"; };
    };
  };
}
