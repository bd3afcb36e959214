package gateway

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
)

// opCounter counts the upstream calls made through it.
type opCounter struct {
	backends.Store
	ops atomic.Int64
}

func (c *opCounter) Put(ctx context.Context, k string, r io.Reader, n int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	c.ops.Add(1)
	return c.Store.Put(ctx, k, r, n, o)
}

func (c *opCounter) Get(ctx context.Context, k string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	c.ops.Add(1)
	return c.Store.Get(ctx, k, off, n)
}

func (c *opCounter) Stat(ctx context.Context, k string) (backends.ObjectInfo, error) {
	c.ops.Add(1)
	return c.Store.Stat(ctx, k)
}

func (c *opCounter) Delete(ctx context.Context, k string) error {
	c.ops.Add(1)
	return c.Store.Delete(ctx, k)
}

func (c *opCounter) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	c.ops.Add(1)
	return c.Store.List(ctx, o)
}

// BenchmarkQuotaPut measures sequential 4 KiB PUTs (new keys, a bucket
// without versioning) into the mem store, and the upstream calls each
// costs: without a quota (the write path as before quotas) and with one
// (admission, and batched usage deltas).
func BenchmarkQuotaPut(b *testing.B) {
	for _, limit := range []int64{0, 1 << 50} {
		name := "none"
		if limit > 0 {
			name = "quota"
		}
		b.Run(name, func(b *testing.B) {
			st := &opCounter{Store: mem.New()}
			n, u := benchNS(b, st)
			if limit > 0 {
				if _, err := n.svc.SetQuota(context.Background(), testAccount{u}, Quota{Bytes: limit}); err != nil {
					b.Fatal(err)
				}
			}
			body := bytes.Repeat([]byte("x"), 4096)
			put(b, n, "bkt", "warm", body, nil)
			b.ReportAllocs()
			b.SetBytes(4096)
			st.ops.Store(0)
			b.ResetTimer()
			for i := range b.N {
				if _, err := n.PutObject(context.Background(), "bkt", "k"+strconv.Itoa(i), bytes.NewReader(body), 4096, PutOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.ops.Load())/float64(b.N), "upstream-calls/op")
		})
	}
}
