package fs

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Each Store writes its temp files in a private directory, tmp/<id>/, and
// holds the flock of tmp/<id>/lock for its life. Open removes the temp
// directories whose lock is free, their owner gone (a crash, or a process
// killed before Close), and any other entry of tmp/ (leftovers of releases
// that wrote temp files straight into tmp/). A live owner keeps its lock,
// so its in-flight temp files are never removed.
//
// Creating a directory and locking it are two steps; locks/tmp, held while
// a Store makes its directory and while it cleans up, keeps a cleaner from
// taking a directory made but not yet locked for a dead one.

const (
	tmpDir       = "tmp"
	tmpLockName  = "lock"
	tmpGuardName = "tmp" // in locksDir
)

// setupTemp makes and locks this store's temp directory and removes the
// temp directories of owners that are gone, under the guard lock.
func (s *Store) setupTemp() error {
	guard, err := s.openLockFile(filepath.Join(locksDir, tmpGuardName))
	if err != nil {
		return err
	}
	defer func() { _ = guard.Close() }() // closing releases the guard
	if err := lockFile(guard); err != nil {
		return err
	}
	if err := s.cleanTemp(); err != nil {
		return err
	}
	return s.makeTempDir()
}

// makeTempDir creates tmp/<id>/ and takes the flock of its lock file.
func (s *Store) makeTempDir() error {
	dir := filepath.Join(tmpDir, rand.Text())
	if err := s.root.Mkdir(dir, dirPerm); err != nil {
		return fmt.Errorf("create temp directory: %w", err)
	}
	f, err := s.openLockFile(filepath.Join(dir, tmpLockName))
	if err == nil {
		err = lockFile(f)
	}
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		_ = s.root.RemoveAll(dir)
		return err
	}
	s.tmp, s.tmpLock = dir, f
	return nil
}

// cleanTemp removes every entry of tmp/ but the directories of live stores.
func (s *Store) cleanTemp() error {
	d, err := s.root.Open(tmpDir)
	if err != nil {
		return err
	}
	entries, err := d.ReadDir(-1)
	_ = d.Close()
	if err != nil {
		return fmt.Errorf("read %s/: %w", tmpDir, err)
	}
	for _, e := range entries {
		rel := filepath.Join(tmpDir, e.Name())
		if e.IsDir() {
			live, err := s.ownerLive(rel)
			if err != nil {
				return err
			}
			if live {
				continue
			}
		}
		if err := s.root.RemoveAll(rel); err != nil {
			return fmt.Errorf("remove leftover %s: %w", filepath.ToSlash(rel), err)
		}
	}
	return nil
}

// ownerLive reports whether the temp directory dir is locked by a live
// store. A directory without a lock file has no owner: it was made by a
// release without private directories, or its creator died before locking.
func (s *Store) ownerLive(dir string) (bool, error) {
	f, err := s.root.OpenFile(filepath.Join(dir, tmpLockName), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open lock of %s: %w", filepath.ToSlash(dir), err)
	}
	defer func() { _ = f.Close() }() // closing releases the lock if we took it
	got, err := tryLockFile(f)
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", filepath.ToSlash(dir), err)
	}
	return !got, nil
}

// closeTemp releases this store's temp directory and removes it.
func (s *Store) closeTemp() error {
	if s.tmpLock == nil {
		return nil
	}
	_ = s.tmpLock.Close() // releases the lock
	s.tmpLock = nil
	return s.root.RemoveAll(s.tmp)
}

// tempName returns a fresh name in this store's temp directory.
func (s *Store) tempName() string {
	return filepath.Join(s.tmp, rand.Text()+".tmp")
}
