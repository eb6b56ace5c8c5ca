{ lib, homelab, ... }:

# Pod specs kept in a ConfigMap and applied by hand with `kubectl apply -f`.
let
  namespace = "ops";
  netshoot = "ghcr.io/nicolaka/netshoot:v0.13";
  toolbox = {
    repository = "ghcr.io/acme-ops/toolbox";
    tag = "2025.03.1";
  };
  toolboxRef = "${toolbox.repository}:${toolbox.tag}";
in
{
  kubernetes.resources.configMaps.debug-pods = {
    metadata.namespace = namespace;

    data."netshoot.yaml" = ''
      apiVersion: v1
      kind: Pod
      metadata:
        name: netshoot
        namespace: ${namespace}
      spec:
        containers:
          - name: netshoot
            image: ${netshoot}
            command: ["sleep", "infinity"]
    '';

    data."dns.yaml" = ''
      apiVersion: v1
      kind: Pod
      metadata:
        name: dnsutils
      spec:
        containers:
          - image: registry.k8s.io/e2e-test-images/agnhost:2.39
            name: dnsutils
            args: ["pause"]
          - name: dig
            image: "docker.io/tutum/dnsutils@sha256:86ed4b16c3c966a84eaac621c1ffdec3b687f3f0cb0df195ec399c82e6ea606d"
          # - image: busybox:1.28
        initContainers:
          - name: wait
            image: busybox
    '';

    data."toolbox.yaml" = ''
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: toolbox-run
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: toolbox
                image: ${toolbox.repository}:${toolbox.tag}
              - name: proxy
                image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.8.1'
                args:
                  - --upstream=http://toolbox.${namespace}.svc:8080
    '';

    data."values-template.yaml" = ''
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
      registryMirror: mirror.gcr.io:443
    '';
  };

  kubernetes.resources.pods.toolbox-shell = {
    metadata.namespace = namespace;
    spec.containers.shell = {
      image = toolboxRef;
      stdin = true;
      tty = true;
    };
  };
}
