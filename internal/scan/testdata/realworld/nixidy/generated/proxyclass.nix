# This file was generated with nixidy CRD generator, do not edit.
{
  lib,
  options,
  config,
  ...
}:
with lib;
let
  hasAttrNotNull = attr: set: hasAttr attr set && set.${attr} != null;

  submoduleOf =
    ref:
    types.submodule (
      { name, ... }:
      {
        options = definitions."${ref}".options or { };
        config = definitions."${ref}".config or { };
      }
    );

  definitions = {
    "tailscale.com.v1alpha1.ProxyClassSpecStatefulSetPodTailscaleContainer" = {
      options = {
        "env" = mkOption {
          description = "List of environment variables to set in the container.";
          type = types.nullOr (types.listOf (submoduleOf "tailscale.com.v1alpha1.ProxyClassSpecStatefulSetPodTailscaleContainerEnv"));
        };
        "image" = mkOption {
          description = "Container image name. By default images are pulled from docker.io/tailscale/tailscale,\nbut the official images are also available at ghcr.io/tailscale/tailscale:v1.80.3.\nSpecifying image name here will override any proxy image values specified via the\nKubernetes operator's Helm chart values or PROXY_IMAGE env var in the operator Deployment.";
          type = types.nullOr types.str;
        };
        "imagePullPolicy" = mkOption {
          description = "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always.";
          type = types.nullOr types.str;
        };
      };

      config = {
        "env" = mkOverride 1002 null;
        "image" = mkOverride 1002 null;
        "imagePullPolicy" = mkOverride 1002 null;
      };
    };

    "tailscale.com.v1alpha1.ProxyClassSpecStatefulSetPodTailscaleContainerEnv" = {
      options = {
        "name" = mkOption {
          description = "Name of the environment variable. Must be a C_IDENTIFIER.";
          type = types.str;
        };
        "value" = mkOption {
          description = "Variable references $(VAR_NAME) are expanded using the previously defined\n environment variables in the container and any service environment\nvariables.";
          type = types.nullOr types.str;
        };
      };

      config = {
        "value" = mkOverride 1002 null;
      };
    };
  };
in
{
  options = {
    resources = {
      "tailscale.com"."v1alpha1"."ProxyClass" = mkOption {
        description = "ProxyClass describes a set of configuration parameters that can be applied to\nproxy resources created by the Tailscale Kubernetes operator.";
        type = types.attrsOf (submoduleOf "tailscale.com.v1alpha1.ProxyClassSpecStatefulSetPodTailscaleContainer");
        default = { };
      };
    };
  };

  config = {
    types = [
      {
        name = "proxyclasses";
        group = "tailscale.com";
        version = "v1alpha1";
        kind = "ProxyClass";
        attrName = "proxyClasses";
      }
    ];
    resources = {
      "tailscale.com"."v1alpha1"."ProxyClass" = mkAliasDefinitions options.resources."proxyClasses";
    };
  };
}
