package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/internal/fsync"
)

// Stat implements [backends.Store].
func (s *Store) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	rel, err := objectPath(key)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backends.ObjectInfo{}, err
	}
	fi, err := s.lstatObject(key, rel)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	return objectInfo(key, fi), nil
}

// Get implements [backends.Store].
func (s *Store) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	rel, err := objectPath(key)
	if err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	f, fi, err := s.openObject(key, rel)
	if err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	size := fi.Size()
	if off < 0 || off > size || (off == size && size > 0) {
		_ = f.Close()
		return nil, backends.ObjectInfo{}, fmt.Errorf("fs: get %q at %d of %d: %w", key, off, size, backends.ErrInvalidRange)
	}
	if n < 0 || n > size-off {
		n = size - off
	}
	if n >= directMin && s.blocks.TryAcquire(aheadBlocks) {
		r := newAheadReader(f, off, n, func() { s.blocks.Release(aheadBlocks) })
		return r, objectInfo(key, fi), nil
	}
	return &section{SectionReader: io.NewSectionReader(f, off, n), f: f}, objectInfo(key, fi), nil
}

// section is a range of an open file; closing it closes the file.
type section struct {
	*io.SectionReader
	f *os.File
}

func (r *section) Close() error { return r.f.Close() }

// Delete implements [backends.Store]. It then removes the parent directories
// left empty, up to data/, ignoring failures (another write may refill them).
func (s *Store) Delete(ctx context.Context, key string) error {
	rel, err := objectPath(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	i, err := s.lockKey(key)
	if err != nil {
		return err
	}
	defer s.unlockKey(i)
	if _, err := s.lstatObject(key, rel); errors.Is(err, backends.ErrNotExist) {
		return nil // absent, a folder or foreign: nothing of ours to delete
	} else if err != nil {
		return err
	}
	if err := s.root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fs: delete %q: %w", key, err)
	}
	// The parent may already be pruned by a concurrent Delete: then there
	// is nothing left to make durable.
	if err := s.syncDir(filepath.Dir(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fs: delete %q: %w", key, err)
	}
	s.pruneDirs(filepath.Dir(rel))
	return nil
}

// pruneDirs removes dir and its ancestors below data/ while they are empty.
// Remove refuses a non-empty directory, so a concurrent Put that already
// filled one is safe; one that only made it retries (see install).
func (s *Store) pruneDirs(dir string) {
	for dir != dataDir && dir != "." {
		if s.root.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// openObject opens the regular file of key and describes it (the rules of
// lstatObject).
func (s *Store) openObject(key, rel string) (*os.File, fs.FileInfo, error) {
	if f, fi, ok, err := s.openBeneath(key, rel); ok {
		return f, fi, err
	}
	if _, err := s.lstatObject(key, rel); err != nil {
		return nil, nil, err
	}
	f, err := s.root.Open(rel)
	if err != nil {
		return nil, nil, mapErr(key, err)
	}
	fi, err := regularInfo(key, f)
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// regularInfo describes the open file f of key, which must be a regular
// file.
func regularInfo(key string, f *os.File) (fs.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, mapErr(key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, keyError(key, "not a regular file", backends.ErrNotExist)
	}
	return fi, nil
}

// lstatObject describes the object of key: a regular file reached through
// real directories only. A symlink anywhere on the path, a directory or a
// missing entry is ErrNotExist.
func (s *Store) lstatObject(key, rel string) (fs.FileInfo, error) {
	if fi, ok, err := s.statBeneath(key, rel); ok {
		return fi, err
	}
	if err := s.checkParents(key, rel, backends.ErrNotExist); err != nil {
		return nil, err
	}
	fi, err := s.root.Lstat(rel)
	if err != nil {
		return nil, mapErr(key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, keyError(key, "not a regular file", backends.ErrNotExist)
	}
	return fi, nil
}

// checkParents verifies that each existing ancestor of rel below data/ is a
// real directory. A symlink or a file there gives an error wrapping
// sentinel; a missing ancestor ends the walk (nothing below exists).
func (s *Store) checkParents(key, rel string, sentinel error) error {
	var ancestors []string
	for dir := filepath.Dir(rel); dir != dataDir && dir != "."; dir = filepath.Dir(dir) {
		ancestors = append(ancestors, dir)
	}
	for i := len(ancestors) - 1; i >= 0; i-- {
		fi, err := s.root.Lstat(ancestors[i])
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			return nil
		case err != nil:
			return fmt.Errorf("fs: %q: %w", key, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return keyError(key, "symlink in path", sentinel)
		case !fi.IsDir():
			return keyError(key, "a parent folder is an object", sentinel)
		}
	}
	return nil
}

// syncDir fsyncs the directory rel so a rename or remove in it is durable.
func (s *Store) syncDir(rel string) error { return fsync.Opened(s.root.Open(rel)) }

// objectInfo converts a file's info; see etag.
func objectInfo(key string, fi fs.FileInfo) backends.ObjectInfo {
	return backends.ObjectInfo{Key: key, Size: fi.Size(), ETag: etag(fi), ModTime: fi.ModTime()}
}

// etag is hex(size)-hex(mtime ns)-hex(inode).
func etag(fi fs.FileInfo) string {
	return strconv.FormatInt(fi.Size(), 16) + "-" +
		strconv.FormatInt(fi.ModTime().UnixNano(), 16) + "-" +
		strconv.FormatUint(inode(fi), 16)
}

// mapErr maps "no such file" conditions to backends.ErrNotExist.
func mapErr(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return keyError(key, "no such object", backends.ErrNotExist)
	}
	return fmt.Errorf("fs: %q: %w", key, err)
}
