package gateway

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestList100kPagingIsLinear: paging through a 100,000-object bucket, with
// and without a delimiter, lists the upstream O(N) in total (each upstream
// entry once per run, 1000 per upstream page), not O(N) per page, and
// returns every key once in S3 order. Under the race detector it runs with
// 20,000 objects (the same O(N) bound; quadratic paging would cost 400
// calls instead of 21).
func TestList100kPagingIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 objects")
	}
	total := 100_000
	if raceEnabled {
		total = 20_000
	}
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < total; i += 8 {
				put(t, n, "bkt", fmt.Sprintf("d/%06d", i), nil, nil)
			}
		})
	}
	wg.Wait()
	for _, delim := range []string{"/", ""} {
		before := f.store.lists.Load()
		last := ""
		seen := pageThrough(t, n, "bkt", ListQuery{Prefix: "d/", Delimiter: delim}, func(objs []ObjectInfo) {
			for _, o := range objs {
				if o.Key <= last {
					t.Fatalf("out of order: %q after %q", o.Key, last)
				}
				last = o.Key
			}
		})
		calls := f.store.lists.Load() - before
		if seen != total || calls > int64(total/1000+1) {
			t.Fatalf("delimiter %q: %d objects in %d pages cost %d upstream List calls", delim, seen, total/1000, calls)
		}
		t.Logf("delimiter %q: %d pages, %d upstream List calls", delim, total/1000, calls)
	}
}

// wideCounting is a mem store that claims wide pages and counts Lists and
// the page sizes asked for.
type wideCounting struct {
	*countingStore
	limits []int
	mu     sync.Mutex
}

func (w *wideCounting) PageLimit() int { return 100_000 }

func (w *wideCounting) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	w.mu.Lock()
	w.limits = append(w.limits, o.Limit)
	w.mu.Unlock()
	return w.countingStore.List(ctx, o)
}

// TestWidePagerAskedForWidePages: the gateway asks a WidePager for pages
// of its PageLimit when it reads whole listings.
func TestWidePagerAskedForWidePages(t *testing.T) {
	var w *wideCounting
	n, _ := aliceOver(t, func(c *countingStore) backends.Store {
		w = &wideCounting{countingStore: c}
		return w
	})
	put(t, n, "bkt", "a/b", []byte("x"), nil)
	if _, err := n.ListObjects(context.Background(), "bkt", ListQuery{Prefix: "a/"}); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.limits) == 0 {
		t.Fatal("no upstream List")
	}
	for _, l := range w.limits {
		if l != 100_000 {
			t.Fatalf("asked for pages of %v, want 100,000", w.limits)
		}
	}
}
