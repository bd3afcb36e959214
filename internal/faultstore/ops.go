package faultstore

import (
	"context"
	"io"

	"github.com/sealgate/sealgate/backends"
)

// Put implements [backends.Store]. A failing fault reads After bytes of r
// (fewer if r ends first), then fails without calling the inner store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions) (backends.ObjectInfo, error) {
	f := s.decide(OpPut, key, size)
	if f == nil {
		return s.inner.Put(ctx, key, r, size, opts)
	}
	if f.Fault == Latency {
		if err := f.sleep(ctx); err != nil {
			return backends.ObjectInfo{}, err
		}
		return s.inner.Put(ctx, key, r, size, opts)
	}
	if _, err := io.CopyN(io.Discard, r, f.after); err != nil && err != io.EOF {
		return backends.ObjectInfo{}, err // the caller's body failed first
	}
	return backends.ObjectInfo{}, f.fail(OpPut, key)
}

// Get implements [backends.Store]. Body faults cut the inner body.
func (s *Store) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	f := s.decide(OpGet, key, -1)
	if f == nil {
		return s.inner.Get(ctx, key, off, n)
	}
	switch f.Fault {
	case Latency:
		if err := f.sleep(ctx); err != nil {
			return nil, backends.ObjectInfo{}, err
		}
		return s.inner.Get(ctx, key, off, n)
	case Reset, Short:
		rc, info, err := s.inner.Get(ctx, key, off, n)
		if err != nil {
			return rc, info, err
		}
		return s.cut(f, key, rc, bodyLen(info.Size, off, n)), info, nil
	}
	return nil, backends.ObjectInfo{}, f.fail(OpGet, key)
}

// cut wraps a Get body for a Reset or Short fault. A random After (drawn
// before the body length was known) is brought inside the body.
func (s *Store) cut(f *fault, key string, rc io.ReadCloser, length int64) io.ReadCloser {
	if f.random && length > 0 && f.after >= length {
		f.after %= length
	}
	b := &cutBody{rc: rc, left: f.after}
	if f.Fault == Reset {
		b.err = f.fail(OpGet, key)
	} else {
		b.err = io.EOF
	}
	return b
}

// bodyLen is the length of the body a Get of [off, off+n) returns on an
// object of size bytes.
func bodyLen(size, off, n int64) int64 {
	rest := max(size-off, 0)
	if n < 0 || n > rest {
		return rest
	}
	return n
}

// cutBody passes left bytes of rc, then returns err (io.EOF: a short read).
type cutBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, b.err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cutBody) Close() error { return b.rc.Close() }

// Stat implements [backends.Store].
func (s *Store) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	if err := s.before(ctx, OpStat, key); err != nil {
		return backends.ObjectInfo{}, err
	}
	return s.inner.Stat(ctx, key)
}

// Delete implements [backends.Store]. A failed Delete deletes nothing.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.before(ctx, OpDelete, key); err != nil {
		return err
	}
	return s.inner.Delete(ctx, key)
}

// List implements [backends.Store]; rules match the listing's prefix.
func (s *Store) List(ctx context.Context, opts backends.ListOptions) (backends.ListPage, error) {
	if err := s.before(ctx, OpList, opts.Prefix); err != nil {
		return backends.ListPage{}, err
	}
	return s.inner.List(ctx, opts)
}

// Close implements [backends.Store]: it closes the inner store.
func (s *Store) Close() error { return s.inner.Close() }

// before applies the fault, if any, of a call without a body: the error
// to fail with, or nil to run the call (after a Latency fault's delay).
func (s *Store) before(ctx context.Context, op Op, key string) error {
	f := s.decide(op, key, -1)
	switch {
	case f == nil:
		return nil
	case f.Fault == Latency:
		return f.sleep(ctx)
	}
	return f.fail(op, key)
}
