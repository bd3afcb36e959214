// Package fs is the embedded default [backends.Store]: a local directory.
//
// Contract: a [Store] implements [backends.Store] and [backends.WidePager]
// and passes backends/storetest.
//
// Layout: the object under key "a/b/c" is the file <root>/data/a/b/c; key
// segments become directories. Each open Store writes its temporary files
// in a private directory <root>/tmp/<id>/ (see below); <root>/locks/ holds
// empty lock files, never removed. Directories are made 0700, files 0600.
//
// Writes are atomic: the body streams through a bounded buffer into a temp
// file, its size is checked, the file is fsynced, renamed into place and the
// parent directory is fsynced. A failed or cancelled Put leaves the old object
// untouched, with one exception: when only the final directory fsync fails,
// the new object is already in place but its durability is unknown, and Put
// reports the error (a caller must not count on either version). A write
// that fails with ENOSPC or EDQUOT (temp file, fsync, mkdir, rename) returns
// an error wrapping [backends.ErrNoSpace] that keeps the cause.
//
// I/O: a body announced under 4 MiB (or a range under 4 MiB) goes through
// the page cache. Larger ones move in aligned 1 MiB blocks with O_DIRECT
// where the file system allows it (Linux; elsewhere, or when the kernel
// refuses, buffered): a write holds one block, a read four, filled ahead on
// its own goroutine. The blocks in use by all transfers stay within a
// 64 MiB budget (each block is 1 MiB plus up to 4 KiB of alignment slack,
// and the pool may keep idle ones until the next GC); a transfer that
// finds the budget spent goes through the page cache with a 256 KiB
// buffer instead. See blockwrite.go for why.
//
// # Several processes on one root
//
// Any number of Stores, in one process or in several, may share a root.
// Every commit (the rename of a Put, conditional or not) and every Delete
// holds its key's lock: one of 64 stripes, each a mutex among the
// goroutines of a Store and the flock(2) of <root>/locks/NN among Stores. A conditional put checks its condition and renames under
// that lock, so IfAbsent and IfMatch are linearizable across processes. A
// commit waits for the lock without watching its context; it is held for
// one rename and one directory fsync. Network file systems coordinate
// processes on different machines only where their flock locks reach the
// server (NFS mounted with local_lock=flock or nolock keeps them local).
// Open needs flock(2): where there is none (not Unix), it fails with an
// error wrapping [errors.ErrUnsupported].
//
// [Open] makes the Store's temp directory tmp/<id>/ and holds the flock of
// tmp/<id>/lock until [Store.Close], which removes the directory. Open
// removes every other entry of tmp/ except the directories whose lock is
// held: a live Store's in-flight temp files are never touched, and the
// leftovers of a process that died are removed by the next Open.
//
// Keys: besides [backends.CheckKey], a segment may not exceed 255 bytes
// (NAME_MAX), and a key cannot be both an object and a folder: Put("a") fails
// with [backends.ErrInvalidKey] while "a/b" exists, and so does Put("a/b")
// while "a" exists; Stat("a") then reports [backends.ErrNotExist].
//
// Confinement: every path is checked to stay under <root>/data and all file
// access goes through an [os.Root], so no key and no symlink planted inside
// the root reaches outside it. Symlinks inside data/ are never followed by
// design: they are invisible to reads and listings and refused by writes
// (each call lstats every ancestor folder of its key to enforce this; a
// symlink swapped in after that check is still confined by the os.Root).
// On Linux, reads, the rename of a write and the link of a copy reach an
// existing parent with one openat2(2) that refuses symlinks and escapes
// itself (RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH); elsewhere, or where it is
// missing, they walk the path as above.
//
// ETag: hex of (size, mtime in ns, inode). Every write renames a new file
// into place, so the inode, and the ETag, change on every replace.
//
// Copy ([backends.Copier]) is a hard link, checked against the source's
// ETag and installed like a Put (copy.go): it costs the same whatever the
// size, and relies on no installed file ever being written again.
//
// List walks directories but returns exact S3 byte order (a directory "a"
// sorts as "a/"). NextToken is the last key or prefix returned. A page costs
// reading (and sorting the names of) each directory on the path to the token
// plus the entries returned and one lstat per object returned; with a
// delimiter, each reported prefix also costs a walk of its subtree until the
// first object (empty leftover directories are never reported). No file
// contents are ever read by List.
package fs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"

	"github.com/sealgate/sealgate/backends"
)

