{ lib, homelab, ... }:

# Small stateless web tools, built with the shared helpers.
let
  h = import ../lib/helpers.nix { inherit lib; };
  registry = "ghcr.io/acme-ops";
  namespace = "tools";
in
{
  kubernetes.resources.deployments = {
    it-tools = h.mkDeployment "it-tools" "ghcr.io/corentinth/it-tools:2024.10.22-7ca5933" 80;

    cyberchef = h.mkDeployment "cyberchef" "mpepping/cyberchef:v10.19.4" 8000;

    excalidraw = h.withDebugSidecar
      (h.mkDeployment "excalidraw" "docker.io/excalidraw/excalidraw:latest" 80);

    linkding = h.mkApp {
      name = "linkding";
      image = "sissbruecker/linkding:1.39.1-plus";
      inherit registry;
      port = 9090;
    };

    wikijs = h.mkApp {
      name = "wikijs";
      image = "ghcr.io/requarks/wiki:2.5.306";
      metricsImage = "quay.io/prometheuscommunity/json-exporter:v0.7.0";
      registry = "ghcr.io/acme-ops";
      port = 3000;
      extraContainers.renderer = {
        image = "ghcr.io/acme-ops/wiki-renderer:0.4.1";
        env = [ { name = "WIKI_URL"; value = "http://localhost:3000"; } ];
      };
    };
  };

  kubernetes.resources.services = lib.genAttrs [ "it-tools" "cyberchef" "excalidraw" ] (name: {
    metadata = { inherit name namespace; };
    spec.selector."app.kubernetes.io/name" = name;
    spec.ports = [ { port = 80; targetPort = "http"; } ];
  });
}
