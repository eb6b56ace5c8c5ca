{ lib, ... }:

let
  registry = "registry.example.net";
  crane = "gcr.io/go-containerregistry/crane:v0.20.2";
in
{
  applications.ci = {
    namespace = "ci";

    resources.workflowTemplates.build-and-push.spec = {
      serviceAccountName = "ci-builder";
      entrypoint = "pipeline";
      arguments.parameters = [
        { name = "repo-url"; }
        { name = "revision"; value = "main"; }
        { name = "image-name"; }
        { name = "image-tag"; value = "{{workflow.creationTimestamp.Y}}{{workflow.creationTimestamp.m}}"; }
      ];
      templates = [
        {
          name = "pipeline";
          steps = [
            [ { name = "clone"; template = "clone"; } ]
            [ { name = "build"; template = "build"; } ]
            [ { name = "push"; template = "push"; } ]
          ];
        }
        {
          name = "clone";
          container = {
            image = "alpine/git:v2.47.1";
            args = [ "clone" "{{workflow.parameters.repo-url}}" "/work/src" ];
          };
        }
        {
          name = "build";
          container.image = "nixos/nix:2.24.10";
          container.command = [ "sh" "-c" ];
          container.args = [ "nix build .#images.{{workflow.parameters.image-name}} --out-link /work/image.tar.gz" ];
          sidecars = [{
            name = "cache";
            image = "docker.io/library/nginx:1.27.3-alpine";
          }];
        }
        {
          name = "push";
          script = {
            image = crane;
            command = [ "sh" ];
            source = ''
              crane push /work/image.tar.gz ${registry}/apps/{{workflow.parameters.image-name}}:{{workflow.parameters.image-tag}}
            '';
          };
        }
      ];
    };

    resources.cronWorkflows.registry-gc.spec = {
      schedule = "0 5 * * 0";
      workflowSpec.templates = [{
        name = "gc";
        container = {
          image = crane;
          args = [ "ls" "${registry}/apps" ];
        };
      }];
    };

    resources.applications.ci-tools.spec = {
      project = "default";
      source = {
        repoURL = "https://git.example.net/platform/ci-tools.git";
        targetRevision = "HEAD";
        path = "deploy";
        kustomize.images = [
          "ghcr.io/example-org/ci-api:1.4.2"
          "ci-web=ghcr.io/example-org/ci-web:2.0.0"
        ];
      };
      destination = { server = "https://kubernetes.default.svc"; namespace = "ci"; };
    };
  };
}