const (
	dataDir    = "data"
	maxSegment = 255 // NAME_MAX on common filesystems
	dirPerm    = 0o700
	filePerm   = 0o600
)

// Store is a local-directory object store, safe for concurrent use.
type Store struct {
	root    *os.Root // <root>; every access goes through it
	locks   [lockStripe]sync.Mutex
	stripes [lockStripe]*os.File // locks/NN, flock'd after the mutex (see lock.go)
	tmp     string               // this store's temp directory, tmp/<id>
	tmpLock *os.File             // tmp/<id>/lock, flock'd until Close
	blocks  *semaphore.Weighted  // the block budget, in blocks (see blockBudget)

	dir       *os.File    // the root directory, for openat2 (nil: not used)
	noOpenat2 atomic.Bool // the kernel has no openat2

	// faults is a test seam: when set, a write calls it before each
	// buffered write and the fsync of its temp file and before each mkdir
	// and rename of its commit (op names the call); a non-nil result stands
	// for that call's error.
	faults func(op string) error
}

var (
	_ backends.Store     = (*Store)(nil)
	_ backends.WidePager = (*Store)(nil)
)

// Open opens the store in the existing, writable directory root, creating
// data/, tmp/ and locks/ if needed, making this Store's temp directory and
// removing the temp directories of Stores that are gone.
func Open(root string) (*Store, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("fs: open %q: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("fs: open %q: not a directory", root)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("fs: open %q: %w", root, err)
	}
	s := &Store{root: r, blocks: semaphore.NewWeighted(blockBudget / blockSize)}
	if err := s.prepare(); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("fs: open %q: %w", root, noSpace(err))
	}
	s.openRootDir()
	return s, nil
}

// prepare makes data/, tmp/ and locks/, opens the stripe lock files and
// sets up the temp directory. Making the temp directory and its lock file
// proves the root writable.
func (s *Store) prepare() error {
	for _, d := range []string{dataDir, tmpDir, locksDir} {
		if err := s.ensureDir(d); err != nil {
			return err
		}
	}
	if err := s.openStripes(); err != nil {
		return err
	}
	return s.setupTemp()
}

// ensureDir creates d (a direct child of the root) or checks it is a real
// directory, not a symlink or a file.
func (s *Store) ensureDir(d string) error {
	err := s.root.Mkdir(d, dirPerm)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create %s/: %w", d, err)
	}
	fi, err := s.root.Lstat(d)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s/ is not a directory (%v)", d, fi.Mode().Type())
	}
	return nil
}

// Close implements [backends.Store]: it removes the store's temp directory
// and releases its locks. Calls still running may fail.
func (s *Store) Close() error {
	err := s.closeTemp()
	s.closeStripes()
	if s.dir != nil {
		_ = s.dir.Close()
	}
	if cerr := s.root.Close(); err == nil {
		err = cerr
	}
	return err
}

// objectPath validates key and returns its path relative to the root,
// "data/<key>" in the OS's separators.
func objectPath(key string) (string, error) {
	if err := backends.CheckKey(key); err != nil {
		return "", fmt.Errorf("fs: %w", err)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if len(seg) > maxSegment {
			return "", keyError(key, "segment longer than 255 bytes", backends.ErrInvalidKey)
		}
	}
	rel := filepath.Join(dataDir, filepath.FromSlash(key))
	// Defence in depth: CheckKey already rules out every escape.
	if !filepath.IsLocal(rel) || !strings.HasPrefix(rel, dataDir+string(filepath.Separator)) {
		return "", keyError(key, "path escapes the data directory", backends.ErrInvalidKey)
	}
	return rel, nil
}

// keyError builds an error about key wrapping the sentinel err.
func keyError(key, why string, err error) error {
	if len(key) > 64 {
		key = key[:64] + "…"
	}
	return fmt.Errorf("fs: %q: %s: %w", key, why, err)
}
