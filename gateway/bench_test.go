package gateway

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/cryptolayer"
)

// BenchmarkSmallPut measures 4 KiB PUTs through the gateway into the fs
// store (durable writes), 16 in parallel: the gateway's per-object cost.
func BenchmarkSmallPut(b *testing.B) {
	st, err := fs.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	svc, _ := NewService(Config{Store: st})
	ks := &cryptolayer.Keystore{}
	u, _ := ks.AddUser("bench", []byte("password"), cryptolayer.MinPasswordParams)
	n := svc.namespaceFor(u)
	mustBucket(b, n, "bkt")
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
