//go:build !linux

package fs

import (
	"errors"
	"os"
)

func startWriteback(*os.File, int64, int64) {}

// setDirect is Linux-only; elsewhere every write is buffered.
func setDirect(*os.File, bool) error { return errors.ErrUnsupported }
