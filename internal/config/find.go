package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Find locates the configuration file. An explicit path (from --config or
// PINNER_CONFIG), relative to dir unless absolute, must exist. Otherwise
// registry.yaml in dir is used when present; found is false when it is not,
// and the caller falls back to Default(dir).
func Find(explicit string, dir string) (path string, found bool, err error) {
	if explicit != "" {
		path = explicit
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		fi, err := os.Stat(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", false, &Error{File: explicit, Msg: "config file does not exist", Err: err}
			}
			return "", false, &Error{File: explicit, Msg: fmt.Sprintf("finding config: %v", unwrapPathError(err)), Err: err}
		}
		if fi.IsDir() {
			return "", false, &Error{File: explicit, Msg: "config file is a directory"}
		}
		return path, true, nil
	}
	path = filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", false, nil
	case err != nil:
		return "", false, &Error{File: path, Msg: fmt.Sprintf("finding config: %v", unwrapPathError(err)), Err: err}
	case fi.IsDir():
		return "", false, &Error{File: path, Msg: "config file is a directory"}
	}
	return path, true, nil
}
