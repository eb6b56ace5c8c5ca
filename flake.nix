{
  description = "pinner: keep every container image of a kubenix repository pinned to a digest";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      version = self.shortRev or self.dirtyShortRev or "dev";

      mkPinner = pkgs:
        let
          # go.mod asks for Go 1.26; use that toolchain where nixpkgs has it.
          buildGoModule = pkgs.buildGo126Module or pkgs.buildGoModule;
        in
        buildGoModule {
          pname = "pinner";
          inherit version;
          src = self;

          # The NAR hash of the `go mod vendor` output of go.mod/go.sum.
          # After changing the dependencies, `make vendor-hash` recomputes
          # and writes it (scripts/vendor-hash.sh; Go and nix-hash, no
          # nixpkgs needed); `make lint` fails while it is stale. Without
          # Go at hand: set it to pkgs.lib.fakeHash, run `nix build`, and
          # copy the hash from the "got:" line of the mismatch error.
          vendorHash = "sha256-lhMvaksFvuoUq/Tp/zNbHDIEgEz8jolat7EDochQV7A=";

          subPackages = [ "cmd/pinner" ];
          ldflags = [ "-s" "-w" "-X github.com/pinner-dev/pinner/internal/cli.Version=${version}" ];
          env.CGO_ENABLED = "0";

          # The suite runs in checks.<system>.tests; building the binary
          # alone stays quick.
          doCheck = false;

          meta = {
            description = "Keeps every container image of a kubenix repository pinned to an immutable digest";
            homepage = "https://github.com/pinner-dev/pinner";
            mainProgram = "pinner";
            platforms = pkgs.lib.platforms.linux;
          };
        };
    in
    {
      packages = forAllSystems (pkgs: rec {
        pinner = mkPinner pkgs;
        default = pinner;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/pinner";
          meta.description = "Run pinner";
        };
      });

      # `nix flake check` runs the whole test suite (go test ./...). Tests
      # that need nix-instantiate, docker-registry or git skip inside the
      # sandbox; bash comes with stdenv.
      checks = forAllSystems (pkgs: {
        tests = (mkPinner pkgs).overrideAttrs (_: {
          pname = "pinner-tests";
          doCheck = true;
          subPackages = [ ];
          checkFlags = [ "-count=1" ];
          preCheck = ''
            export HOME=$TMPDIR
          '';
        });
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            (pkgs.go_1_26 or pkgs.go)
            pkgs.nix
            pkgs.skopeo
            pkgs.docker-distribution
            pkgs.gnumake
          ];
        };
      });
    };
}
