package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// getCountingStore counts Get calls.
type getCountingStore struct {
	*countingStore
	gets atomic.Int64
}

func (g *getCountingStore) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	g.gets.Add(1)
	return g.countingStore.Get(ctx, key, off, n)
}

// withGetCounting returns alice's namespace on a service whose store counts
// Gets, with bucket "bkt".
func withGetCounting(t *testing.T) (*userNS, *getCountingStore) {
	t.Helper()
	f := newFixture(t)
	gs := &getCountingStore{countingStore: f.store}
	svc, err := NewService(Config{Store: gs})
	if err != nil {
		t.Fatal(err)
	}
	n := svc.namespaceFor(f.user(t, "alice").user)
	mustBucket(t, n, "bkt")
	return n, gs
}

// TestRevalidationFromCache: once an object's metadata is cached, a GET
// answered 304, 412 or 416 reads nothing upstream and still returns the
// object's info (for the validators of a 304, the size of a 416).
func TestRevalidationFromCache(t *testing.T) {
	n, gs := withGetCounting(t)
	info := put(t, n, "bkt", "big", bytes.Repeat([]byte("b"), 3*mib), nil)
	if _, err := n.HeadObject(context.Background(), "bkt", "big", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts GetOptions
		want error
	}{
		{GetOptions{IfNoneMatch: info.ETag}, ErrNotModified},
		{GetOptions{IfMatch: "other"}, ErrPreconditionFailed},
		{GetOptions{Range: &Range{Start: 4 * mib, End: -1}}, ErrInvalidRange},
	} {
		before := gs.gets.Load()
		r, err := n.GetObject(context.Background(), "bkt", "big", tc.opts)
		if !errors.Is(err, tc.want) || r == nil || r.Info.ETag != info.ETag || r.Body != nil {
			t.Fatalf("GetObject(%+v) = %+v, %v; want %v with the info", tc.opts, r, err, tc.want)
		}
		if got := gs.gets.Load() - before; got != 0 {
			t.Fatalf("GetObject(%+v) made %d upstream reads, want 0", tc.opts, got)
		}
	}
}
