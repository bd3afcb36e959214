package gateway

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
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
// (backends.Copier) while the new version is stored (backends.GatedPutter);
// and versioned with that copy streamed through the gateway before the
// write instead (what the link and the overlap save). The "-1" rows are
// one writer alone, where a write's latency is its fsyncs in a row.
//
//	go test ./gateway -run '^$' -bench SmallOverwrite -count 5
func BenchmarkSmallOverwrite(b *testing.B) {
	for _, c := range []struct {
		name      string
		versioned bool
		wrap      func(backends.Store) backends.Store
		writers   int
	}{
		{"unversioned", false, nil, 16},
		{"versioned", true, nil, 16},
		{"versioned-streamed", true, func(s backends.Store) backends.Store { return noCopier{s} }, 16},
		{"unversioned-1", false, nil, 1},
		{"versioned-1", true, nil, 1},
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
			benchOverwrites(b, n, c.writers)
		})
	}
}

// benchOverwrites overwrites 4 KiB objects, writers at once (rounded to a
// multiple of the CPUs), each on a key of its own.
func benchOverwrites(b *testing.B, n *userNS, writers int) {
	body := bytes.Repeat([]byte("x"), 4096)
	write := func(k string) bool {
		_, err := n.PutObject(context.Background(), "bkt", k, bytes.NewReader(body), 4096, PutOptions{})
		if err != nil {
			b.Error(err)
		}
		return err == nil
	}
	b.ReportAllocs()
	b.SetBytes(4096)
	if writers == 1 {
		for b.Loop() {
			if !write("over/one") {
				return
			}
		}
		return
	}
	var workers atomic.Int64
	b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		k := fmt.Sprintf("over/%03d", workers.Add(1))
		for pb.Next() {
			if !write(k) {
				return
			}
		}
	})
}
