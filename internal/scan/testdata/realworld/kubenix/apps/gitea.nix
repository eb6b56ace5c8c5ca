{ kubenix, lib, config, homelab, ... }:

let
  name = "gitea";
  namespace = "dev";
  withActions = true;
  giteaTag = "1.23.4-rootless";
in
{
  kubernetes.helm.releases.${name} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://dl.gitea.com/charts/";
      chart = "gitea";
      version = "10.6.0";
      sha256 = "sha256-f0HYGFe0BPrHlOqMdPwf7kw43XFvm6SpFzQkVmHz5k8=";
    };

    values = lib.mkMerge [
      {
        global.imageRegistry = "docker.io";

        image = {
          registry = "docker.gitea.com";
          repository = "gitea";
        };
        image.tag = giteaTag;
        image.rootless = true;
        image.pullPolicy = "IfNotPresent";

        postgresql.enabled = false;
        postgresql-ha.enabled = false;
        redis-cluster.enabled = false;

        valkey = {
          enabled = true;
          image.tag = "8.0.2-debian-12-r3";
        };

        # only the pull policy changes here: not an image
        test.image = { pullPolicy = "Never"; };

        gitea.config = {
          server = {
            SSH_DOMAIN = "git.${homelab.domain}";
            SSH_LISTEN_PORT = 2222;
            START_SSH_SERVER = true;
          };
          database = {
            DB_TYPE = "postgres";
            HOST = "postgres.databases.svc:5432";
            NAME = "gitea";
          };
        };
      }

      (lib.optionalAttrs withActions {
        actions = {
          enabled = true;
          statefulset.actRunner = {
            repository = "gitea/act_runner";
            tag = "0.2.11";
          };
          statefulset.dind = {
            repository = "docker";
            tag = "27.5.1-dind";
          };
          init.image = { repository = "busybox"; tag = "1.37.0"; };
          provisioning.image.repository = "bitnami/kubectl";
        };
      })

      (lib.mkIf config.homelab.gitea.mirror {
        gitea.config.mirror.ENABLED = true;
        metrics.image.registry = "registry.gitea.lan";
      })
    ];
  };
}
