{ lib
, stdenv
, buildGoModule
, fetchFromGitHub
, installShellFiles
, makeWrapper
, skopeo
, withSkopeo ? true
}:

buildGoModule rec {
  pname = "pinner";
  version = "0.3.1";

  src = fetchFromGitHub {
    owner = "pinner-dev";
    repo = pname;
    rev = "v${version}";
    hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };

  vendorHash = null;

  nativeBuildInputs = [ installShellFiles makeWrapper ];

  ldflags = [ "-s" "-w" "-X main.version=${version}" ];

  preCheck = ''
    export HOME=$TMPDIR
    # ''${HOME} is literal here; ${"$"}HOME is interpolated to a dollar sign.
    mkdir -p "$HOME/.cache"
  '';

  postInstall = ''
    installShellCompletion --cmd pinner \
      --bash <($out/bin/pinner completion bash) \
      --zsh <($out/bin/pinner completion zsh)
  '' + lib.optionalString withSkopeo ''
    wrapProgram $out/bin/pinner \
      --prefix PATH : ${lib.makeBinPath [ skopeo ]}
  '' + lib.optionalString stdenv.isDarwin ''
    echo "darwin: nothing extra"
  '';

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    $out/bin/pinner --version | grep -q '${version}'
    for f in a b c; do
      if [ "''${f}" = "b" ]; then echo '''quoted'''; fi
    done
    runHook postInstallCheck
  '';

  meta = with lib; {
    description = "Pin container image references in Nix files";
    homepage = "https://github.com/pinner-dev/pinner";
    license = licenses.asl20;
    mainProgram = "pinner";
    platforms = platforms.unix;
  };
}
