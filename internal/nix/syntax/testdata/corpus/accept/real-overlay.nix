final: prev:
let
  inherit (prev) lib;
  pinGo = pkg: pkg.overrideAttrs (old: {
    version = "${old.version}-pinned";
    patches = (old.patches or [ ]) ++ [ ./patches/fix-build.patch ];
    passthru = (old.passthru or { }) // { pinned = true; };
  });
in
{
  pinner = final.callPackage ../pkgs/pinner { };

  python3 = prev.python3.override {
    packageOverrides = pyFinal: pyPrev: {
      requests = pyPrev.requests.overridePythonAttrs (_: { doCheck = false; });
    };
  };

  kubectl = pinGo prev.kubectl;

  myScripts = lib.recurseIntoAttrs {
    hello = final.writeShellScriptBin "hello" ''
      echo "hello from ${final.stdenv.hostPlatform.system}"
    '';
  };

  ociImages = {
    nginx = final.dockerTools.pullImage {
      imageName = "docker.io/library/nginx";
      imageDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
      sha256 = lib.fakeSha256;
      finalImageTag = "1.27";
    };
  };
}
