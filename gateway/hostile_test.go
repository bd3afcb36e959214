package gateway

import (
	"context"
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

func TestSuffixRangeExtremes(t *testing.T) {
	for _, start := range []int64{math.MinInt64, -math.MaxInt64, -101, -100} {
		off, n, err := resolveRange(&Range{Start: start, End: -1}, 100)
		if err != nil || off != 0 || n != 100 {
			t.Fatalf("suffix %d: %d %d %v", start, off, n, err)
		}
	}
}
