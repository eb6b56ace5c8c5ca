{ lib, ... }:

let
  majors = [ 15 16 ];
in
{
  applications.pg-catalogs = {
    namespace = "cnpg-system";

    resources.clusterImageCatalogs.postgresql-bookworm.spec.images = [
      { major = 15; image = "ghcr.io/cloudnative-pg/postgresql:15.10-bookworm"; }
      { major = 16; image = "ghcr.io/cloudnative-pg/postgresql:16.6-bookworm"; }
      {
        major = 17;
        image = "ghcr.io/cloudnative-pg/postgresql:17.2-bookworm@sha256:7add84042eb1b581a116eaf0dcfd956355ef353979a2fc9c06412cee996e41ab";
      }
    ];

    # Generated catalog: one entry per supported major.
    resources.imageCatalogs.timescale.spec.images = map (m: {
      major = m;
      image = "ghcr.io/example-db/timescaledb-ha:pg${toString m}-ts2.17";
    }) majors;

    resources.clusters.metrics-pg.spec = {
      instances = 2;
      imageCatalogRef = {
        apiGroup = "postgresql.cnpg.io";
        kind = "ImageCatalog";
        name = "timescale";
        major = 16;
      };
      storage.size = "50Gi";
      postgresql.shared_preload_libraries = [ "timescaledb" ];
    };

    resources.clusters.audit-pg.spec = {
      instances = 1;
      imageCatalogRef = {
        apiGroup = "postgresql.cnpg.io";
        kind = "ClusterImageCatalog";
        name = "postgresql-bookworm";
        major = 17;
      };
      storage.size = "5Gi";
    };
  };
}
