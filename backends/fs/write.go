package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/sealgate/sealgate/backends"
)

// copyBufSize bounds the memory one write uses.
const copyBufSize = 256 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// installRetries bounds the retries of a rename whose parent directory a
// concurrent Delete pruned between MkdirAll and rename.
const installRetries = 16

// Put implements [backends.Store].
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions) (backends.ObjectInfo, error) {
	return s.PutGated(ctx, key, r, size, opts, nil)
}

var _ backends.GatedPutter = (*Store)(nil)

// PutGated implements [backends.GatedPutter]: gate (if not nil) runs once
// the temp file is written and fsynced, before the key's lock is taken
// for the rename.
func (s *Store) PutGated(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions, gate func() error) (backends.ObjectInfo, error) {
	if size < -1 {
		return backends.ObjectInfo{}, fmt.Errorf("fs: put %q: negative size %d: %w", key, size, backends.ErrInvalidArgument)
	}
	return s.write(ctx, key, opts, size, func(w io.Writer) error {
		return copyBody(ctx, w, r, size)
	}, gate)
}

// write fills a temp file with fill, then, if gate (when not nil) agrees,
// commits it under key. size is the body's announced size, or -1.
func (s *Store) write(ctx context.Context, key string, opts backends.PutOptions, size int64, fill func(io.Writer) error, gate func() error) (backends.ObjectInfo, error) {
	rel, err := objectPath(key)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	if err := backends.CheckPutOptions(opts); err != nil {
		return backends.ObjectInfo{}, fmt.Errorf("fs: put %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return backends.ObjectInfo{}, err
	}
	// Fail early, before reading a body that could not be stored; commit
	// checks again under the lock.
	if !s.parentBeneath(rel) {
		if err := s.checkParents(key, rel, backends.ErrInvalidKey); err != nil {
			return backends.ObjectInfo{}, err
		}
	}
	if err := s.precondition(key, rel, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	tmp, fi, err := s.writeTemp(size, fill)
	if err != nil {
		return backends.ObjectInfo{}, noSpace(fmt.Errorf("fs: put %q: %w", key, err))
	}
	if gate != nil {
		if err := gate(); err != nil {
			_ = s.root.Remove(tmp)
			return backends.ObjectInfo{}, fmt.Errorf("fs: put %q: %w", key, err)
		}
	}
	if err := s.commit(ctx, key, rel, tmp, opts); err != nil {
		_ = s.root.Remove(tmp)
		return backends.ObjectInfo{}, noSpace(err)
	}
	return objectInfo(key, fi), nil
}

// writeTemp creates a temp file, fills it and fsyncs it. It returns the
// file's name and info; on error nothing is left behind.
func (s *Store) writeTemp(size int64, fill func(io.Writer) error) (string, fs.FileInfo, error) {
	name := s.tempName()
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return "", nil, err
	}
	fi, err := s.fillSync(f, size, fill)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = s.root.Remove(name)
		return "", nil, err
	}
	return name, fi, nil
}

func (s *Store) fillSync(f *os.File, size int64, fill func(io.Writer) error) (fs.FileInfo, error) {
	if err := s.fillFile(f, size, fill); err != nil {
		return nil, err
	}
	if err := s.fault(opFsync); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	return f.Stat()
}

// fillFile runs fill on f: a body announced under directMin, or one that
// finds the block budget spent, through a flushingWriter; any other in
// aligned blocks (see blockWriter). Both hide *os.File's ReadFrom, so the
// copy keeps to a bounded buffer.
func (s *Store) fillFile(f *os.File, size int64, fill func(io.Writer) error) error {
	fw := &flushingWriter{f: f, faults: s.faults}
	if size >= 0 && size < directMin || !s.blocks.TryAcquire(1) {
		return fill(fw)
	}
	defer s.blocks.Release(1)
	bw := newBlockWriter(fw)
	defer bw.release()
	if err := fill(bw); err != nil {
		return err
	}
	return bw.finish()
}

// writebackEvery is how much a write may run ahead of the disk before its
// writeback is started.
const writebackEvery = 8 << 20

// flushingWriter writes to a file and starts the writeback of each
// writebackEvery bytes written (see startWriteback).
type flushingWriter struct {
	f        *os.File
	off, due int64
	faults   func(op string) error // the Store's test seam
}

func (w *flushingWriter) Write(p []byte) (int, error) {
	if w.faults != nil {
		if err := w.faults(opWrite); err != nil {
			return 0, err
		}
	}
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.due >= writebackEvery {
		startWriteback(w.f, w.due, w.off-w.due)
		w.due = w.off
	}
	return n, err
}

