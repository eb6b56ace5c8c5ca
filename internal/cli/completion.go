package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"

	"github.com/pinner-dev/pinner/internal/config"
)

// Shell completion is kongplete's: the shell runs pinner itself with the
// command line in COMP_LINE, and pinner answers from its command model
// (every command, flag and enum value) before parsing anything. The
// scripts `pinner completion SHELL` prints only hand the line over.

// CompletionCmd prints a shell completion script.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: bash, zsh or fish."`
}

// Help is shown by "pinner completion --help".
func (CompletionCmd) Help() string {
	return `Prints the lines that make a shell complete pinner's commands, flags and enum values. The shell asks pinner itself, so completion always matches the pinner on PATH: arguments complete as .nix files and directories for scan, check and outdated, and as the image names of registry.yaml (in the directory you are in) for update and build.

  bash: source <(pinner completion bash)            (or save it to /etc/bash_completion.d/pinner)
  zsh:  pinner completion zsh > "${fpath[1]}/_pinner"
  fish: pinner completion fish > ~/.config/fish/completions/pinner.fish`
}

// completionScripts are the shells' hooks; kongplete's installer writes the
// same ones into a shell's rc file.
var completionScripts = map[string]string{
	"bash": "complete -C pinner pinner\n",
	"zsh": `#compdef pinner
autoload -U +X bashcompinit && bashcompinit
complete -C pinner pinner
`,
	"fish": `function __complete_pinner
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    pinner
end
complete -f -c pinner -a "(__complete_pinner)"
`,
}

// Run prints the script.
func (c *CompletionCmd) Run(env *Env) error {
	_, err := io.WriteString(env.Stdout, completionScripts[c.Shell])
	return err
}

// completeLine answers a completion request (COMP_LINE is set) and exits
// through parser's exit hook; otherwise it returns and parsing goes on.
func completeLine(parser *kong.Kong) {
	if os.Getenv("COMP_LINE") == "" {
		return
	}
	kongplete.Complete(parser,
		// Files matching a pattern, and the directories to reach them.
		kongplete.WithPredictor("nix", complete.PredictFiles("*.nix")),
		kongplete.WithPredictor("yaml", complete.PredictFiles("*.yaml")),
		kongplete.WithPredictor("dir", complete.PredictDirs("*")),
		kongplete.WithPredictor("file", complete.PredictFiles("*")),
		kongplete.WithPredictor("images", complete.PredictFunc(imageNames)),
		// Completion must never complain: a failure lists nothing.
		kongplete.WithErrorHandler(func(err error) { fmt.Fprintln(parser.Stderr, err) }),
	)
}

// imageNames are the names under images: in the registry.yaml of the
// working directory (or $PINNER_CONFIG); none when it is missing or
// broken.
func imageNames(complete.Args) []string {
	path, found, err := config.Find(os.Getenv("PINNER_CONFIG"), ".")
	if err != nil || !found {
		return nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(cfg.Images))
	for _, img := range cfg.Images {
		names = append(names, img.Name)
	}
	return names
}
