{ kubenix, config, lib, homelab, ... }:

# Disabled: kept for reference until the calibre migration is done.
let
  app = "libebooker";
  namespace = homelab.kubernetes.namespaces.applications;
  libebookerTag = "latest";
in
{
  kubernetes.helm.releases.${app} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://bjw-s-labs.github.io/helm-charts";
      chart = "app-template";
      version = "4.2.0";
      sha256 = "sha256-fhk6SDBHQ4lk2YVU1e1Y2tbqQGYeZkQ4Cbf0Vq9DmJo=";
    };

    values = {
      controllers = {
        main.containers.main = {
          image = {
            repo = "ghcr.io/josevictorferreira/libebooker";
            tag = libebookerTag;
          };
          env = {
            LIBRARY_PATH = "/books";
            CALIBRE_URL = "calibre-web.apps.svc:8083";
          };
        };

        rescan = {
          type = "cronjob";
          cronjob.schedule = "@daily";
          containers.main = {
            image = {
              repo = "ghcr.io/josevictorferreira/libebooker";
              tag = libebookerTag;
            };
            args = [ "rescan" "--library" "/books" ];
          };
        };
      };

      service.main = {
        controller = "main";
        ports.http.port = 3000;
      };

      persistence.books = {
        existingClaim = "cephfs-books";
        globalMounts = [ { path = "/books"; readOnly = true; } ];
      };
    };
  };
}
