package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/internal/rss"
)

// benchFS is an fs store in a temp dir.
func benchFS(b *testing.B) backends.Store {
	b.Helper()
	st, err := fs.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// benchNS is the namespace of a new user "bench" with a bucket "bkt", on a
// Service of its own over st.
func benchNS(b *testing.B, st backends.Store) (*userNS, *cryptolayer.User) {
	b.Helper()
	u, err := (&cryptolayer.Keystore{}).AddUser("bench", []byte("password"), cryptolayer.MinPasswordParams)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := NewService(Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	n := svc.namespaceFor(u)
	mustBucket(b, n, "bkt")
	return n, u
}

// BenchmarkSmallPut measures 4 KiB PUTs through the gateway into the fs
// store (durable writes), 16 in parallel: the gateway's per-object cost.
func BenchmarkSmallPut(b *testing.B) {
	n, _ := benchNS(b, benchFS(b))
	body := bytes.Repeat([]byte("x"), 4096)
	var i atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.SetBytes(4096)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := fmt.Sprintf("small/%07d", i.Add(1))
			if _, err := n.PutObject(context.Background(), "bkt", k, bytes.NewReader(body), 4096, PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// discardStore keeps small objects (bucket records) and discards large
// bodies after reading them: it measures the gateway, not a disk.
type discardStore struct{ *mem.Store }

func (d discardStore) Put(ctx context.Context, key string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	if size >= 0 && size < 1<<20 {
		return d.Store.Put(ctx, key, r, size, o)
	}
	n, err := io.Copy(io.Discard, r)
	if err == nil && size >= 0 && n != size {
		err = backends.ErrSizeMismatch
	}
	return backends.ObjectInfo{Key: key, Size: n, ETag: "discarded"}, err
}

// BenchmarkConcurrentLargeUploads streams 64 uploads of
// SEALGATE_BENCH_UPLOAD_MIB (default 1024) MiB each at once into a
// discarding store and reports the peak RSS of the process: memory per
// stream is a few chunks, so 64 × 1 GiB fits in well under 256 MiB.
//
//	go test ./gateway -run '^$' -bench ConcurrentLargeUploads -benchtime 1x
func BenchmarkConcurrentLargeUploads(b *testing.B) {
	size := int64(1024) << 20
	if v, err := strconv.Atoi(os.Getenv("SEALGATE_BENCH_UPLOAD_MIB")); err == nil && v > 0 {
		size = int64(v) << 20
	}
	n, _ := benchNS(b, discardStore{mem.New()})
	debug.FreeOSMemory()
	stop := rss.Sample(rss.Self, 10*time.Millisecond)
	b.SetBytes(64 * size)
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				body := io.LimitReader(zeros{}, size)
				if _, err := n.PutObject(context.Background(), "bkt", fmt.Sprintf("big/%d", i), body, size, PutOptions{}); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(stop(), "peak-RSS-MiB")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// BenchmarkLargePut streams one large object through the gateway into the
// fs store (durable), or into a discarding store: the gateway's own ceiling
// without HTTP. Size: SEALGATE_BENCH_UPLOAD_MIB (default 1024).
func BenchmarkLargePut(b *testing.B) {
	size := int64(1024) << 20
	if v, err := strconv.Atoi(os.Getenv("SEALGATE_BENCH_UPLOAD_MIB")); err == nil && v > 0 {
		size = int64(v) << 20
	}
	for _, st := range []struct {
		name  string
		store backends.Store
	}{{"fs", benchFS(b)}, {"discard", discardStore{mem.New()}}} {
		b.Run(st.name, func(b *testing.B) {
			n, _ := benchNS(b, st.store)
			b.SetBytes(size)
			for b.Loop() {
				if _, err := n.PutObject(context.Background(), "bkt", "big", io.LimitReader(zeros{}, size), size, PutOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkColdList pages through 10,000 one-byte objects in the fs store
// with a fresh service each time (empty metadata and listing caches): the
// cost of a cold LIST, which opens every object for its ETag.
func BenchmarkColdList(b *testing.B) {
	const objects = 10000
	st := benchFS(b)
	u := populateList(b, st, objects)
	b.ReportAllocs()
	for b.Loop() {
		svc, _ := NewService(Config{Store: st})
		n := svc.namespaceFor(u)
		if total := pageThrough(b, n, "bkt", ListQuery{Prefix: "list/"}, nil); total != objects {
			b.Fatalf("listed %d", total)
		}
	}
}
