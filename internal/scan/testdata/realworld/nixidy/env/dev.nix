{ lib, ... }:
{
  imports = [
    ../modules/lib/mk-web-app.nix
    ../applications/ledgerly.nix
    ../applications/pantry.nix
    ../apps/media/arr-stack.nix
    ../apps/comms/mailstack.nix
    ../apps/home/automation.nix
    ../apps/tools/cluster-tools.nix
    ../apps/infra/ipman.nix
    ../apps/dev/runners.nix
    ../system/observability.nix
  ];

  nixidy = {
    target = {
      repository = "https://github.com/quillhaven/cluster-manifests.git";
      branch = "main";
      rootPath = "./manifests/dev";
    };
    defaults.syncPolicy.autoSync = {
      enable = true;
      prune = true;
      selfHeal = true;
    };
    chartsDir = ../charts;
  };

  # Per-environment overrides of the options declared under ../applications.
  services.ledgerly = {
    enable = true;
    image = "ghcr.io/quillhaven/ledgerly:v2.3.1";
    hostAffinity = "node-b2";
    ingress.domain = "ledger.dev.quillhaven.net";
    database.host = "postgres-rw.databases.svc:5432";
  };

  services.pantry = {
    enable = true;
    image = lib.mkDefault "docker.io/tandoorrecipes/recipes:1.5.24";
    imageVersion = "1.27.4-alpine";
    replicas = 1;
  };

  services.sonarr-lite = {
    enable = false;
    image = "linuxserver/sonarr:4.0.14.2939-ls285";
  };

  ci.runners = {
    enable = true;
    version = "0.10.1";
    cacheVersion = "v6.1.2";
    scaleSets.ledgerly.repository = "quillhaven/ledgerly";
  };
}
