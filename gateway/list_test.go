package gateway

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

var listKeys = []string{
	"a", "a/b", "a/b/c", "a/b/d", "a-c", "a0", "a//x", "a/", "b/1", "b/2", "b/3/4", "dir/", "dir/x",
	"ü/1", "z", "logs/2024-01-01", "logs/2024-01-02", "logs/2024-02-01", "logs/2025-01-01",
	strings.Repeat("L", 150) + "/in-long-dir", "short/" + strings.Repeat("n", 140), "x.y-z", "x.y/z",
}

// TestListMatchesOracle compares every query shape with a plaintext S3
// reference: prefixes mid-segment, delimiters "/" and others, markers,
// small pages.
func TestListMatchesOracle(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	for _, k := range listKeys {
		put(t, n, "bkt", k, []byte(k), nil)
	}
	var queries []ListQuery
	for _, p := range []string{"", "a", "a/", "a/b", "a/b/", "b/", "logs/2024-0", "logs/", "ü", "nope", "short/", strings.Repeat("L", 150)} {
		for _, d := range []string{"", "/", "-", "."} {
			for _, m := range []ListQuery{{}, {MaxKeys: 2}, {Marker: "a/b"}, {Marker: "b/"}} {
				queries = append(queries, ListQuery{Prefix: p, Delimiter: d, MaxKeys: m.MaxKeys, Marker: m.Marker})
			}
		}
	}
	for _, q := range queries {
		res, err := n.ListObjects(context.Background(), "bkt", q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		objs, prefixes, trunc, next := oracleList(append([]string(nil), listKeys...), q)
		var got []string
		for _, o := range res.Objects {
			got = append(got, o.Key)
			if o.ETag != md5hex([]byte(o.Key)) || o.Size != int64(len(o.Key)) {
				t.Fatalf("%+v: %q has ETag %s size %d", q, o.Key, o.ETag, o.Size)
			}
		}
		if !reflect.DeepEqual(got, objs) || !reflect.DeepEqual(res.CommonPrefixes, prefixes) ||
			res.IsTruncated != trunc || res.NextMarker != next {
			t.Fatalf("%+v:\n got  %q %q %v %q\n want %q %q %v %q", q, got, res.CommonPrefixes, res.IsTruncated, res.NextMarker, objs, prefixes, trunc, next)
		}
	}
}

// TestListPagingCostIsLinear pages through a directory with small pages:
// the upstream is listed once for the whole run, not once per page.
func TestListPagingCostIsLinear(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	const total = 2500
	for i := range total {
		put(t, n, "bkt", fmt.Sprintf("d/%05d", i), nil, nil)
	}
	for _, delim := range []string{"/", ""} {
		before := f.store.lists.Load()
		seen := pageThrough(t, n, "bkt", ListQuery{Prefix: "d/", Delimiter: delim, MaxKeys: 100}, nil)
		calls := f.store.lists.Load() - before
		if seen != total || calls > total/1000+2 {
			t.Fatalf("delimiter %q: saw %d objects with %d upstream List calls for 25 pages", delim, seen, calls)
		}
	}
	// A write through the gateway invalidates the cached listing.
	put(t, n, "bkt", "d/new", nil, nil)
	res, _ := n.ListObjects(context.Background(), "bkt", ListQuery{Prefix: "d/n", Delimiter: "/"})
	if len(res.Objects) != 1 {
		t.Fatalf("new object not listed: %+v", res.Objects)
	}
}

// blockingStore holds one List call until released, to race a listing
// with a write.
type blockingStore struct {
	*countingStore
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	page, err := b.countingStore.List(ctx, o) // the upstream's answer, as of now
	if b.armed.CompareAndSwap(true, false) {
		close(b.entered)
		<-b.release // … delivered after a write
	}
	return page, err
}

// TestListRacingAWriteIsNotCached: a listing that started before a write
// and ended after it is not cached; the next listing sees the write.
func TestListRacingAWriteIsNotCached(t *testing.T) {
	f := newFixture(t)
	bs := &blockingStore{countingStore: f.store, entered: make(chan struct{}), release: make(chan struct{})}
	svc, _ := NewService(Config{Store: bs})
	n := svc.namespaceFor(f.user(t, "alice").user)
	mustBucket(t, n, "bkt")
	put(t, n, "bkt", "k", nil, nil)
	bs.armed.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := n.ListObjects(context.Background(), "bkt", ListQuery{}); err != nil {
			t.Error(err)
		}
	}()
	<-bs.entered // the listing has started and is held
	put(t, n, "bkt", "k", []byte("abc"), nil)
	close(bs.release)
	<-done
	res, err := n.ListObjects(context.Background(), "bkt", ListQuery{})
	if err != nil || len(res.Objects) != 1 || res.Objects[0].Size != 3 {
		t.Fatalf("stale listing after a racing write: %+v %v", res.Objects, err)
	}
}
