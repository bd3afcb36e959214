package gateway

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// lyingStore adds entries outside the requested prefix to every listing.
type lyingStore struct{ *countingStore }

func (l lyingStore) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	p, err := l.countingStore.List(ctx, o)
	p.Objects = append(p.Objects, backends.ObjectInfo{Key: "x", Size: 5000})
	p.Prefixes = append(p.Prefixes, "y/", o.Prefix)
	return p, err
}

// TestHostileListingIsSkipped: listing entries outside the prefix asked
// for are skipped and counted, never a panic.
func TestHostileListingIsSkipped(t *testing.T) {
	f := newFixture(t)
	svc, _ := NewService(Config{Store: lyingStore{f.store}})
	n := svc.namespaceFor(f.user(t, "alice").user)
	mustBucket(t, n, "bkt")
	put(t, n, "bkt", "a/b", []byte("x"), nil)
	for _, d := range []string{"/", ""} {
		res, err := n.ListObjects(context.Background(), "bkt", ListQuery{Prefix: "a/", Delimiter: d})
		if err != nil || len(res.Objects) != 1 || len(res.CommonPrefixes) != 0 {
			t.Fatalf("delimiter %q: %+v %v", d, res, err)
		}
	}
	if svc.Stats().IntegrityFailures == 0 {
		t.Fatal("lies not counted")
	}
}

// sizeLyingStore reports a listed or stat-ed object with a false size.
type sizeLyingStore struct {
	*countingStore
	size int64
}

func (l sizeLyingStore) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	p, err := l.countingStore.List(ctx, o)
	for i := range p.Objects {
		p.Objects[i].Size = l.size
	}
	return p, err
}

func (l sizeLyingStore) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	info, err := l.countingStore.Stat(ctx, key)
	info.Size = l.size
	return info, err
}

// TestHostileSizes: an upstream that lies about sizes (negative, zero,
// huge, one byte off) gets integrity failures from a cold listing and a
// HEAD, never a panic or an allocation of the size it claims.
func TestHostileSizes(t *testing.T) {
	for _, size := range []int64{-1, math.MinInt64, 0, 1, 5000, math.MaxInt64} {
		n, svc := aliceOver(t, func(c *countingStore) backends.Store { return sizeLyingStore{c, size} })
		put(t, n, "bkt", "k", []byte("x"), nil)
		svc.meta.Purge()
		if res, err := n.ListObjects(context.Background(), "bkt", ListQuery{}); err != nil || len(res.Objects) != 0 {
			t.Errorf("size %d: listing %+v, %v; want the object dropped", size, res, err)
		}
		svc.meta.Purge()
		if _, err := n.HeadObject(context.Background(), "bkt", "k", GetOptions{}); !errors.Is(err, ErrIntegrity) {
			t.Errorf("size %d: HEAD = %v, want ErrIntegrity", size, err)
		}
		if svc.Stats().IntegrityFailures == 0 {
			t.Errorf("size %d: not counted", size)
		}
	}
}

// A suffix range of an empty object is all of it (nothing), not an error;
// a first byte is always past its end.
func TestEmptyObjectRanges(t *testing.T) {
	for _, tt := range []struct {
		r     Range
		whole bool
	}{
		{Range{Start: -1, End: -1}, true},
		{Range{Start: math.MinInt64, End: -1}, true},
		{Range{Start: 0, End: -1}, false},
		{Range{Start: 0, End: 0}, false},
	} {
		got, err := ResolveRange(&tt.r, 0)
		if tt.whole && (got != nil || err != nil) || !tt.whole && !errors.Is(err, ErrInvalidRange) {
			t.Errorf("%+v: %v %v", tt.r, got, err)
		}
	}
}

func TestSuffixRangeExtremes(t *testing.T) {
	for _, start := range []int64{math.MinInt64, -math.MaxInt64, -101, -100} {
		off, n, err := resolveRange(&Range{Start: start, End: -1}, 100)
		if err != nil || off != 0 || n != 100 {
			t.Fatalf("suffix %d: %d %d %v", start, off, n, err)
		}
	}
}
