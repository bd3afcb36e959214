package fs

import (
	"errors"
	"syscall"

	"github.com/sealgate/sealgate/backends"
)

// noSpace marks err as [backends.ErrNoSpace] when the file system ran out
// of space or quota (ENOSPC, EDQUOT) anywhere in a write; the message and
// the cause stay as they are.
func noSpace(err error) error {
	if err == nil || errors.Is(err, backends.ErrNoSpace) {
		return err
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return &spaceError{err: err}
	}
	return err
}

// spaceError is a write that failed for lack of space: it reads as its
// cause and matches both the cause and backends.ErrNoSpace.
type spaceError struct{ err error }

func (e *spaceError) Error() string   { return e.err.Error() }
func (e *spaceError) Unwrap() []error { return []error{backends.ErrNoSpace, e.err} }
