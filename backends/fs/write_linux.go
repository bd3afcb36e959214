//go:build linux

package fs

import (
	"errors"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// linkBeneath makes drel a hard link to srel through descriptors of their
// parent directories (atParents), then fsyncs drel's parent through its
// descriptor: about six system calls where walking the os.Root takes
// some sixty for a version's deep name. The caller holds both keys'
// locks. ok is false where linkNew's portable path must answer instead:
// no openat2, a parent missing (that path makes it) or not a plain
// directory, or drel taken.
func (s *Store) linkBeneath(srel, drel string) (ok bool, err error) {
	return s.atParents(srel, drel, func(sfd, dfd int) (bool, error) {
		err := unix.Linkat(sfd, filepath.Base(srel), dfd, filepath.Base(drel), 0)
		switch {
		case errors.Is(err, unix.EEXIST), errors.Is(err, unix.ENOENT): // ENOENT: a concurrent Delete pruned dst's parent
			return false, nil
		case err != nil:
			return true, err
		}
		if err := s.fault(opFsync); err != nil {
			return true, err
		}
		return true, unix.Fsync(dfd)
	})
}

// installBeneath renames the temp file tmp to rel through descriptors of
// their parent directories (atParents), then fsyncs rel's parent through
// its descriptor: the kernel checks in the open that every ancestor is a
// real directory beneath the root, which the portable path does by
// lstat-ing each, and MkdirAll, Rename and the fsync walk the os.Root
// again (about 28 system calls for a small PUT's deep name, 5 here). The
// caller holds key's lock. ok is false where install's portable path must
// answer instead: no openat2, a parent missing (that path makes it),
// pruned meanwhile, or no plain directory, or a folder where the object
// goes.
func (s *Store) installBeneath(rel, tmp string) (ok bool, err error) {
	return s.atParents(tmp, rel, func(tfd, dfd int) (bool, error) {
		if err := s.fault(opRename); err != nil {
			return true, err
		}
		err := unix.Renameat(tfd, filepath.Base(tmp), dfd, filepath.Base(rel))
		switch {
		case errors.Is(err, unix.ENOENT), isDirConflict(err): // parent pruned, or a folder in the way
			return false, nil
		case err != nil:
			return true, err
		}
		return true, unix.Fsync(dfd)
	})
}

// atParents opens the parent directories of from (O_PATH) and to (for
// reading, so that it can be fsynced), each with one openat2(2) as the
// read paths open files (beneath_linux.go), and calls op with their
// descriptors. ok is false, op not called, without openat2 or when either
// open fails: the caller's portable path answers then.
func (s *Store) atParents(from, to string, op func(fromFd, toFd int) (bool, error)) (ok bool, err error) {
	if s.dir == nil || s.noOpenat2.Load() {
		return false, nil
	}
	ffd, err := s.openat2Fd(filepath.Dir(from), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return false, nil
	}
	defer func() { _ = unix.Close(ffd) }()
	tfd, err := s.openat2Fd(filepath.Dir(to), unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return false, nil
	}
	defer func() { _ = unix.Close(tfd) }()
	return op(ffd, tfd)
}

// parentBeneath reports whether rel's parent exists and it and each of its
// ancestors is a real directory beneath the root (one openat2); false
// says only that checkParents must answer instead.
func (s *Store) parentBeneath(rel string) bool {
	if s.dir == nil || s.noOpenat2.Load() {
		return false
	}
	fd, err := s.openat2Fd(filepath.Dir(rel), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return false
	}
	_ = unix.Close(fd)
	return true
}
