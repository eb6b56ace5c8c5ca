{ config, ... }:
let
  inherit (config.homelab) domain;
in
{
  flake.modules.nixidy.inference =
    { lib, charts, ... }:
    let
      images = rec {
        registry = "ghcr.io/quillhaven";
        gateway = "${registry}/llm-gateway:0.14.2";
        embedder = "${registry}/embedder:0.6.0@sha256:ddc383b0fda213a4c0a36abefff5f4452f9cf098162915a219d2886bc0143e57";
        webui = "ghcr.io/open-webui/open-webui:v0.5.20";
      };
      inherit (images) gateway embedder;
      useGpu = true;
      vllm = {
        repository = "docker.io/vllm/vllm-openai";
        tag = "v0.7.3";
      };
    in
    {
      applications.inference = {
        namespace = "ai";
        createNamespace = true;

        resources.deployments.llm-gateway.spec.template.spec.containers.gateway = {
          image = gateway;
          env = [
            {
              name = "UPSTREAM";
              value = "http://vllm.ai.svc:8000/v1";
            }
            {
              name = "DEFAULT_MODEL";
              value = "qwen2.5:7b";
            }
            {
              name = "EMBED_MODEL";
              value = "nomic-embed-text:v1.5";
            }
          ];
        };

        resources.deployments.embedder.spec.template.spec.containers.embedder.image = embedder;

        resources.deployments.vllm.spec.template.spec.containers.server = {
          image = "${vllm.repository}:${vllm.tag}";
          args = [ "--model" "Qwen/Qwen2.5-7B-Instruct" "--port" "8000" ];
        };

        resources.deployments.whisper.spec.template.spec.containers.asr.image =
          if useGpu then "ghcr.io/ggml-org/whisper.cpp:main-cuda" else "ghcr.io/ggml-org/whisper.cpp:main";

        resources.deployments.reranker.spec.template.spec.containers.reranker = {
          image = "ghcr.io/Quillhaven/Reranker:0.3.0";
          ports = [ { containerPort = 8787; } ];
        };

        resources.deployments.tts.spec.template.spec.containers.tts.image = "ghcr.io/remsky/kokoro-fastapi-cpu:v0.2.2 ";

        helm.releases.open-webui = {
          chart = charts.open-webui.open-webui;
          values = {
            image = {
              repository = "harbor.${domain}/mirror/open-webui";
              tag = "v0.5.20";
            };
            # image.tag = "v0.5.18";
            ollama.enabled = false;
            pipelines.image.tag = "git-1f3e8a2";
            openaiBaseApiUrl = "http://llm-gateway.ai.svc:4000/v1";
          };
        };

        resources.deployments.legacy-chat.spec.template.spec.containers.chat.image = "ghcr.io/quillhaven/legacy-chat:1.2.0"; # pinner:ignore
      };
    };
}
