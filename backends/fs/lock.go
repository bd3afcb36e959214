package fs

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
)

// Commits and deletes of one key are serialized in two steps: the stripe's
// mutex among the goroutines of this Store, then the flock of the stripe's
// lock file, <root>/locks/NN, among processes and Store instances (a flock
// belongs to an open file description, and each Store opens its own). The
// mutex comes first because a flock taken twice through one descriptor
// does not exclude.
//
// Lock files are never removed: a process waiting on a removed file's lock
// would exclude nobody.

const (
	locksDir   = "locks"
	lockStripe = 64
)

// stripe is the index of key's lock.
func stripe(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % lockStripe)
}

// lockKey takes the locks of key's stripe and returns its index, for
// unlockKey.
func (s *Store) lockKey(key string) (int, error) {
	i := stripe(key)
	s.locks[i].Lock()
	if err := lockFile(s.stripes[i]); err != nil {
		s.locks[i].Unlock()
		return 0, fmt.Errorf("fs: lock %q: %w", key, err)
	}
	return i, nil
}

// lockKeys takes the locks of two keys' stripes, the lower index first
// (one lock when they share a stripe), and returns their release.
func (s *Store) lockKeys(a, b string) (func(), error) {
	i, j := stripe(a), stripe(b)
	if i > j {
		i, j = j, i
		a, b = b, a
	}
	if _, err := s.lockKey(a); err != nil {
		return nil, err
	}
	if i == j {
		return func() { s.unlockKey(i) }, nil
	}
	if _, err := s.lockKey(b); err != nil {
		s.unlockKey(i)
		return nil, err
	}
	return func() { s.unlockKey(j); s.unlockKey(i) }, nil
}

// unlockKey releases the locks taken by lockKey. An unlock error is
// ignored: on a local file system it can only be EBADF after Close, and
// closing the file released its flock.
func (s *Store) unlockKey(i int) {
	_ = unlockFile(s.stripes[i])
	s.locks[i].Unlock()
}

// openStripes opens (creating) the stripe lock files.
func (s *Store) openStripes() error {
	for i := range s.stripes {
		f, err := s.openLockFile(stripeName(i))
		if err != nil {
			return err
		}
		s.stripes[i] = f
	}
	return nil
}

// openLockFile opens (creating) the lock file rel. It is opened for
// writing: NFS clients emulate flock with byte-range locks, which need it.
func (s *Store) openLockFile(rel string) (*os.File, error) {
	f, err := s.root.OpenFile(rel, os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	return f, nil
}

func stripeName(i int) string {
	return filepath.Join(locksDir, fmt.Sprintf("%02x", i))
}

// closeStripes closes the stripe lock files that are open.
func (s *Store) closeStripes() {
	for _, f := range s.stripes {
		if f != nil {
			_ = f.Close()
		}
	}
}
