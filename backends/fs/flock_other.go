//go:build !unix

package fs

import (
	"errors"
	"fmt"
	"os"
)

// errNoFlock is why Open fails where there is no flock(2): without it
// several processes on one root could not be coordinated.
var errNoFlock = fmt.Errorf("fs: cross-process file locks need flock(2): %w", errors.ErrUnsupported)

func lockFile(*os.File) error            { return errNoFlock }
func unlockFile(*os.File) error          { return errNoFlock }
func tryLockFile(*os.File) (bool, error) { return false, errNoFlock }
