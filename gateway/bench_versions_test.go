package gateway

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// noCopier hides a store's backends.Copier: versioned writes then set the
// current version aside by streaming it through the gateway.
type noCopier struct{ backends.Store }

// BenchmarkSmallOverwrite measures 4 KiB overwrites into the fs store, 16
// in parallel, each worker on a key of its own: unversioned; versioned,
// where the fs store sets the current version aside with a hard link
// (backends.Copier); and versioned with that copy streamed through the
// gateway instead (what the link saves).
//
//	go test ./gateway -run '^$' -bench SmallOverwrite -count 5
func BenchmarkSmallOverwrite(b *testing.B) {
	for _, c := range []struct {
		name      string
		versioned bool
		wrap      func(backends.Store) backends.Store
	}{
		{"unversioned", false, nil},
		{"versioned", true, nil},
		{"versioned-streamed", true, func(s backends.Store) backends.Store { return noCopier{s} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			st := benchFS(b)
			if c.wrap != nil {
				st = c.wrap(st)
			}
			n, _ := benchNS(b, st)
			if c.versioned {
				if err := n.PutBucketVersioning(context.Background(), "bkt", VersioningEnabled); err != nil {
					b.Fatal(err)
				}
			}
			benchOverwrites(b, n)
		})
	}
}

func benchOverwrites(b *testing.B, n *userNS) {
	body := bytes.Repeat([]byte("x"), 4096)
	var workers atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.SetBytes(4096)
	b.RunParallel(func(pb *testing.PB) {
		k := fmt.Sprintf("over/%03d", workers.Add(1))
		for pb.Next() {
			if _, err := n.PutObject(context.Background(), "bkt", k, bytes.NewReader(body), 4096, PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
