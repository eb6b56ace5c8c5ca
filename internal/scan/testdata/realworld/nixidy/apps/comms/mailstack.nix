{ lib, ... }:
let
  chartAttrs = {
    repo = "https://charts.postwick.dev";
    chart = "postwick";
    version = "3.8.0";
    chartHash = "sha256-S/fW3i7zg2O4Qb6sq263emRsR6PDyk48qsIOX2oi8JU=";
  };
  # one release, several component images that share the chart's version
  mailTag = "3.8.0";
in
{
  applications.mailstack = {
    namespace = "mail";
    createNamespace = true;

    helm.releases.postwick = {
      chart = lib.helm.downloadHelmChart chartAttrs;
      values = {
        global.imageRegistry = "ghcr.io";
        image.pullPolicy = "IfNotPresent";

        front.image = {
          repository = "ghcr.io/postwick/front";
          tag = mailTag;
        };
        smtp.image = {
          repository = "ghcr.io/postwick/smtp";
          tag = mailTag;
        };
        imap.image = {
          repository = "ghcr.io/postwick/imap";
          tag = "${mailTag}@sha256:da9ca6680c5f560b5ed9908dc2e09baceedc977624533752f82a100836d306da";
        };
        antispam.image = {
          repository = "rspamd/rspamd";
          tag = "3.11.1@sha256:4c2c625d2f541795cba81f675c730b2c1d73b34ff669bc8d73d29f003686829b";
        };
        webmail = {
          enabled = true;
          image = {
            repository = "docker.io/roundcube/roundcubemail";
            tag = "1.6.10-apache";
            pullPolicy = "Always";
          };
        };
        clamav = {
          enabled = false;
          image.repository = "clamav/clamav-debian";
        };
        metrics.exporter.image = {
          registry = "quay.io";
          repository = "prometheus/statsd-exporter";
          tag = "v0.28.0";
        };
        relay = {
          host = "smtp.relay.example.org:587";
          dkimSelector = "mail2025";
        };
      };
    };

    resources.configMaps.postwick-env.data = {
      POSTMASTER = "postmaster@quillhaven.net";
      TLS_FLAVOR = "cert";
      SUBNET = "10.42.0.0/16";
      WEBROOT_REDIRECT = "/webmail";
    };
  };
}
