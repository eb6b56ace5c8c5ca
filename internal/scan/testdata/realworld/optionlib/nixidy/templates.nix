{ lib, config, ... }:

let
  tmpl = config.templates;
in
{
  options.platform.extraResources = lib.mkOption {
    type = lib.types.attrs;
    default = { };
    description = "Raw resources merged into every application.";
    example = {
      deployments.echo.spec.template.spec.containers.echo = {
        image = "ghcr.io/example-org/echo-server:0.9.1";
        imagePullPolicy = "IfNotPresent";
      };
    };
  };

  config = {
    templates.webService = {
      options = with lib; {
        image = mkOption {
          type = types.str;
          description = "Image of the web service container.";
        };
        metricsImage = mkOption {
          type = types.nullOr types.str;
          default = "quay.io/prometheus/statsd-exporter:v0.28.0";
        };
        port = mkOption {
          type = types.port;
          default = 8080;
        };
        host = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "app.example.net";
        };
      };

      output = { name, config, ... }: {
        deployments.${name}.spec.template.spec.containers = {
          ${name} = {
            image = config.image;
            ports.http.containerPort = config.port;
          };
          statsd = lib.mkIf (config.metricsImage != null) {
            image = config.metricsImage;
          };
        };
        services.${name}.spec.ports.http.port = config.port;
      };
    };

    applications.landing = {
      namespace = "web";
      templates.webService.landing = {
        image = "ghcr.io/example-org/landing:2.4.1";
        host = "www.example.net";
      };
    };

    applications.docs = {
      namespace = "web";
      templates.webService.docs = {
        image = lib.mkDefault "nginxinc/nginx-unprivileged:1.27-alpine";
        metricsImage = null;
        port = 8081;
      };
    };

    applications.status = {
      namespace = "ops";
      templates.webService.status = {
        image = if config.platform.canary then "louislam/uptime-kuma:2.0.0-beta.1" else "louislam/uptime-kuma:1.23.16";
        port = 3001;
      };
    };
  };
}