// commit renames tmp to rel if opts still allow it, under key's lock.
func (s *Store) commit(ctx context.Context, key, rel, tmp string, opts backends.PutOptions) error {
	i, err := s.lockKey(key)
	if err != nil {
		return err
	}
	defer s.unlockKey(i)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.precondition(key, rel, opts); err != nil {
		return err
	}
	return s.install(key, rel, tmp)
}

// precondition checks opts against the current object of key.
func (s *Store) precondition(key, rel string, opts backends.PutOptions) error {
	if !opts.IfAbsent && opts.IfMatch == "" {
		return nil
	}
	fi, err := s.lstatObject(key, rel)
	absent := errors.Is(err, backends.ErrNotExist)
	switch {
	case err != nil && !absent:
		return err
	case opts.IfAbsent && !absent:
		return keyError(key, "object exists", backends.ErrPreconditionFailed)
	case opts.IfMatch != "" && absent:
		return keyError(key, "no object to match", backends.ErrPreconditionFailed)
	case opts.IfMatch != "" && etag(fi) != opts.IfMatch:
		return keyError(key, "ETag does not match", backends.ErrPreconditionFailed)
	}
	return nil
}

// install moves tmp to rel, making the parent directories, and fsyncs the
// parent. A parent pruned by a concurrent Delete, during MkdirAll or before
// the rename, is made again. On Linux, an existing parent is reached with
// one openat2 (installBeneath).
func (s *Store) install(key, rel, tmp string) error {
	if ok, err := s.installBeneath(rel, tmp); ok {
		if err != nil {
			return mapWriteErr(key, err)
		}
		return nil
	}
	parent := filepath.Dir(rel)
	for try := 0; ; try++ {
		if err := s.checkParents(key, rel, backends.ErrInvalidKey); err != nil {
			return err
		}
		err := s.fault(opMkdir)
		if err == nil {
			err = s.root.MkdirAll(parent, dirPerm)
		}
		if err != nil {
			// EEXIST or ENOENT from MkdirAll mean a concurrent Delete pruned a
			// folder while it was being made: not a conflict of this key.
			racing := errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist)
			if racing && try < installRetries {
				continue
			}
			return mapWriteErr(key, err)
		}
		err = s.fault(opRename)
		if err == nil {
			err = s.root.Rename(tmp, rel)
		}
		switch {
		case err == nil:
			return s.syncDir(parent)
		case errors.Is(err, fs.ErrNotExist) && try < installRetries:
			continue
		case isDirConflict(err) && try == 0 && s.removeEmptyDir(rel):
			continue // a leftover empty folder stood where the object goes
		default:
			return mapWriteErr(key, err)
		}
	}
}

// removeEmptyDir removes rel if it is an empty directory.
func (s *Store) removeEmptyDir(rel string) bool {
	fi, err := s.root.Lstat(rel)
	return err == nil && fi.IsDir() && s.root.Remove(rel) == nil
}

func isDirConflict(err error) bool {
	return errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY)
}

// mapWriteErr maps the errors of a key that is also a folder, or whose
// parent is an object, to ErrInvalidKey.
func mapWriteErr(key string, err error) error {
	switch {
	case isDirConflict(err):
		return keyError(key, "a folder of that name exists", backends.ErrInvalidKey)
	case errors.Is(err, syscall.ENOTDIR):
		return keyError(key, "a parent folder is an object", backends.ErrInvalidKey)
	}
	return fmt.Errorf("fs: put %q: %w", key, err)
}

// copyBody copies r to w through a pooled bounded buffer, failing if ctx is
// cancelled or r does not yield exactly size bytes (size >= 0).
func copyBody(ctx context.Context, w io.Writer, r io.Reader, size int64) error {
	src := backends.ContextReader(ctx, r)
	if size >= 0 {
		src = io.LimitReader(src, size+1) // one byte more reveals a long body
	}
	n, err := copyTo(w, src)
	switch {
	case err != nil:
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case size >= 0 && n != size:
		return fmt.Errorf("got %d bytes or more, announced %d: %w", n, size, backends.ErrSizeMismatch)
	}
	return nil
}

// copyTo copies src to w: through w's ReadFrom when it has one (a
// blockWriter reads into its block), else through a pooled buffer.
func copyTo(w io.Writer, src io.Reader) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	return io.CopyBuffer(w, src, *bp)
}

// The operations named to the faults test seam.
const (
	opWrite  = "write"
	opFsync  = "fsync"
	opMkdir  = "mkdir"
	opRename = "rename"
)

// fault returns the error the faults seam injects into op, or nil.
func (s *Store) fault(op string) error {
	if s.faults == nil {
		return nil
	}
	return s.faults(op)
}
