{
  config,
  lib,
  ...
}:
let
  moduleName = "keycloak";
  cfg = config.${moduleName};
in
{
  options.${moduleName} = {
    enable = lib.mkEnableOption moduleName;
    namespace = lib.mkOption {
      type = lib.types.str;
      default = moduleName;
    };
    version = lib.mkOption {
      type = lib.types.str;
      default = "26.1.4";
    };
    hostname = lib.mkOption {
      type = lib.types.str;
      default = "sso.${config.cluster.domain}";
    };
  };

  config = lib.mkIf cfg.enable {
    kubernetes.resources.none.Namespace.${cfg.namespace} = { };

    kubernetes.resources.${cfg.namespace} = {
      Secret.keycloak-admin.stringData = {
        KC_BOOTSTRAP_ADMIN_USERNAME = "admin";
        KC_BOOTSTRAP_ADMIN_PASSWORD = "{{ keycloak_admin_password }}";
      };

      Cluster.keycloak-db.spec = {
        instances = 2;
        imageName = "ghcr.io/cloudnative-pg/postgresql:17.4-minimal-bookworm@sha256:f04a7cbae06158c5f4f186c9995827ab840878171476eae9ab9271abc209f522";
        storage.size = "4Gi";
        bootstrap.initdb = {
          database = "keycloak";
          owner = "keycloak";
        };
      };

      Deployment.keycloak.spec = {
        replicas = 1;
        selector.matchLabels.app = moduleName;
        template = {
          metadata.labels.app = moduleName;
          spec.containers = lib.mkNamedList {
            keycloak = {
              image = "quay.io/keycloak/keycloak:${cfg.version}";
              imagePullPolicy = "Always"; # minor updates on restart
              args = [ "start" "--optimized" ];
              env = lib.mkNamedList {
                KC_DB.value = "postgres";
                KC_DB_URL.value = "jdbc:postgresql://keycloak-db-rw:5432/keycloak";
                KC_HOSTNAME.value = "https://${cfg.hostname}";
                KC_PROXY_HEADERS.value = "xforwarded";
                KC_DB_USERNAME.valueFrom.secretKeyRef = {
                  name = "keycloak-db-app";
                  key = "username";
                };
              };
              envFrom = [ { secretRef.name = "keycloak-admin"; } ];
              ports = lib.mkNamedList { http.containerPort = 8080; };
            };
          };
        };
      };

      Service.keycloak.spec = {
        selector.app = moduleName;
        ports = lib.mkNamedList {
          http = {
            port = 80;
            targetPort = 8080;
          };
        };
      };
    };

    kubernetes.resources.none.ClusterRoleBinding.oidc-cluster-admin = {
      roleRef = {
        apiGroup = "rbac.authorization.k8s.io";
        kind = "ClusterRole";
        name = "cluster-admin";
      };
      subjects = [
        {
          kind = "Group";
          name = "oidc:cluster-admins";
        }
      ];
    };
  };
}
