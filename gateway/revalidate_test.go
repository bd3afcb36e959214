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
	var gs *getCountingStore
	n, _ := aliceOver(t, func(c *countingStore) backends.Store {
		gs = &getCountingStore{countingStore: c}
		return gs
	})
	return n, gs
}

// withSourceCounting is withGetCounting with a sourceCountingStore.
func withSourceCounting(t *testing.T) (*userNS, *Service, *sourceCountingStore) {
	t.Helper()
	var cs *sourceCountingStore
	n, svc := aliceOver(t, func(c *countingStore) backends.Store {
		cs = &sourceCountingStore{countingStore: c}
		return cs
	})
	return n, svc, cs
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

// TestPlainGetUpstreamRequests: a plain GET of a small object is one
// upstream request (no stat); a large one adds no stat either; a
// conditional or ranged GET starts with a stat, as the cache needs; a
// cold HEAD of a small object is a stat and one read.
func TestPlainGetUpstreamRequests(t *testing.T) {
	n, svc, cs := withSourceCounting(t)
	for _, tc := range []struct {
		size         int
		opts         GetOptions
		stats, gets  int64
		whatRequests string
	}{
		{1000, GetOptions{}, 0, 1, "one read"},
		{3 * mib, GetOptions{}, 0, 3, "a first read (it holds the prefix), then END and body"},
		{1000, GetOptions{IfNoneMatch: "other"}, 1, 1, "a stat and a read"},
		{1000, GetOptions{Range: &Range{Start: 1, End: 9}}, 1, 1, "a stat and a read"},
	} {
		body := partcopyPayload(tc.size)
		put(t, n, "bkt", "k", body, nil)
		up, err := n.objectKey("bkt", "k")
		if err != nil {
			t.Fatal(err)
		}
		cs.key.Store(up)
		cs.stats.Store(0)
		cs.gets.Store(0)
		svc.meta.Purge() // a cold cache: the object is opened
		r, err := n.GetObject(context.Background(), "bkt", "k", tc.opts)
		if err != nil {
			t.Fatalf("size %d %+v: %v", tc.size, tc.opts, err)
		}
		got, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		want := body
		if rg := tc.opts.Range; rg != nil {
			want = body[rg.Start : rg.End+1]
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("size %d %+v: read %d bytes, %v", tc.size, tc.opts, len(got), err)
		}
		if s, g := cs.stats.Load(), cs.gets.Load(); s != tc.stats || g != tc.gets {
			t.Errorf("size %d %+v: %d stats and %d reads, want %d and %d (%s)", tc.size, tc.opts, s, g, tc.stats, tc.gets, tc.whatRequests)
		}
	}
	// A cold HEAD of a small object reads it whole: one read, not two.
	cs.stats.Store(0)
	cs.gets.Store(0)
	svc.meta.Purge()
	if _, err := n.HeadObject(context.Background(), "bkt", "k", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if s, g := cs.stats.Load(), cs.gets.Load(); s != 1 || g != 1 {
		t.Errorf("cold HEAD of a small object: %d stats and %d reads, want 1 and 1", s, g)
	}
}

// staleStatStore answers the first Stat of a watched key with a stale
// version's ETag, as if the object were replaced right after the stat.
type staleStatStore struct {
	*countingStore
	key   atomic.Value // string
	stale atomic.Int64 // stale answers left
}

func (s *staleStatStore) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	info, err := s.countingStore.Stat(ctx, key)
	if k, _ := s.key.Load().(string); k == key && err == nil && s.stale.Add(-1) >= 0 {
		info.ETag = "stale"
	}
	return info, err
}

// TestReplacedWhileReadRetries: a HEAD or a ranged GET whose version is
// replaced between the stat and the read is retried, and after three
// replacements in a row it is ErrUnavailable.
func TestReplacedWhileReadRetries(t *testing.T) {
	var ss *staleStatStore
	n, svc := aliceOver(t, func(c *countingStore) backends.Store {
		ss = &staleStatStore{countingStore: c}
		return ss
	})
	body := []byte("replaced under the reader")
	put(t, n, "bkt", "k", body, nil)
	up, err := n.objectKey("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	ss.key.Store(up)
	ctx := context.Background()
	for _, stale := range []int64{1, 2, 3} {
		ss.stale.Store(stale)
		svc.meta.Purge()
		_, herr := n.HeadObject(ctx, "bkt", "k", GetOptions{})
		ss.stale.Store(stale)
		svc.meta.Purge()
		r, gerr := n.GetObject(ctx, "bkt", "k", GetOptions{Range: &Range{Start: 0, End: 3}})
		if r != nil && r.Body != nil {
			_ = r.Body.Close()
		}
		for op, err := range map[string]error{"HEAD": herr, "ranged GET": gerr} {
			if stale < 3 && err != nil {
				t.Errorf("%s after %d replacement(s): %v", op, stale, err)
			}
			if stale == 3 && !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s after 3 replacements: %v, want ErrUnavailable", op, err)
			}
		}
	}
}
