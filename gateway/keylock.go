package gateway

import (
	"context"
	"sync"
)

// keyLocks serializes this gateway's writes of one key where a write is a
// compare-and-swap on the key's current version: writes and deletes in a
// bucket with versioning (versionwrite.go, versiondelete.go), and every
// Complete (multipart_complete.go).
// Without it, writes that overlap lose the swap and answer ErrConflict
// (503 SlowDown) or a re-run Complete; with it, they take turns, as S3's
// "the last write wins" expects of one endpoint. Writes of one key through
// two gateways can still overlap: the swap stays the arbiter, so nothing is
// lost, and the loser answers ErrConflict (a client retries a 503).
//
// A lock is held for the whole write (the body's upload included), so a
// second write of the key waits for the first; a waiter gives up when its
// context ends. An entry lives only while it is held or waited for.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{} // holds one token while the key is locked
	refs int           // holders and waiters
}

// heldKey marks a context whose caller holds the lock of the key it names
// (upstream name), so that a nested write of that key does not wait for
// itself.
type heldKey struct{}

// lock takes the lock of key (an upstream object name) and returns ctx
// marked as holding it, and the release. If ctx already holds key's lock,
// it returns at once with a release that does nothing.
func (l *keyLocks) lock(ctx context.Context, key string) (context.Context, func(), error) {
	if held, _ := ctx.Value(heldKey{}).(string); held == key {
		return ctx, func() {}, nil
	}
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	e := l.m[key]
	if e == nil {
		e = &keyLock{ch: make(chan struct{}, 1)}
		l.m[key] = e
	}
	e.refs++
	l.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	case <-ctx.Done():
		l.drop(key, e)
		return ctx, nil, ctx.Err()
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			<-e.ch
			l.drop(key, e)
		})
	}
	return context.WithValue(ctx, heldKey{}, key), release, nil
}

// drop forgets a holder or waiter, and the entry with its last one.
func (l *keyLocks) drop(key string, e *keyLock) {
	l.mu.Lock()
	if e.refs--; e.refs == 0 {
		delete(l.m, key)
	}
	l.mu.Unlock()
}
