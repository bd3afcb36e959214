// Package mem is an in-memory [backends.Store] for unit tests.
//
// Contract: a [Store] implements [backends.Store] and passes
// backends/storetest. Bytes are copied in and out, so callers never alias
// stored data. Put reads the whole body into memory before committing (it
// is a test store), but it honours the announced size, the context and the
// atomicity rules like any other store. ETags are a per-store counter, so
// every write gets a new one. Keys "a" and "a/b" may coexist, as on S3.
// Nothing is persisted; Close drops every object.
package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// Store is an in-memory object store, safe for concurrent use.
type Store struct {
	mu      sync.RWMutex
	objects map[string]*object
	seq     uint64 // last ETag number handed out
}

type object struct {
	data []byte
	info backends.ObjectInfo
}

var _ backends.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{objects: make(map[string]*object)}
}

// Put implements [backends.Store].
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions) (backends.ObjectInfo, error) {
	return s.PutGated(ctx, key, r, size, opts, nil)
}

var _ backends.GatedPutter = (*Store)(nil)

// PutGated implements [backends.GatedPutter]: gate (if not nil) runs once
// the body is read whole, and the object is committed only if it returns
// nil.
func (s *Store) PutGated(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions, gate func() error) (backends.ObjectInfo, error) {
	if err := checkPut(key, size, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	data, err := readBody(ctx, r, size)
	if err == nil && gate != nil {
		err = gate()
	}
	if err != nil {
		return backends.ObjectInfo{}, fmt.Errorf("mem: put %q: %w", key, err)
	}
	return s.commit(ctx, key, data, opts)
}

// Get implements [backends.Store].
func (s *Store) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if err := checkCall(ctx, key); err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	s.mu.RLock()
	o, ok := s.objects[key]
	s.mu.RUnlock()
	if !ok {
		return nil, backends.ObjectInfo{}, notExist(key)
	}
	size := int64(len(o.data))
	if off < 0 || off > size || (off == size && size > 0) {
		return nil, backends.ObjectInfo{}, fmt.Errorf("mem: get %q at %d of %d: %w", key, off, size, backends.ErrInvalidRange)
	}
	end := size
	if n >= 0 && n < size-off {
		end = off + n
	}
	// Stored slices are never modified in place, and a reader only copies
	// out of them, so no clone is needed.
	return io.NopCloser(bytes.NewReader(o.data[off:end])), o.info, nil
}

// Stat implements [backends.Store].
func (s *Store) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	if err := checkCall(ctx, key); err != nil {
		return backends.ObjectInfo{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.objects[key]
	if !ok {
		return backends.ObjectInfo{}, notExist(key)
	}
	return o.info, nil
}

// Delete implements [backends.Store].
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkCall(ctx, key); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.objects, key)
	s.mu.Unlock()
	return nil
}

// Close implements [backends.Store]; it drops every object.
func (s *Store) Close() error {
	s.mu.Lock()
	clear(s.objects)
	s.mu.Unlock()
	return nil
}

// commit stores data (owned by the store from now on) under key if opts allow.
func (s *Store) commit(ctx context.Context, key string, data []byte, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return backends.ObjectInfo{}, fmt.Errorf("mem: put %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.precondition(key, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	s.seq++
	info := backends.ObjectInfo{
		Key:     key,
		Size:    int64(len(data)),
		ETag:    "m" + strconv.FormatUint(s.seq, 10),
		ModTime: time.Now(),
	}
	s.objects[key] = &object{data: data, info: info}
	return info, nil
}

// precondition checks opts against the current object; s.mu is held.
func (s *Store) precondition(key string, opts backends.PutOptions) error {
	o, ok := s.objects[key]
	switch {
	case opts.IfAbsent && ok:
		return fmt.Errorf("mem: put %q: object exists: %w", key, backends.ErrPreconditionFailed)
	case opts.IfMatch != "" && !ok:
		return fmt.Errorf("mem: put %q: no object to match: %w", key, backends.ErrPreconditionFailed)
	case opts.IfMatch != "" && o.info.ETag != opts.IfMatch:
		return fmt.Errorf("mem: put %q: etag %q is not %q: %w", key, o.info.ETag, opts.IfMatch, backends.ErrPreconditionFailed)
	}
	return nil
}

// keys returns every key in byte order.
func (s *Store) keys() []string {
	s.mu.RLock()
	keys := make([]string, 0, len(s.objects))
	for k := range s.objects {
		keys = append(keys, k)
	}
	s.mu.RUnlock()
	slices.Sort(keys)
	return keys
}

func (s *Store) info(key string) (backends.ObjectInfo, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.objects[key]
	if !ok {
		return backends.ObjectInfo{}, false
	}
	return o.info, true
}

func notExist(key string) error {
	return fmt.Errorf("mem: %q: %w", key, backends.ErrNotExist)
}
