//go:build linux

package fs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"github.com/sealgate/sealgate/backends"
)

// The read paths (Stat, Get, and the checks of Delete and conditional
// puts) open an object with one openat2(2) from the root directory,
// refusing any symlink on the path (RESOLVE_NO_SYMLINKS) and any escape
// from the root (RESOLVE_BENEATH): the kernel enforces in one call what
// the portable path does by lstat-ing every ancestor and walking the
// os.Root one component at a time (about 35 system calls for a GET of
// data/<user>/<bucket>/<name>; about 7, the read included, with openat2).
//
// Whatever else is planted under data/ is refused before it is used: a
// read open is non-blocking (a FIFO does not hang it) and without a
// controlling terminal, and anything but a regular file is ErrNotExist.

// beneathRetries bounds the retries of EAGAIN, which openat2 returns when
// a concurrent rename might have let the path escape; past it the call
// takes the portable path.
const beneathRetries = 8

// errWalk asks the caller to take the portable path for this call.
var errWalk = errors.New("fs: openat2 gave up, walk the path")

// openRootDir opens the root directory and probes openat2 once: where the
// kernel lacks it (before Linux 5.6) or a seccomp profile filters it, the
// store keeps to the portable path.
func (s *Store) openRootDir() {
	d, err := s.root.Open(".")
	if err != nil {
		return
	}
	s.dir = d
	fd, err := s.openat2Fd(dataDir, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		s.noOpenat2.Store(true)
		return
	}
	_ = unix.Close(fd)
}

// openat2Fd opens rel relative to the root directory. The directory's
// descriptor is used through SyscallConn, so a closed store answers
// os.ErrClosed instead of opening relative to a reused descriptor number.
func (s *Store) openat2Fd(rel string, flags int) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS,
	}
	rc, err := s.dir.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, oerr := -1, error(nil)
	cerr := rc.Control(func(dirfd uintptr) {
		for try := 0; ; try++ {
			fd, oerr = unix.Openat2(int(dirfd), rel, &how)
			if !errors.Is(oerr, unix.EAGAIN) && !errors.Is(oerr, unix.EINTR) {
				return
			}
			if try == beneathRetries {
				oerr = errWalk
				return
			}
		}
	})
	if cerr != nil {
		return -1, cerr
	}
	return fd, oerr
}

// beneath opens rel and checks it is a regular file. ok is false where the
// portable path must answer instead.
func (s *Store) beneath(key, rel string, flags int) (f *os.File, fi fs.FileInfo, ok bool, err error) {
	if s.dir == nil || s.noOpenat2.Load() {
		return nil, nil, false, nil
	}
	fd, err := s.openat2Fd(rel, flags)
	switch {
	case errors.Is(err, errWalk):
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, true, beneathErr(key, rel, err)
	}
	// The open itself did not block; reads of the file may.
	if flags&unix.O_NONBLOCK != 0 {
		if err := unix.SetNonblock(fd, false); err != nil {
			_ = unix.Close(fd)
			return nil, nil, true, mapErr(key, err)
		}
	}
	f = os.NewFile(uintptr(fd), rel)
	if fi, err = regularInfo(key, f); err != nil {
		_ = f.Close()
		return nil, nil, true, err
	}
	return f, fi, true, nil
}

// openBeneath opens the object of key for reading (see openObject).
func (s *Store) openBeneath(key, rel string) (*os.File, fs.FileInfo, bool, error) {
	return s.beneath(key, rel, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
}

// statBeneath describes the object of key (see lstatObject), through an
// O_PATH descriptor that reads nothing.
func (s *Store) statBeneath(key, rel string) (fs.FileInfo, bool, error) {
	f, fi, ok, err := s.beneath(key, rel, unix.O_PATH)
	if f != nil {
		_ = f.Close()
	}
	return fi, ok, err
}

// beneathErr maps openat2's errors as the portable path does: a symlink on
// the path (ELOOP), an escape (EXDEV), or something that cannot be opened
// as a file (a socket: ENXIO; some devices: ENODEV, EOPNOTSUPP) is
// ErrNotExist.
func beneathErr(key, rel string, err error) error {
	switch {
	case errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV):
		return keyError(key, "symlink in path", backends.ErrNotExist)
	case errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EOPNOTSUPP):
		return keyError(key, "not a regular file", backends.ErrNotExist)
	case errors.Is(err, os.ErrClosed):
		return fmt.Errorf("fs: %q: %w", key, err)
	}
	return mapErr(key, &os.PathError{Op: "openat2", Path: rel, Err: err})
}
