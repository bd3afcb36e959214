//go:build linux

package fs

import (
	"errors"
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
// data/<user>/<bucket>/<name>; 4 with openat2).

// beneathRetries bounds the retries of EAGAIN, which openat2 returns when
// a concurrent rename might have let the path escape.
const beneathRetries = 8

// openat2 opens rel with flags. ok is false where the kernel has no
// openat2 (before Linux 5.6, or filtered by a seccomp profile); the store
// then keeps to the portable path for good.
func (s *Store) openat2(rel string, flags int) (f *os.File, ok bool, err error) {
	if s.dir == nil || s.noOpenat2.Load() {
		return nil, false, nil
	}
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS,
	}
	for try := 0; ; try++ {
		fd, err := unix.Openat2(s.dirfd, rel, &how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), rel), true, nil
		case (errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR)) && try < beneathRetries:
			continue
		case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM):
			s.noOpenat2.Store(true)
			return nil, false, nil
		default:
			return nil, true, &os.PathError{Op: "openat2", Path: rel, Err: err}
		}
	}
}

// openBeneath opens the object of key for reading (see openObject).
func (s *Store) openBeneath(key, rel string) (*os.File, fs.FileInfo, bool, error) {
	f, ok, err := s.openat2(rel, os.O_RDONLY)
	if !ok || err != nil {
		return nil, nil, ok, beneathErr(key, err)
	}
	fi, err := regularInfo(key, f)
	if err != nil {
		_ = f.Close()
		return nil, nil, true, err
	}
	return f, fi, true, nil
}

// statBeneath describes the object of key (see lstatObject), through an
// O_PATH descriptor that reads nothing.
func (s *Store) statBeneath(key, rel string) (fs.FileInfo, bool, error) {
	f, ok, err := s.openat2(rel, unix.O_PATH)
	if !ok || err != nil {
		return nil, ok, beneathErr(key, err)
	}
	defer func() { _ = f.Close() }()
	fi, err := regularInfo(key, f)
	return fi, true, err
}

// beneathErr maps openat2's errors: a symlink on the path (ELOOP) or an
// escape (EXDEV) is ErrNotExist, as in the portable path.
func beneathErr(key string, err error) error {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV) {
		return keyError(key, "symlink in path", backends.ErrNotExist)
	}
	if err != nil {
		return mapErr(key, err)
	}
	return nil
}

// openRootDir opens the root directory for openat2; a failure only means
// the portable path is used.
func (s *Store) openRootDir() {
	d, err := s.root.Open(".")
	if err != nil {
		return
	}
	s.dir, s.dirfd = d, int(d.Fd())
}
