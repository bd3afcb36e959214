//go:build unix

package fs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes the exclusive flock(2) of f, waiting for it.
func lockFile(f *os.File) error { return flock(f, unix.LOCK_EX) }

// unlockFile releases the flock of f.
func unlockFile(f *os.File) error { return flock(f, unix.LOCK_UN) }

// tryLockFile takes the exclusive flock of f if it is free and reports
// whether it did.
func tryLockFile(f *os.File) (bool, error) {
	err := flock(f, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// flock runs flock(2) on f's descriptor, retrying EINTR. Going through
// SyscallConn keeps the descriptor open while the call waits, so a
// concurrent Close cannot hand its number to another file.
func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			ferr = unix.Flock(int(fd), how)
			if ferr != unix.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if ferr != nil {
		return &os.PathError{Op: "flock", Path: f.Name(), Err: ferr}
	}
	return nil
}
