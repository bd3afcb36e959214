package gateway

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// BenchmarkWarmListOtherWriter pages (1000 keys a page, as the SDK
// paginators ask) through 10,000 one-byte objects with a Service that did
// not write them, its metadata LRU warmed by one earlier listing: what a
// gateway behind a balancer pays for a LIST of objects another gateway
// wrote. "run" is a whole paging run; "first" is its first page alone,
// which decrypts the whole directory. ns/entry is per object listed in the
// run (per object of the directory for "first"). The "frozen" store answers
// each listing from a copy of its first answer: the gateway's own cost,
// without the upstream's.
//
//	go test ./gateway -run '^$' -bench WarmListOtherWriter
func BenchmarkWarmListOtherWriter(b *testing.B) {
	const objects = 10_000
	for _, st := range []struct {
		name  string
		store backends.Store
	}{{"mem", mem.New()}, {"fs", benchFS(b)}, {"frozen", &frozenList{Store: mem.New()}}} {
		u := populateList(b, st.store, objects)
		reader, _ := NewService(Config{Store: st.store})
		n := reader.namespaceFor(u)
		if got := pageThrough(b, n, "bkt", ListQuery{Prefix: "list/"}, nil); got != objects {
			b.Fatalf("listed %d", got)
		}
		b.Run(st.name+"/run", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := pageThrough(b, n, "bkt", ListQuery{Prefix: "list/"}, nil); got != objects {
					b.Fatalf("listed %d", got)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/objects, "ns/entry")
		})
		b.Run(st.name+"/first", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := n.ListObjects(context.Background(), "bkt", ListQuery{Prefix: "list/"})
				if err != nil || len(res.Objects) != 1000 {
					b.Fatalf("%d objects, %v", len(res.Objects), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/objects, "ns/entry")
		})
	}
}

// frozenList answers List from a copy of its first answer to the same
// options: a listing that costs nothing upstream.
type frozenList struct {
	backends.Store
	mu    sync.Mutex
	pages map[backends.ListOptions]backends.ListPage
}

func (f *frozenList) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.pages[o]; ok {
		return p, nil
	}
	p, err := f.Store.List(ctx, o)
	if err == nil && o.Limit == 0 {
		if f.pages == nil {
			f.pages = map[backends.ListOptions]backends.ListPage{}
		}
		f.pages[o] = p
	}
	return p, err
}

// populateList writes objects one-byte objects "list/000001"… into bucket
// "bkt" of a new user, through a Service of its own, and returns the user.
func populateList(b *testing.B, st backends.Store, objects int) *cryptolayer.User {
	b.Helper()
	n, u := benchNS(b, st)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 16 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(objects); i = next.Add(1) {
				k := fmt.Sprintf("list/%06d", i)
				if _, err := n.PutObject(context.Background(), "bkt", k, bytes.NewReader([]byte{'x'}), 1, PutOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return u
}
