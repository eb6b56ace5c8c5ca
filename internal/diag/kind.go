package diag

import "errors"

// Kind says whose fault an error is: what a command's exit code tells.
type Kind int

const (
	// Outside: a registry, Nix, git or the file system failed (exit 3).
	Outside Kind = iota
	// BadInput: the user's files, flags or configuration ask for
	// something that cannot be (exit 2).
	BadInput
)

// kindError marks an error with its Kind.
type kindError struct {
	kind Kind
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// AsBadInput marks err as the input's fault; nil stays nil.
func AsBadInput(err error) error {
	if err == nil {
		return nil
	}
	return &kindError{BadInput, err}
}

// AsOutside marks err as an outside failure; nil stays nil.
func AsOutside(err error) error {
	if err == nil {
		return nil
	}
	return &kindError{Outside, err}
}

// KindOf is the kind the outermost mark on err gives it; a positioned
// error (an *Error, a List) is bad input; anything else is an outside
// failure.
func KindOf(err error) Kind {
	var k *kindError
	if errors.As(err, &k) {
		return k.kind
	}
	var e *Error
	if errors.As(err, &e) {
		return BadInput
	}
	var l List
	if errors.As(err, &l) {
		return BadInput
	}
	return Outside
}
