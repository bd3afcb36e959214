// Package countstore is a [backends.Store] decorator for tests that counts
// the upstream requests by kind, as an S3 upstream bills them: GET, HEAD
// (Stat), PUT, LIST and DELETE.
package countstore

import (
	"context"
	"io"
	"sync"

	"github.com/sealgate/sealgate/backends"
)

// Store counts the calls that reach its inner store; safe for concurrent
// use.
type Store struct {
	backends.Store
	mu sync.Mutex
	n  map[string]int
}

// New returns a Store over inner.
func New(inner backends.Store) *Store { return &Store{Store: inner, n: map[string]int{}} }

func (s *Store) add(op string) {
	s.mu.Lock()
	s.n[op]++
	s.mu.Unlock()
}

// Take returns the counts since the last Take (or New).
func (s *Store) Take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.n
	s.n = map[string]int{}
	return n
}

// Put counts a PUT.
func (s *Store) Put(ctx context.Context, k string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	s.add("PUT")
	return s.Store.Put(ctx, k, r, size, o)
}

// Get counts a GET.
func (s *Store) Get(ctx context.Context, k string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	s.add("GET")
	return s.Store.Get(ctx, k, off, n)
}

// Stat counts a HEAD.
func (s *Store) Stat(ctx context.Context, k string) (backends.ObjectInfo, error) {
	s.add("HEAD")
	return s.Store.Stat(ctx, k)
}

// List counts a LIST.
func (s *Store) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	s.add("LIST")
	return s.Store.List(ctx, o)
}

// Delete counts a DELETE.
func (s *Store) Delete(ctx context.Context, k string) error {
	s.add("DELETE")
	return s.Store.Delete(ctx, k)
}
