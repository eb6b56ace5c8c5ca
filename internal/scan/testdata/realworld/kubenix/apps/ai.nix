{ kubenix, lib, homelab, ... }:

let
  app = "open-webui";
  namespace = "ai";
in
{
  kubernetes.helm.releases.ollama = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://otwld.github.io/ollama-helm/";
      chart = "ollama";
      version = "1.12.0";
      sha256 = "sha256-mDnfTjN6wF8hQWREKyxUjbVwW1Z6/pSp6ZJcEoaca84=";
    };
    values = {
      image = {
        repository = "ollama/ollama";
        tag = "0.6.2-rocm";
      };
      ollama = {
        gpu = { enabled = true; type = "amd"; };
        models.pull = [ "llama3.2:3b" "qwen2.5-coder:7b" "nomic-embed-text" ];
        models.run = [ "llama3.2:3b" ];
      };
      extraEnv = [ { name = "OLLAMA_HOST"; value = "0.0.0.0:11434"; } ];
    };
  };

  kubernetes.helm.releases.${app} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://helm.openwebui.com/";
      chart = "open-webui";
      version = "5.25.0";
      sha256 = "sha256-al7NaC5VknZSFCWtdckEw6rdblFyf6BDe2Tpfsy4VcE=";
    };
    values = {
      image = {
        repo = "ghcr.io/open-webui/open-webui";
        tag = "v0.5.20";
      };
      ollamaUrls = [ "http://ollama.${namespace}.svc:11434" ];
      pipelines.image = {
        repository = "ghcr.io/open-webui/pipelines";
        tag = "main";
      };
      tika.image.repository = "apache/tika";
      extraEnvVars = [
        { name = "DEFAULT_MODELS"; value = "llama3.2:3b"; }
        { name = "WEBUI_BANNER_IMAGE"; value = "https://assets.example.org/banner.png"; }
      ];
    };
  };

  kubernetes.resources.configMaps."${app}-branding".data = {
    "theme.json" = builtins.toJSON {
      background.image = "https://assets.example.org/backgrounds/aurora.jpg";
      accent = "#4f46e5";
    };
  };

  # Experimental router: typos kept on purpose until the images are published.
  kubernetes.resources.deployments.llm-router = {
    metadata.namespace = namespace;
    spec.template.spec.containers = {
      router.image = "ghcr.io/Acme/llm-router:0.3.0";
      tokenizer.image = "docker.io/acme/tokenizer:1.0 ";
      cache.image = "ghcr.io/acme/llm-cache:nightly-ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed";
    };
  };
}
